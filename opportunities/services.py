"""Writes on opportunities: registration, updates, the channel team's decisions."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ecosystem.roles import is_internal, partner_id_of

from .conflicts import has_conflict
from .models import CLOSED_STAGES, Opportunity, RegistrationStatus, Route, Stage

# Stages a partner may move an opportunity to, from each stage.
STAGE_TRANSITIONS = {
    Stage.REGISTERED: {Stage.QUALIFIED, Stage.PROPOSAL, Stage.WON, Stage.LOST},
    Stage.QUALIFIED: {Stage.PROPOSAL, Stage.WON, Stage.LOST},
    Stage.PROPOSAL: {Stage.WON, Stage.LOST},
    Stage.WON: set(),
    Stage.LOST: set(),
}


@transaction.atomic
def opportunity_register(
    *,
    user,
    account,
    product_line: str,
    amount: Decimal,
    expected_close: date | None = None,
    roadshow=None,
    route: str = Route.PARTNER_SOURCED,
    partner=None,
    description: str = "",
    external_id: str | None = None,
) -> Opportunity:
    """Register a partner's opportunity; flag it when it conflicts with another partner."""
    own_partner_id = partner_id_of(user)
    if own_partner_id is not None:
        partner_id = own_partner_id  # a partner user always registers for its own partner
    elif is_internal(user) and partner is not None:
        partner_id = partner.pk
    else:
        partner_id = None
    if partner_id is None:
        route = Route.DIRECT
    elif route == Route.DIRECT:
        raise ValidationError({"route": "A partner opportunity is partner sourced or partner influenced."})
    opportunity = Opportunity(
        account=account,
        partner_id=partner_id,
        route=route,
        product_line=product_line,
        amount=amount,
        expected_close=expected_close,
        roadshow=roadshow,
        description=description,
        external_id=external_id or None,
        registered_by=user,
        registration_status=RegistrationStatus.PENDING if partner_id else None,
    )
    if partner_id:
        opportunity.has_conflict = has_conflict(opportunity)
    opportunity.save()
    return opportunity


@transaction.atomic
def opportunity_update(*, opportunity: Opportunity, user, **changes) -> Opportunity:
    """Change an opportunity's details or stage. A won deal records its closing date."""
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    new_stage = changes.pop("stage", None)
    if opportunity.stage in CLOSED_STAGES and not is_internal(user):
        raise ValidationError({"stage": "This opportunity is closed; ask the channel team to correct it."})
    for field, value in changes.items():
        setattr(opportunity, field, value)
    if new_stage and new_stage != opportunity.stage:
        if new_stage not in STAGE_TRANSITIONS[opportunity.stage] and not is_internal(user):
            raise ValidationError({"stage": f"An opportunity cannot move from {opportunity.stage} to {new_stage}."})
        opportunity.stage = new_stage
        if new_stage in CLOSED_STAGES and not changes.get("closed_on"):
            opportunity.closed_on = opportunity.closed_on or timezone.localdate()
    if opportunity.stage not in CLOSED_STAGES:
        opportunity.closed_on = None
    opportunity.save()
    return opportunity


def _decide(opportunity: Opportunity, *, user, status: str, reason: str) -> Opportunity:
    if not is_internal(user) or user.role != "channel":
        raise PermissionDenied("Only the channel team decides on deal registrations.")
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if opportunity.registration_status != RegistrationStatus.PENDING:
        raise ValidationError(
            {"registration_status": f"This registration is {opportunity.registration_status}, not pending."}
        )
    opportunity.registration_status = status
    opportunity.decided_by = user
    opportunity.decided_at = timezone.now()
    opportunity.decision_reason = reason
    if status == RegistrationStatus.APPROVED:
        opportunity.protected_until = timezone.localdate() + timedelta(days=settings.REGISTRATION_PROTECTION_DAYS)
    opportunity.save()
    return opportunity


@transaction.atomic
def registration_approve(*, opportunity: Opportunity, user, reason: str = "") -> Opportunity:
    return _decide(opportunity, user=user, status=RegistrationStatus.APPROVED, reason=reason)


@transaction.atomic
def registration_reject(*, opportunity: Opportunity, user, reason: str) -> Opportunity:
    if not reason.strip():
        raise ValidationError({"reason": "Say why the registration is rejected."})
    return _decide(opportunity, user=user, status=RegistrationStatus.REJECTED, reason=reason)
