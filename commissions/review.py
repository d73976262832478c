"""Approval as a review (SPEC §4.3): what a manager sees before approving a run, and the approval
that holds them to it.

:func:`run_review` gathers, for a computed run: its total against the previous period's run, its
lines, partners, adjustments, clawbacks and manual lines (count and sum each), the biggest changes
per partner against the previous period, the exceptions (won deals no rule pays), the open
disputes, quotas changed since the computation and accepted disputes' adjustments still waiting,
and a **review token** that changes whenever the run's figures may have (a recomputation, a manual
adjustment).

:func:`settlement_approve_reviewed` is how the pages and the API approve: the reviewer sends back
the total they saw and the token of the review they read, and acknowledges the exceptions if
there are any; a run recomputed or adjusted since is refused, as is a total that is not the run's.
Then :func:`commissions.settlement.settlement_approve` (manager, four eyes) approves.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

import audit
from audit import kinds as audit_kinds
from ecosystem.periods import parse_period, period_label
from ecosystem.roles import Role, role_of

from . import adjusting, settlement
from .calculation import euros
from .models import (
    Dispute,
    DisputeStatus,
    LineKind,
    ManualAdjustment,
    PayoutLine,
    Quota,
    RunStatus,
    SettlementException,
    SettlementRun,
    Statement,
)

ZERO = Decimal("0")
BIGGEST = 10
SAMPLE = 10


@dataclass(frozen=True)
class Figure:
    count: int = 0
    total: Decimal = ZERO


@dataclass(frozen=True)
class PartnerChange:
    partner_id: int
    name: str
    siren: str
    total: Decimal
    previous: Decimal
    change: Decimal


@dataclass
class Review:
    run: SettlementRun
    previous: SettlementRun | None
    token: str
    total: Decimal
    previous_total: Decimal | None
    change: Decimal | None
    change_ratio: Decimal | None  # change / previous total; None without a previous total
    partners: int
    previous_partners: int | None
    commission: Figure
    adjustments: Figure  # positive adjustment lines (amount corrected up, late wins)
    clawbacks: Figure  # negative adjustment lines
    manual: Figure
    biggest_changes: list[PartnerChange] = field(default_factory=list)
    exception_count: int = 0
    exceptions: list = field(default_factory=list)
    open_dispute_count: int = 0
    open_disputes: list = field(default_factory=list)
    manual_adjustments: list = field(default_factory=list)  # the first few: amount, reason, who
    quotas_changed: int = 0  # quotas of the period changed after the computation
    waiting_adjustments: int = 0  # accepted disputes' adjustments that a recomputation would add

    @property
    def needs_acknowledgement(self) -> bool:
        return self.exception_count > 0


def token_of(run: SettlementRun) -> str:
    """Changes whenever the run's figures may have: another attempt, another total or line count,
    other exceptions, another manual adjustment."""
    parts = (
        run.pk, run.status, run.committed_attempt, run.total, run.line_count, run.exception_count,
        *adjusting.review_marker(run),
    )  # fmt: skip
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def previous_run(run: SettlementRun) -> SettlementRun | None:
    """The run of the period just before (a quarter's quarter, a month's month), if it was computed."""
    label = parse_period(run.period).previous().label
    return (
        SettlementRun.objects.filter(period=label, committed_attempt__isnull=False)
        .exclude(status=RunStatus.FAILED)
        .first()
    )


def _kind_figures(run: SettlementRun) -> dict[str, Figure]:
    rows = (
        PayoutLine.objects.filter(run=run, attempt=run.committed_attempt)
        .values("kind")
        .annotate(
            n=Count("id"),
            total=Sum("payout"),
            up=Count("id", filter=Q(payout__gt=0)),
            up_total=Sum("payout", filter=Q(payout__gt=0)),
            down=Count("id", filter=Q(payout__lt=0)),
            down_total=Sum("payout", filter=Q(payout__lt=0)),
        )
        .order_by()
    )
    figures = {}
    for row in rows:
        if row["kind"] == LineKind.ADJUSTMENT:
            figures["adjustments"] = Figure(row["up"], row["up_total"] or ZERO)
            figures["clawbacks"] = Figure(row["down"], row["down_total"] or ZERO)
        else:
            figures[row["kind"]] = Figure(row["n"], row["total"] or ZERO)
    return figures


def _partner_totals(run: SettlementRun | None) -> dict[int, Decimal]:
    if run is None or run.committed_attempt is None:
        return {}
    return dict(Statement.objects.filter(run=run, attempt=run.committed_attempt).values_list("partner_id", "total"))


def _biggest_changes(current: dict[int, Decimal], previous: dict[int, Decimal]) -> list[PartnerChange]:
    from partners.models import Partner

    changes = {
        partner_id: current.get(partner_id, ZERO) - previous.get(partner_id, ZERO)
        for partner_id in set(current) | set(previous)
    }
    top = sorted((pid for pid, change in changes.items() if change), key=lambda pid: (-abs(changes[pid]), pid))
    top = top[:BIGGEST]
    partners = {p.pk: p for p in Partner.objects.filter(pk__in=top).only("name", "siren")}
    return [
        PartnerChange(
            partner_id=pid,
            name=partners[pid].name,
            siren=partners[pid].siren,
            total=current.get(pid, ZERO),
            previous=previous.get(pid, ZERO),
            change=changes[pid],
        )  # fmt: skip
        for pid in top
        if pid in partners
    ]


def run_review(run: SettlementRun) -> Review:
    """Everything the approval review shows, for a run with a committed attempt (a few grouped queries)."""
    previous = previous_run(run)
    figures = _kind_figures(run)
    current_totals, previous_totals = _partner_totals(run), _partner_totals(previous)
    previous_total = previous.total if previous is not None else None
    change = run.total - previous_total if previous_total is not None else None
    ratio = (change / previous_total) if change is not None and previous_total else None
    exceptions = (
        SettlementException.objects.filter(run=run, attempt=run.committed_attempt)
        .select_related("partner", "opportunity__account")
        .order_by("partner__name", "opportunity_id")
    )
    disputes = (
        Dispute.objects.exclude(status=DisputeStatus.RESOLVED)
        .select_related("line__run", "line__partner", "line__opportunity__account")
        .order_by("created_at", "id")
    )
    quotas_changed = 0
    if run.computed_at is not None:
        quotas_changed = (
            Quota.history.filter(period=run.period, history_date__gt=run.computed_at).values("id").distinct().count()
        )
    return Review(
        run=run,
        previous=previous,
        token=token_of(run),
        total=run.total,
        previous_total=previous_total,
        change=change,
        change_ratio=ratio,
        partners=len(current_totals),
        previous_partners=len(previous_totals) if previous is not None else None,
        commission=figures.get(LineKind.COMMISSION, Figure()),
        adjustments=figures.get("adjustments", Figure()),
        clawbacks=figures.get("clawbacks", Figure()),
        manual=figures.get(LineKind.MANUAL, Figure()),
        biggest_changes=_biggest_changes(current_totals, previous_totals),
        exception_count=run.exception_count,
        exceptions=list(exceptions[:SAMPLE]),
        open_dispute_count=disputes.count(),
        open_disputes=list(disputes[:SAMPLE]),
        manual_adjustments=list(
            ManualAdjustment.objects.filter(run=run).select_related("partner", "created_by").order_by("id")[:SAMPLE]
        ),
        quotas_changed=quotas_changed,
        waiting_adjustments=adjusting.waiting_for(run).count(),
    )


@transaction.atomic
def settlement_approve_reviewed(
    *, run: SettlementRun, user, confirmed_total: Decimal | None, review_token: str, acknowledge_exceptions: bool
) -> SettlementRun:
    """Approve ``run`` as reviewed: the total the reviewer confirms is the run's, the run has not
    changed since the review they read (same token), and its exceptions are acknowledged."""
    if role_of(user) != Role.MANAGER:
        raise PermissionDenied(_("Only a manager approves settlements."))
    run = SettlementRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.COMPUTED:
        return settlement.settlement_approve(run=run, user=user)  # refuses, saying why
    errors: dict[str, list[str]] = {}
    if review_token != token_of(run):
        errors["review_token"] = [
            _("Settlement %(period)s changed since you reviewed it (recomputed or adjusted): review it again.")
            % {"period": period_label(run.period)}
        ]
    elif confirmed_total is None:
        errors["confirmed_total"] = [_("Confirm the total you reviewed.")]
    elif confirmed_total != run.total:
        errors["confirmed_total"] = [
            _("You confirmed %(confirmed)s but the run's total is %(total)s: check the review again.")
            % {"confirmed": euros(confirmed_total), "total": euros(run.total)}
        ]
    if run.exception_count and not acknowledge_exceptions:
        errors["acknowledge_exceptions"] = [
            _(
                "%(n)s won deals of this run are paid by no rule (exceptions): acknowledge them to approve, "
                "or settle them first."
            )
            % {"n": run.exception_count}
        ]
    if errors:
        raise ValidationError(errors)
    previous = previous_run(run)
    audit.record(
        audit_kinds.SETTLEMENT_REVIEWED, actor=user, target=run,
        detail={
            "period": run.period, "confirmed_total": str(confirmed_total),
            "previous_total": str(previous.total) if previous is not None else None,
            "exceptions_acknowledged": run.exception_count if acknowledge_exceptions else 0,
            "open_disputes": Dispute.objects.exclude(status=DisputeStatus.RESOLVED).count(),
        },
    )  # fmt: skip
    return settlement.settlement_approve(run=run, user=user)
