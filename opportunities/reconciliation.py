"""Bookings against claims (SPEC §4.2): which opportunity a booking confirms, and the queue for the rest.

A booking of the order system confirms the opportunity it matches instead of becoming a second
one: the opportunity its ``registration`` names (id or registration number), else the only
claimed or open opportunity of the same partner, account and product line that no booking
confirmed yet. The booked amount and date replace the claim's (the claim's stay beside them,
so the difference shows). A partner booking that matches none, or several, waits in the
reconciliation queue (:class:`QueuedBooking`) until the channel team links it to an
opportunity or creates one from it, with a reason (audited).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from audit import kinds as audit_kinds
from ecosystem.bulk import filter_any, insert_history
from ecosystem.roles import Role, role_of

from . import validation
from .models import (
    OPEN_STAGES,
    Confirmation,
    Opportunity,
    QueuedBooking,
    QueuedBookingReason,
    QueuedBookingStatus,
    Stage,
    claim_q,
)

#: What a booking sets on the opportunity it confirms (the order system is the reference).
BOOKED_FIELDS = ("account_id", "partner_id", "route", "product_line", "amount", "closed_on", "external_id")
#: Every column :func:`apply_booking` may change, for bulk writes.
WRITTEN_FIELDS = [*BOOKED_FIELDS, "stage", "registration_status", "awaiting_confirmation", "confirmed_at",
                  "confirmed_via", "updated_at"]  # fmt: skip


def apply_booking(opportunity: Opportunity, booking: dict, now) -> bool:
    """Make ``opportunity`` the won, booking-confirmed deal ``booking`` describes (not saved); whether it changed."""
    changed = False
    for name in BOOKED_FIELDS:
        if getattr(opportunity, name) != booking[name]:
            setattr(opportunity, name, booking[name])
            changed = True
    if opportunity.stage != Stage.WON:
        opportunity.stage = Stage.WON
        changed = True
    if opportunity.partner_id is None and opportunity.registration_status is not None:
        opportunity.registration_status = None
        changed = True
    if opportunity.awaiting_confirmation or opportunity.confirmed_via != Confirmation.BOOKING:
        opportunity.awaiting_confirmation = False
        opportunity.confirmed_at = opportunity.confirmed_at or now
        opportunity.confirmed_via = Confirmation.BOOKING
        changed = True
    if changed:
        opportunity.updated_at = now
    return changed


def matchable_q() -> Q:
    """Opportunities a booking may confirm: claimed or open, and confirmed by no booking yet."""
    return (claim_q() | Q(stage__in=OPEN_STAGES)) & Q(external_id__isnull=True, partner__isnull=False)


class Candidate(NamedTuple):
    """What matching reads of an opportunity (tuples, not model instances: an import matches 250,000)."""

    pk: int
    partner_id: int | None
    account_id: int
    product_line: str
    stage: str
    external_id: str | None
    awaiting_confirmation: bool
    confirmed_at: object
    registration_status: str | None

    @property
    def free(self) -> bool:
        """Claimed or open, and no booking's yet."""
        return self.external_id is None and (
            self.stage in OPEN_STAGES or (self.stage == Stage.WON and self.awaiting_confirmation)
        )


def _candidates(queryset):
    return (Candidate(*row) for row in queryset.values_list(*Candidate._fields).order_by("pk"))


@dataclass
class Matching:
    """For each booking (by its index in the rows): the opportunity it confirms, or why it waits."""

    confirms: dict[int, Candidate] = field(default_factory=dict)
    waits: dict[int, tuple[str, list[int]]] = field(default_factory=dict)  # index → (reason, candidate ids)


def match_bookings(rows: list[dict]) -> Matching:
    """Match partner bookings not yet known to the opportunities they confirm, in bulk (no query per row).

    Each row has ``partner_id``, ``account_id``, ``product_line`` and ``registration_id`` (or None).
    Rows are taken in order: an opportunity confirmed by one row is no candidate for the next.
    """
    result = Matching()
    named_ids = {row["registration_id"] for row in rows if row.get("registration_id")}
    named = {
        c.pk: c for queryset in filter_any(Opportunity.objects.all(), "id", named_ids) for c in _candidates(queryset)
    }
    account_ids = {row["account_id"] for row in rows if not row.get("registration_id")}
    candidates: dict[tuple, list[Candidate]] = defaultdict(list)
    for queryset in filter_any(Opportunity.objects.filter(matchable_q()), "account_id", account_ids):
        for candidate in _candidates(queryset):
            candidates[(candidate.partner_id, candidate.account_id, candidate.product_line)].append(candidate)
    taken: set[int] = set()
    for index, row in enumerate(rows):
        if registration_id := row.get("registration_id"):
            candidate = named.get(registration_id)
            if candidate is not None and candidate.pk not in taken and _fits(candidate, row):
                result.confirms[index] = candidate
                taken.add(candidate.pk)
            else:
                result.waits[index] = (QueuedBookingReason.REGISTRATION, [candidate.pk] if candidate else [])
            continue
        found = candidates.get((row["partner_id"], row["account_id"], row["product_line"]), ())
        free = [c for c in found if c.pk not in taken] if taken else list(found)
        if len(free) == 1:
            result.confirms[index] = free[0]
            taken.add(free[0].pk)
        elif free:
            result.waits[index] = (QueuedBookingReason.AMBIGUOUS, [c.pk for c in free[:20]])
        else:
            result.waits[index] = (QueuedBookingReason.UNMATCHED, [])
    return result


def _fits(candidate: Candidate, row: dict) -> bool:
    """The opportunity a registration names may take the booking: the same partner, account and line, still free."""
    return (
        candidate.partner_id == row["partner_id"]
        and candidate.account_id == row["account_id"]
        and candidate.product_line == row["product_line"]
        and candidate.free
    )


#: What confirming a matched opportunity changes: its partner, account and product line are the
#: booking's already (that is how it matched), so they are not rewritten.
CONFIRMED_FIELDS = ["route", "amount", "closed_on", "external_id", "stage", "awaiting_confirmation", "confirmed_at",
                    "confirmed_via", "updated_at"]  # fmt: skip


def confirmation_row(candidate: Candidate, booking: dict, now) -> tuple:
    """The pk and :data:`CONFIRMED_FIELDS` values of the opportunity ``booking`` confirms (what
    :func:`apply_booking` sets on it), for a bulk write."""
    return (
        candidate.pk, booking["route"], booking["amount"], booking["closed_on"], booking["external_id"],
        Stage.WON.value, False, candidate.confirmed_at or now, Confirmation.BOOKING.value, now,
    )  # fmt: skip


# --- The channel team's hand -----------------------------------------------------------------------


def _booking_dict(booking: QueuedBooking) -> dict:
    return {name: getattr(booking, name) for name in BOOKED_FIELDS}


def _resolve(*, booking: QueuedBooking, user, reason: str, opportunity: Opportunity, status: str) -> None:
    booking.status = status
    booking.opportunity = opportunity
    booking.resolved_by = user
    booking.resolved_at = timezone.now()
    booking.resolution_reason = reason
    booking.save()
    audit.record(
        audit_kinds.BOOKING_RECONCILED, actor=user, partner=booking.partner, target=opportunity,
        detail={"booking": booking.external_id, "outcome": status, "amount": booking.amount, "reason": reason},
    )  # fmt: skip


def _checked(*, booking: QueuedBooking, user, reason: str) -> tuple[QueuedBooking, str]:
    if role_of(user) != Role.CHANNEL:
        raise PermissionDenied(_("Only the channel team reconciles bookings."))
    reason = (reason or "").strip()
    if message := validation.reason_error(reason, required=True, what=_("Say why (it is kept in the audit trail).")):
        raise ValidationError({"reason": [message]})
    booking = QueuedBooking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != QueuedBookingStatus.WAITING:
        raise ValidationError({"status": [_("This booking was already reconciled.")]})
    return booking, reason


@transaction.atomic
def queued_booking_link(*, booking: QueuedBooking, opportunity: Opportunity, user, reason: str) -> Opportunity:
    """Link a waiting booking to one of its partner's opportunities, which it confirms (the booked figures win)."""
    booking, reason = _checked(booking=booking, user=user, reason=reason)
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if opportunity.partner_id != booking.partner_id:
        raise ValidationError(
            {"opportunity": [_("Choose an opportunity of the booking's partner, or create one from the booking.")]}
        )
    if opportunity.external_id is not None:
        raise ValidationError(
            {
                "opportunity": [
                    _("This opportunity is already confirmed by booking %(id)s.") % {"id": opportunity.external_id}
                ]
            }
        )
    now = timezone.now()
    apply_booking(opportunity, _booking_dict(booking), now)
    opportunity.confirmation_reason = reason
    opportunity.confirmed_by = user
    opportunity._history_user = user
    opportunity._change_reason = "booking linked"
    opportunity.save()
    _resolve(booking=booking, user=user, reason=reason, opportunity=opportunity, status=QueuedBookingStatus.LINKED)
    return opportunity


@transaction.atomic
def queued_booking_create(*, booking: QueuedBooking, user, reason: str) -> Opportunity:
    """Create the won, confirmed opportunity a waiting booking describes (no claim matched it)."""
    booking, reason = _checked(booking=booking, user=user, reason=reason)
    if Opportunity.objects.filter(external_id=booking.external_id).exists():
        raise ValidationError({"status": [_("An opportunity with this external id exists already.")]})
    now = timezone.now()
    opportunity = Opportunity(
        **_booking_dict(booking),
        stage=Stage.WON,
        confirmed_at=now,
        confirmed_via=Confirmation.BOOKING,
        confirmed_by=user,
        confirmation_reason=reason,
    )
    opportunity._history_user = user
    opportunity._change_reason = "created from a booking"
    opportunity.save()
    _resolve(booking=booking, user=user, reason=reason, opportunity=opportunity, status=QueuedBookingStatus.CREATED)
    return opportunity


def history_of_bookings(opportunities: list[Opportunity], *, user, reason: str) -> None:
    """History rows for opportunities a booking import just changed in bulk."""
    insert_history(
        Opportunity, key_field="id", keys=[o.pk for o in opportunities], history_type="~", user=user, reason=reason
    )
