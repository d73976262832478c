"""What a partner earned, told apart (SPEC §4.3 "Paid"): preliminary, approved but not paid, paid.

- **Preliminary**: its statements of computed runs not approved yet — figures that may still change,
  up to the day they were computed (or the period's end). The ones of runs inside the current
  quarter make "earned so far this quarter".
- **Approved, not paid yet**: its statements of approved runs.
- **Paid**: its statements paid, with the day and the reference of the payment.

Only the partner's own statements are read: nothing here is computed over other partners' data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from ecosystem.periods import quarter_of

from .carried import to_be_paid, with_carried
from .models import PARTNER_VISIBLE_STATUSES, RunStatus, Statement

ZERO = Decimal("0")
RECENTLY_PAID = 4


@dataclass(frozen=True)
class StatementFigure:
    statement_id: int
    period: str
    status: str
    total: Decimal
    figures_until: date | None = None
    paid_on: date | None = None
    payment_reference: str = ""
    #: What earlier negative totals take off the payment (0 or negative), and what is paid once they are.
    carried: Decimal = ZERO
    to_be_paid: Decimal | None = None


@dataclass
class Earnings:
    quarter: str
    this_quarter: Decimal | None  # None: no computed run of the current quarter yet
    this_quarter_until: date | None
    preliminary: list[StatementFigure] = field(default_factory=list)
    approved: list[StatementFigure] = field(default_factory=list)
    approved_total: Decimal = ZERO
    paid: list[StatementFigure] = field(default_factory=list)  # the latest few
    paid_this_year: Decimal = ZERO


def figures_until(run) -> date:
    """The day a run's figures stop at: its last day, or the day it was computed if earlier (preliminary)."""
    if run.figures_through is not None:
        return run.figures_through
    if run.computed_at is None:
        return run.period_end
    return min(run.period_end, timezone.localdate(run.computed_at))


def partner_earnings(partner_id: int, today: date) -> Earnings:
    """The partner's earnings apart, from its own statements (one query)."""
    quarter = quarter_of(today)
    statements = with_carried(
        Statement.objects.current()
        .filter(partner_id=partner_id, run__status__in=PARTNER_VISIBLE_STATUSES)
        .select_related("run")
        .order_by("-run__period_start", "-id")
    )
    result = Earnings(quarter=quarter.label, this_quarter=None, this_quarter_until=None)
    paid_this_year = ZERO
    for statement in statements:
        run = statement.run
        if run.status == RunStatus.COMPUTED:
            until = figures_until(run)
            result.preliminary.append(StatementFigure(statement.pk, run.period, run.status, statement.total, until))
            if quarter.start <= run.period_start and run.period_end <= quarter.end:
                result.this_quarter = (result.this_quarter or ZERO) + statement.total
                result.this_quarter_until = max(result.this_quarter_until or until, until)
        elif statement.paid_on is not None:  # paid, even while the rest of its run waits for payment
            figure = StatementFigure(
                statement.pk, run.period, run.status, statement.total, None, statement.paid_on,
                statement.payment_reference, statement.carried, to_be_paid(statement),
            )  # fmt: skip
            if len(result.paid) < RECENTLY_PAID:
                result.paid.append(figure)
            if statement.paid_on.year == today.year:
                paid_this_year += statement.total
        elif run.status == RunStatus.APPROVED:
            result.approved.append(
                StatementFigure(
                    statement.pk,
                    run.period,
                    run.status,
                    statement.total,
                    carried=statement.carried,
                    to_be_paid=to_be_paid(statement),
                )  # fmt: skip
            )
            result.approved_total += statement.total
    result.paid_this_year = paid_this_year
    return result
