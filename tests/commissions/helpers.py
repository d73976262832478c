"""Shared set-ups of the commission tests: runs computed and approved through the services."""

from datetime import date
from decimal import Decimal as D

from commissions import review, settlement
from commissions.models import PayoutLine, SettlementRun
from ecosystem.periods import parse_period

from ..factories import UserFactory

Q3_DAY = date(2026, 7, 15)


def run_for(period="2026-Q3", user=None) -> SettlementRun:
    """A queued run of ``period`` requested by ``user`` (recorded as its runner and a requester)."""
    p = parse_period(period)
    run = SettlementRun.objects.create(period=p.label, period_start=p.start, period_end=p.end, run_by=user)
    if user is not None:
        run.requesters.add(user)
    return run


def computed(period="2026-Q3", user=None) -> SettlementRun:
    run = run_for(period, user)
    settlement.settle_now(run.pk)
    run.refresh_from_db()
    return run


def approved(period="2026-Q3", runner=None, approver=None) -> SettlementRun:
    """Computed as ``runner`` (a channel user by default) and approved by ``approver`` (another manager)."""
    run = computed(period, runner or UserFactory(role="channel"))
    approver = approver or UserFactory(role="manager")
    settlement.settlement_approve(run=run, user=approver)
    run.refresh_from_db()
    return run


def current_lines(run):
    run.refresh_from_db()
    return PayoutLine.objects.filter(run=run, attempt=run.committed_attempt)


def money(value) -> D:
    return D(str(value))


def approve_body(run, **changes) -> dict:
    """What a reviewer sends back with an approval (API and page): the run's total and review token."""
    run.refresh_from_db()
    body = {"confirmed_total": str(run.total), "review_token": review.token_of(run), "acknowledge_exceptions": True}
    return {**body, **changes}


def approve_on_page(client, run, **changes):
    """Post the approval form of the review page as the client's user."""
    return client.post(f"/commissions/settlements/{run.pk}/approve/", approve_body(run, **changes))


def paid_body(**changes) -> dict:
    return {"paid_on": "2026-10-15", "payment_reference": "VIR-2026-10-01", **changes}


def plain(text: str) -> str:
    """Rendered words with their no-break spaces as spaces, to compare with a literal."""
    return text.replace("\xa0", " ")


def english(line) -> str:
    """A line's explanation (or an exception's reason) as an English reader reads it, no-break spaces as spaces."""
    from django.utils import translation

    with translation.override("en"):
        return plain(line.explanation if hasattr(line, "explanation_parts") else line.reason)


def comparable_rows(queryset, fields) -> list[tuple]:
    """``values_list(*fields)`` with JSON values (explanation parts) as canonical text: hashable and sortable."""
    import json

    return [
        tuple(json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value for value in row)
        for row in queryset.values_list(*fields)
    ]
