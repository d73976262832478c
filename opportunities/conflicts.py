"""Deal-registration conflicts (SPEC §3): who else holds this account or this deal."""

from django.db.models import Q

from accounts.models import Assignment, AssignmentRole

from .models import Opportunity, RegistrationStatus


def conflicting_registrations(opportunity: Opportunity):
    """Other partners' open (pending or approved) registrations on the same account and product line."""
    return (
        Opportunity.objects.filter(
            account_id=opportunity.account_id,
            product_line=opportunity.product_line,
            registration_status__in=[RegistrationStatus.PENDING, RegistrationStatus.APPROVED],
            partner__isnull=False,
        )
        .exclude(Q(partner_id=opportunity.partner_id) | Q(pk=opportunity.pk))
        .select_related("partner")
    )


def conflicting_assignment(opportunity: Opportunity) -> Assignment | None:
    """Another partner's open primary assignment on the account, if any."""
    return (
        Assignment.objects.open()
        .filter(account_id=opportunity.account_id, role=AssignmentRole.PRIMARY)
        .exclude(partner_id=opportunity.partner_id)
        .select_related("partner")
        .first()
    )


def has_conflict(opportunity: Opportunity) -> bool:
    return conflicting_registrations(opportunity).exists() or conflicting_assignment(opportunity) is not None
