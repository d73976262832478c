"""Deal-registration conflicts (SPEC §3): who else holds this account or this deal.

A registration conflicts when **another partner** holds

- an *open* registration on the same account and product line: pending, or approved and
  still protected (``protected_until`` today or later), on a deal that is not closed —
  a won or lost deal, a rejected or expired registration protects nobody any more; or
- the account's open primary assignment.

Conflicts are flagged for the channel team (``has_conflict``) and shown to it side by
side; the partners involved never learn of each other.
"""

from collections import defaultdict
from datetime import date

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Assignment, AssignmentRole

from .models import OPEN_STAGES, Opportunity, RegistrationStatus


def open_registration_q(today: date) -> Q:
    """Registrations that still hold their account and product line for their partner."""
    return Q(stage__in=OPEN_STAGES, partner__isnull=False) & (
        Q(registration_status=RegistrationStatus.PENDING)
        | (
            Q(registration_status=RegistrationStatus.APPROVED)
            & (Q(protected_until__isnull=True) | Q(protected_until__gte=today))
        )
    )


def conflicting_registrations(opportunity: Opportunity, today: date | None = None):
    """Other partners' open registrations on the same account and product line."""
    today = today or timezone.localdate()
    queryset = Opportunity.objects.filter(
        open_registration_q(today), account_id=opportunity.account_id, product_line=opportunity.product_line
    )
    if opportunity.partner_id is not None:
        queryset = queryset.exclude(partner_id=opportunity.partner_id)
    if opportunity.pk is not None:
        queryset = queryset.exclude(pk=opportunity.pk)
    return queryset.select_related("partner").order_by("created_at", "id")


def conflicting_assignment(opportunity: Opportunity) -> Assignment | None:
    """Another partner's open primary assignment on the account, if any."""
    queryset = Assignment.objects.open().filter(account_id=opportunity.account_id, role=AssignmentRole.PRIMARY)
    if opportunity.partner_id is not None:
        queryset = queryset.exclude(partner_id=opportunity.partner_id)
    return queryset.select_related("partner").first()


def has_conflict(opportunity: Opportunity, today: date | None = None) -> bool:
    return conflicting_registrations(opportunity, today).exists() or conflicting_assignment(opportunity) is not None


def conflicts_for(opportunities, today: date | None = None) -> dict[int, dict]:
    """The conflicting records of many registrations at once (two queries), keyed by opportunity id.

    Each value is ``{"registrations": [...], "assignment": Assignment | None}``.
    """
    opportunities = list(opportunities)
    today = today or timezone.localdate()
    if not opportunities:
        return {}
    account_ids = {o.account_id for o in opportunities}
    lines = {o.product_line for o in opportunities}
    by_pair = defaultdict(list)
    others = (
        Opportunity.objects.filter(open_registration_q(today), account_id__in=account_ids, product_line__in=lines)
        .select_related("partner")
        .order_by("created_at", "id")
    )
    for other in others:
        by_pair[(other.account_id, other.product_line)].append(other)
    primaries = {
        a.account_id: a
        for a in Assignment.objects.open()
        .filter(account_id__in=account_ids, role=AssignmentRole.PRIMARY)
        .select_related("partner")
    }
    result = {}
    for o in opportunities:
        registrations = [
            other
            for other in by_pair[(o.account_id, o.product_line)]
            if other.pk != o.pk and other.partner_id != o.partner_id
        ]
        assignment = primaries.get(o.account_id)
        if assignment is not None and assignment.partner_id == o.partner_id:
            assignment = None
        result[o.pk] = {"registrations": registrations, "assignment": assignment}
    return result


def describe_conflict(found: dict) -> str:
    """What one registration conflicts with, in words for the channel team ("" when nothing); ``found``
    is one value of :func:`conflicts_for`. Never shown to a partner."""
    parts = [
        _("registration #%(id)s of %(partner)s") % {"id": other.pk, "partner": other.partner.name}
        for other in found["registrations"]
    ]
    if found["assignment"] is not None:
        parts.append(_("the primary assignment of %(partner)s") % {"partner": found["assignment"].partner.name})
    return ", ".join(parts)


def conflict_q(today: date) -> Q:
    """The same rule as :func:`conflicts_for`, as a condition on the registration's own row.

    For set-based updates: true when another partner holds an open registration on the
    row's account and product line, or the account's open primary assignment.
    """
    other_registrations = (
        Opportunity.objects.filter(
            open_registration_q(today), account_id=OuterRef("account_id"), product_line=OuterRef("product_line")
        )
        .exclude(partner_id=OuterRef("partner_id"))
        .exclude(pk=OuterRef("pk"))
    )
    other_primary = (
        Assignment.objects.open()
        .filter(account_id=OuterRef("account_id"), role=AssignmentRole.PRIMARY)
        .exclude(partner_id=OuterRef("partner_id"))
    )
    return Q(Exists(other_registrations)) | Q(Exists(other_primary))


def _refresh_pending(pending, today: date) -> None:
    """Two UPDATEs: flag the pending registrations that conflict, clear those that no longer do.

    The flag is the channel team's triage marker, not a business change: it is written
    without a history row and without touching ``updated_at``, so the partners involved
    see nothing move on their side when another partner's registration or an assignment
    comes or goes.
    """
    condition = conflict_q(today)
    pending.filter(condition, has_conflict=False).update(has_conflict=True)
    pending.filter(~condition, has_conflict=True).update(has_conflict=False)


def refresh_conflict_flags(pairs, today: date | None = None) -> None:
    """Recompute ``has_conflict`` of the pending registrations on these (account, product line) pairs."""
    today = today or timezone.localdate()
    pairs = set(pairs)
    if not pairs:
        return
    condition = Q()
    for account_id, line in pairs:
        condition |= Q(account_id=account_id, product_line=line)
    _refresh_pending(Opportunity.objects.filter(condition, registration_status=RegistrationStatus.PENDING), today)


ACCOUNT_BATCH = 5000


def refresh_account_conflict_flags(account_ids, today: date | None = None) -> None:
    """Recompute ``has_conflict`` of every pending registration on these accounts.

    Called in the transaction that changes the accounts' assignments (a new, ended or
    replaced primary makes or unmakes conflicts): two UPDATEs per 5,000 accounts,
    whatever the number of registrations, so the stored flag that orders the channel
    team's queue matches what :func:`conflicts_for` shows.
    """
    today = today or timezone.localdate()
    account_ids = sorted(set(account_ids))
    for start in range(0, len(account_ids), ACCOUNT_BATCH):
        chunk = account_ids[start : start + ACCOUNT_BATCH]
        pending = Opportunity.objects.filter(account_id__in=chunk, registration_status=RegistrationStatus.PENDING)
        _refresh_pending(pending, today)
