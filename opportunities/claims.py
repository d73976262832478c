"""Claims (SPEC §4.2): a partner's win pays and counts only once confirmed.

A partner user who marks its opportunity won makes a claim; the vendor's own users' wins are
confirmed at once. A claim is confirmed by a booking (``insights.bookings``, or the channel
team linking a queued booking, :mod:`.reconciliation`) or by the channel team by hand, with a
reason, for business the order system does not carry. What the claim said (amount, closing
date) stays beside what was confirmed, so the difference can be shown.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from audit import kinds as audit_kinds
from ecosystem.roles import Role, role_of

from . import validation
from .models import Confirmation, Opportunity, Stage, claim_q


def record_win(opportunity: Opportunity, *, user, internal: bool, now=None) -> None:
    """Mark a deal just moved to won (not saved): a claim for a partner user, confirmed for the vendor's team."""
    now = now or timezone.now()
    if internal:
        opportunity.awaiting_confirmation = False
        opportunity.confirmed_at = now
        opportunity.confirmed_via = Confirmation.INTERNAL
        opportunity.confirmed_by = user if getattr(user, "is_authenticated", False) else None
        return
    opportunity.claimed_amount = opportunity.amount
    opportunity.claimed_closed_on = opportunity.closed_on
    opportunity.claimed_at = now
    opportunity.awaiting_confirmation = True
    opportunity.confirmed_at = None
    opportunity.confirmed_via = None
    opportunity.confirmed_by = None


def record_unwin(opportunity: Opportunity) -> None:
    """A deal moved out of won (a correction by the channel team) is confirmed revenue no more."""
    opportunity.awaiting_confirmation = False
    opportunity.confirmed_at = None
    opportunity.confirmed_via = None
    opportunity.confirmed_by = None


def overdue_before(today: date | None = None) -> date:
    """Claims made before this day have waited longer than ``CLAIM_CONFIRMATION_DAYS``."""
    return (today or timezone.localdate()) - timedelta(days=settings.CLAIM_CONFIRMATION_DAYS)


def overdue_claims(queryset=None, today: date | None = None):
    """Unconfirmed claims older than the setting, oldest first (the channel team's list)."""
    queryset = Opportunity.objects.all() if queryset is None else queryset
    return queryset.filter(claim_q(), claimed_at__date__lt=overdue_before(today)).order_by("claimed_at", "id")


@transaction.atomic
def claim_confirm(*, opportunity: Opportunity, user, reason: str) -> Opportunity:
    """The channel team confirms a claim by hand, with a reason (audited): business the order system does not carry."""
    if role_of(user) != Role.CHANNEL:
        raise PermissionDenied(_("Only the channel team confirms a claim."))
    reason = (reason or "").strip()
    if message := validation.reason_error(reason, required=True, what=_("Say why this win is confirmed by hand.")):
        raise ValidationError({"reason": [message]})
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if opportunity.stage != Stage.WON:
        raise ValidationError({"stage": [_("Only a won deal can be confirmed.")]})
    if not opportunity.awaiting_confirmation:
        raise ValidationError({"awaiting_confirmation": [_("This win is already confirmed.")]})
    opportunity.awaiting_confirmation = False
    opportunity.confirmed_at = timezone.now()
    opportunity.confirmed_via = Confirmation.MANUAL
    opportunity.confirmed_by = user
    opportunity.confirmation_reason = reason
    opportunity._history_user = user
    opportunity._change_reason = "claim confirmed"
    opportunity.save()
    audit.record(
        audit_kinds.CLAIM_CONFIRMED, actor=user, target=opportunity,
        detail={"amount": opportunity.amount, "closed_on": opportunity.closed_on, "reason": reason},
    )  # fmt: skip
    return opportunity
