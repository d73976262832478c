"""Property: the lines and adjustments of a run do not depend on the chunk size (SPEC §4.1).

A settlement is split into chunks of partners (``SETTLEMENT_CHUNK_DEALS``) that workers compute
apart. Whatever the deals, the rules, the quotas and what happened to an approved quarter's deals
since (lost, moved to another partner, amount corrected, late wins), settling the next quarter
with one partner per chunk, two deals' worth per chunk or everything in one chunk writes the same
lines — commissions, adjustments and clawbacks, word for word — and the same statements. On both
engines (the SQL one on PostgreSQL). Failure 7 of issue 13 was such a dependence.
"""

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commissions import settlement
from commissions.models import PayoutLine, Quota, Statement
from opportunities.models import Stage

from ..factories import PartnerFactory, ProgramFactory, RuleFactory, UserFactory, won
from .helpers import approved, comparable_rows, run_for

pytestmark = pytest.mark.django_db

Q3_START = date(2026, 7, 1)
Q4_START = date(2026, 10, 1)
CHUNK_SIZES = (1, 2, 1_000_000)
LINE_FIELDS = (
    "partner_id", "opportunity_id", "rule_id", "kind", "deal_period", "base_amount", "rate", "accelerator", "capped",
    "payout", "explanation_parts", "corrects_id",
)  # fmt: skip

amounts = st.integers(10_000, 6_000_000).map(lambda cents: D(cents) / 100)


def _rules():
    program = ProgramFactory()
    RuleFactory(program=program, name="Base", rate=D("0.05"))
    RuleFactory(program=program, name="Security", priority=2, calculation="tiered", rate=None,
                tier_mode="retroactive", bands=[["0", "0.02"], ["40000", "0.06"]], product_lines=["security"],
                cap_per_period=D("1500"))  # fmt: skip
    RuleFactory(program=program, name="Gold bonus", stacking="bonus", calculation="tiered", rate=None,
                bands=[["0", "0.01"], ["20000", "0.02"]], partner_tiers=["gold"])  # fmt: skip
    RuleFactory(program=program, name="Quota bonus", stacking="bonus", calculation="flat", rate=None,
                flat_amount=D("100"), accelerator_threshold=D("0.5"), accelerator_multiplier=D("2"))  # fmt: skip


def _deal(data, partners, start, days):
    return (
        data.draw(st.sampled_from(partners)),
        data.draw(amounts),
        start + timedelta(days=data.draw(st.integers(0, days))),
        data.draw(st.sampled_from(["ai", "security"])),
    )


def _lines_and_statements(run):
    run.refresh_from_db()
    lines = Counter(comparable_rows(PayoutLine.objects.filter(run=run, attempt=run.committed_attempt), LINE_FIELDS))
    statements = sorted(Statement.objects.current().filter(run=run).values_list("partner_id", "total", "line_count"))
    return lines, statements


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_lines_and_adjustments_do_not_depend_on_the_chunk_size(engine, data):
    with transaction.atomic():
        partners = [
            PartnerFactory(tier=data.draw(st.sampled_from(["gold", "silver"])))
            for _ in range(data.draw(st.integers(2, 5)))
        ]
        _rules()
        for partner in partners:
            if data.draw(st.booleans()):
                Quota.objects.create(partner=partner, period="2026-Q3", amount=data.draw(amounts))
            if data.draw(st.booleans()):
                Quota.objects.create(partner=partner, period="2026-Q4", amount=data.draw(amounts))
        q3_deals = []
        for _ in range(data.draw(st.integers(1, 8))):
            partner, amount, closed_on, line = _deal(data, partners, Q3_START, 91)
            q3_deals.append(won(partner, amount, closed_on, product_line=line))
        approved("2026-Q3")
        # What happens to the approved quarter's deals afterwards.
        for deal in q3_deals:
            change = data.draw(st.sampled_from(["keep", "lost", "moved", "amount", "moved and amount"]))
            if change == "lost":
                deal.stage = Stage.LOST
            if "moved" in change:
                deal.partner = data.draw(st.sampled_from(partners))
            if "amount" in change:
                deal.amount = data.draw(amounts)
            deal.save()
        for _ in range(data.draw(st.integers(0, 3))):  # late wins of Q3
            partner, amount, closed_on, line = _deal(data, partners, Q3_START, 91)
            won(partner, amount, closed_on, product_line=line)
        for _ in range(data.draw(st.integers(0, 5))):  # Q4's own deals
            partner, amount, closed_on, line = _deal(data, partners, Q4_START, 91)
            won(partner, amount, closed_on, product_line=line)

        q4 = run_for("2026-Q4", UserFactory(role="channel"))
        results = []
        for chunk_deals in CHUNK_SIZES:
            settlement.settle_now(q4.pk, chunk_deals=chunk_deals)
            results.append(_lines_and_statements(q4))
        assert results[0] == results[1] == results[2]
        transaction.set_rollback(True)
