"""Manual adjustments (SPEC §4.3): a line the channel team adds to a run that is not approved, and
the amount of an accepted dispute, paid in the partner's next run.

An adjustment is a :class:`~commissions.models.ManualAdjustment` row, kept apart from the ledger.
Every computation of its run writes it as a ``manual`` payout line of the attempt
(:func:`manual_rows`, called by the settlement's chunks), so recomputing keeps it and a run's total
stays the sum of its lines; a partner with nothing but an adjustment still gets a statement
(:func:`partners_with_adjustments`). Added to a run that is already computed, it is also written
at once into the committed attempt (line, statement and run totals, in one transaction under the
run's lock), so the run shows it without a recomputation. Refused on an approved or paid run, and
while a run is being computed (its chunks may already have read the adjustments).

An accepted dispute's adjustment goes to the partner's next run: the earliest run after the
disputed line's period that is not approved; if there is none yet (or it is being computed), it
waits without a run and the next run to start computing after that period takes it
(:func:`claim_waiting`).

A manual line explains itself (the reason, who, when, and what it relates to); it points at the
approved line it corrects, if any. It is outside the rules: the corrections of later runs never
count it as paid (``kind = 'manual'``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from audit import kinds as audit_kinds
from ecosystem.periods import period_label
from ecosystem.roles import Role, role_of

from .calculation import cents
from .models import (
    LOCKED_STATUSES,
    LineKind,
    ManualAdjustment,
    PayoutLine,
    RunStatus,
    SettlementRun,
    Statement,
)

MAX_AMOUNT = Decimal("999999999999.99")
MAX_REASON = 2000


def parse_adjustment_amount(value) -> Decimal:
    """A non-zero amount, negative for a deduction, at most two decimals; ValueError with the reason."""
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value if value is not None else "").strip().replace(" ", "").replace("\u202f", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            amount = Decimal(text)
        except (InvalidOperation, ValueError) as error:
            raise ValueError(_("'%(value)s' is not an amount.") % {"value": value}) from error
    if not amount.is_finite():
        raise ValueError(_("'%(value)s' is not an amount.") % {"value": value})
    if amount == 0:
        raise ValueError(_("Give a non-zero amount (negative to deduct)."))
    if abs(amount) > MAX_AMOUNT:
        raise ValueError(_("The amount is too large."))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(_("The amount has more than two decimals."))
    return amount.quantize(Decimal("0.01"))


def adjustable_lines():
    """Lines an adjustment may relate to: lines of approved or paid runs (current attempt), which
    never change. A computed run's own lines are replaced at each computation: name the deal."""
    return PayoutLine.objects.filter(run__status__in=LOCKED_STATUSES, attempt=F("run__committed_attempt"))


def _reason(value: str, field: str = "reason") -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [_("Say why: the partner reads it on its statement.")]})
    if len(text) > MAX_REASON:
        raise ValidationError({field: [_("Keep it under %(n)s characters.") % {"n": MAX_REASON}]})
    return text


def _target(*, line, opportunity) -> tuple:
    """(partner id, opportunity id, line) the adjustment is about; the line's partner bears it."""
    if line is not None:
        if opportunity is not None and opportunity.pk != line.opportunity_id:
            raise ValidationError({"opportunity": [_("This deal is not the one of the line.")]})
        return line.partner_id, line.opportunity_id, line
    if opportunity is None:
        raise ValidationError({"line": [_("Name the approved line or the deal the adjustment is about.")]})
    if opportunity.partner_id is None:
        raise ValidationError({"opportunity": [_("This deal is direct business: no partner to pay.")]})
    return opportunity.partner_id, opportunity.pk, None


def _check_open(run: SettlementRun) -> None:
    if run.is_locked:
        raise ValidationError(
            {"run": [_("Settlement %(period)s is approved: it never changes. Add the adjustment to a later run.")
                     % {"period": period_label(run.period)}]}
        )  # fmt: skip
    if run.status == RunStatus.RUNNING:
        raise ValidationError(
            {"run": [_("Settlement %(period)s is being computed right now; add the adjustment once it is done.")
                     % {"period": period_label(run.period)}]}
        )  # fmt: skip


@transaction.atomic
def adjustment_create(
    *, run: SettlementRun, user, amount, reason: str, line=None, opportunity=None
) -> ManualAdjustment:
    """The channel team adds a manual line to a run that is not approved."""
    if role_of(user) != Role.CHANNEL:
        raise PermissionDenied(_("Only the channel team adds manual adjustments."))
    try:
        value = parse_adjustment_amount(amount)
    except ValueError as error:
        raise ValidationError({"amount": [str(error)]}) from error
    text = _reason(reason)
    if line is not None and not adjustable_lines().filter(pk=line.pk).exists():
        raise ValidationError({"line": [_("Only a line of an approved settlement can be named; name the deal.")]})
    partner_id, opportunity_id, line = _target(line=line, opportunity=opportunity)
    run = SettlementRun.objects.select_for_update().get(pk=run.pk)
    _check_open(run)
    adjustment = ManualAdjustment.objects.create(
        run=run, partner_id=partner_id, opportunity_id=opportunity_id, line=line, amount=value, reason=text,
        created_by=user,
    )  # fmt: skip
    _write_now(run, adjustment)
    audit.record(
        audit_kinds.MANUAL_ADJUSTMENT, actor=user, target=run, partner=partner_id,
        detail={
            "adjustment": adjustment.pk, "period": run.period, "amount": str(value), "reason": text[:200],
            "opportunity": opportunity_id, "line": getattr(line, "pk", None),
        },
    )  # fmt: skip
    return adjustment


def next_run_after(line: PayoutLine) -> SettlementRun | None:
    """The partner's next run for a correction of ``line``: the earliest run after the line's period
    that is not approved (None when there is none yet)."""
    return (
        SettlementRun.objects.filter(period_start__gt=line.run.period_end)
        .exclude(status__in=LOCKED_STATUSES)
        .order_by("period_start", "id")
        .first()
    )


def adjustment_for_dispute(*, dispute, amount: Decimal, user, resolution: str) -> ManualAdjustment:
    """An accepted dispute's amount as a manual adjustment of the line's partner, in its next run
    (or waiting for it). Call inside the dispute's transaction."""
    line = dispute.line
    run = next_run_after(line)
    if run is not None:
        run = SettlementRun.objects.select_for_update().get(pk=run.pk)
        if run.is_locked or run.status == RunStatus.RUNNING:
            run = None  # approved meanwhile, or its chunks may have read the adjustments already: wait
    adjustment = ManualAdjustment.objects.create(
        run=run, partner_id=line.partner_id, opportunity_id=line.opportunity_id, line=line, amount=amount,
        reason=resolution, dispute=dispute, created_by=user,
    )  # fmt: skip
    if run is not None:
        _write_now(run, adjustment)
    audit.record(
        audit_kinds.MANUAL_ADJUSTMENT, actor=user, target=run or dispute, partner=line.partner_id,
        detail={
            "adjustment": adjustment.pk, "period": run.period if run else None, "amount": str(amount),
            "dispute": dispute.pk, "line": line.pk,
        },
    )  # fmt: skip
    return adjustment


# --- The settlement's side ----------------------------------------------------------------------


def claim_waiting(run: SettlementRun) -> int:
    """Give ``run`` the accepted disputes' adjustments waiting for the partner's next run after their
    line's period — and those left in a failed run (it may never be computed again; if it is, it no
    longer pays them: one payment either way). Called when a computation of ``run`` starts, in the
    transaction that claims the run."""
    waiting = Q(run__isnull=True) | Q(run__status=RunStatus.FAILED, dispute__isnull=False)
    return (
        ManualAdjustment.objects.filter(waiting, line__run__period_end__lt=run.period_start)
        .exclude(run=run)
        .update(run=run)
    )


def partners_with_adjustments(run_id: int) -> list[int]:
    """Partners with a manual adjustment in the run: each gets a statement, even with nothing else."""
    return list(ManualAdjustment.objects.filter(run_id=run_id).values_list("partner_id", flat=True).distinct())


def explanation_parts(adjustment: ManualAdjustment) -> dict:
    """What the partner reads on the line (rendered by :mod:`.explaining`): what it is, why, who decided and
    when, and what it is about."""
    return {
        "kind": "manual", "by": adjustment.created_by.get_username(),
        "on": timezone.localdate(adjustment.created_at).isoformat(), "amount": cents(adjustment.amount),
        "reason": adjustment.reason, "dispute": adjustment.dispute_id, "deal": adjustment.opportunity_id,
        "corrects": adjustment.line_id, "corrects_period": adjustment.line.run.period if adjustment.line_id else "",
    }  # fmt: skip


def line_row_of(adjustment: ManualAdjustment, period: str) -> tuple:
    """The adjustment as a ledger row (``line_rows.LINE_COLUMNS`` after run and attempt)."""
    rule_id = adjustment.line.rule_id if adjustment.line_id else None
    return (
        adjustment.partner_id, adjustment.opportunity_id, rule_id, LineKind.MANUAL, period, Decimal("0"), None,
        None, "", adjustment.amount, explanation_parts(adjustment), adjustment.line_id,
    )  # fmt: skip


def manual_rows(run_id: int, period: str, partner_ids: list[int]) -> list[tuple]:
    """The ledger rows of the run's adjustments for a chunk's partners."""
    if not partner_ids:
        return []
    adjustments = (
        ManualAdjustment.objects.filter(run_id=run_id, partner_id__in=partner_ids)
        .select_related("created_by", "line__run")
        .order_by("id")
    )
    return [line_row_of(adjustment, period) for adjustment in adjustments]


def _write_now(run: SettlementRun, adjustment: ManualAdjustment) -> None:
    """Write the adjustment into the run's committed attempt (run locked by the caller): line,
    statement and run totals move together."""
    if run.committed_attempt is None:
        return  # never computed: its first computation writes it
    attempt = run.committed_attempt
    row = line_row_of(adjustment, run.period)
    fields = (
        "partner_id", "opportunity_id", "rule_id", "kind", "deal_period", "base_amount", "rate", "accelerator",
        "capped", "payout", "explanation_parts", "corrects_id",
    )  # fmt: skip
    PayoutLine.objects.create(run=run, attempt=attempt, **dict(zip(fields, row, strict=True)))
    statements = Statement.objects.filter(run=run, attempt=attempt, partner_id=adjustment.partner_id)
    if not statements.update(total=F("total") + adjustment.amount, line_count=F("line_count") + 1):
        Statement.objects.create(
            run=run, partner_id=adjustment.partner_id, attempt=attempt, total=adjustment.amount, line_count=1
        )
    SettlementRun.objects.filter(pk=run.pk).update(total=F("total") + adjustment.amount, line_count=F("line_count") + 1)


def review_marker(run: SettlementRun) -> tuple:
    """What changes whenever an adjustment is added to the run (for the approval review's token)."""
    found = ManualAdjustment.objects.filter(run=run).aggregate(last=Max("id"))
    return (found["last"] or 0,)


def waiting_for(run: SettlementRun):
    """Accepted disputes' adjustments that wait for a run after their line's period and would go
    into ``run`` at its next computation (none when it is approved)."""
    if run.is_locked:
        return ManualAdjustment.objects.none()
    return ManualAdjustment.objects.filter(run__isnull=True, line__run__period_end__lt=run.period_start)
