"""The SQL engine (commissions/sql_calculation.py) pays exactly what the pure reference module pays.

Each case settles the same run twice — every line through the pure module, then through
PostgreSQL — and compares every line (deal, rule, base, rate, accelerator, cap, payout, the
explanation parts, identical) and every exception. The generated cases draw rules and deals at
random (percent, flat, marginal and retroactive tiers, caps, accelerators, conditions, dates,
priorities, bonus stacking) from fixed seeds, so a failure is reproducible.
"""

import json
import random
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection

from commissions import settlement
from commissions.models import PayoutLine, Quota, SettlementException
from ecosystem.choices import ProductLine, Region, Sector
from opportunities.models import RegistrationStatus
from partners.models import PartnerKind, PartnerTier

from ..factories import AccountFactory, OpportunityFactory, PartnerFactory, ProgramFactory, RuleFactory, won
from .helpers import approved, comparable_rows, plain, run_for

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL engine runs on PostgreSQL only"),
]

Q3_START, Q3_END = date(2026, 7, 1), date(2026, 9, 30)
LINE_FIELDS = (
    "partner_id", "opportunity_id", "rule_id", "kind", "deal_period", "base_amount", "rate", "accelerator", "capped",
    "payout", "explanation_parts", "corrects_id",
)  # fmt: skip


def _settle(run, settings, *, sql: bool):
    settings.SETTLEMENT_SQL_ENGINE = sql
    assert settlement.uses_sql_engine() is sql
    settlement.settle_now(run.pk, chunk_deals=40)  # several chunks
    run.refresh_from_db()
    lines = sorted(comparable_rows(PayoutLine.objects.filter(run=run, attempt=run.committed_attempt), LINE_FIELDS))
    exceptions = sorted(
        comparable_rows(
            SettlementException.objects.filter(run=run, attempt=run.committed_attempt),
            ("partner_id", "opportunity_id", "reason_parts"),
        )
    )
    return lines, exceptions, run.total


def words(stored: str) -> str:
    """Stored parts (as compared, JSON text) rendered for an English reader."""
    from django.utils import translation

    from commissions.explaining import render

    with translation.override("en"):
        return plain(render(json.loads(stored)))


def line_words(line: tuple) -> str:
    """A compared line (``LINE_FIELDS``) rendered for an English reader: its stored parts with the steps its
    columns say (commissions/line_parts.py)."""
    from commissions.line_parts import expand

    base_amount, rate, capped, payout, stored = line[5], line[6], line[8], line[9], line[10]
    return words(json.dumps(expand(json.loads(stored), base_amount, rate, capped, payout)))


def assert_engines_agree(settings, period="2026-Q3"):
    run = run_for(period)
    reference = _settle(run, settings, sql=False)
    fast = _settle(run, settings, sql=True)
    only_fast = [line for line in fast[0] if line not in reference[0]]
    only_reference = [line for line in reference[0] if line not in fast[0]]
    assert (only_fast, only_reference) == ([], [])
    assert fast[1] == reference[1]
    assert fast[2] == reference[2]
    return reference


def test_hand_written_rules_agree(settings):
    gold = PartnerFactory(tier="gold", kind="reseller")
    silver = PartnerFactory(tier="silver", kind="integrator")
    select, other = AccountFactory(is_select=True, sector="banking"), AccountFactory(is_select=False)
    program = ProgramFactory()
    RuleFactory(program=program, name="Base", rate=D("0.05"))
    RuleFactory(program=program, name="Select", priority=8, rate=D("0.0825"), select_only="yes", cap_per_deal=D("900"))
    RuleFactory(program=program, name="Flat", priority=9, calculation="flat", rate=None, flat_amount=D("150.55"),
                product_lines=["security"])  # fmt: skip
    RuleFactory(program=program, name="Bonus", stacking="bonus", rate=D("0.01"), partner_tiers=["gold"],
                accelerator_threshold=D("0.5"), accelerator_multiplier=D("1.5"))  # fmt: skip
    RuleFactory(program=program, name="Marginal", priority=7, calculation="tiered", rate=None, tier_mode="marginal",
                bands=[["0", "0.02"], ["20000", "0.04"]], sectors=["banking"])  # fmt: skip
    RuleFactory(program=program, name="Capped", stacking="bonus", rate=D("0.03"), partner_kinds=["integrator"],
                cap_per_period=D("500"))  # fmt: skip
    RuleFactory(program=program, name="Registered", priority=3, rate=D("0.06"), registration_required=True,
                min_amount=D("1000"), max_amount=D("50000"), valid_from=date(2026, 8, 1))  # fmt: skip
    Quota.objects.create(partner=gold, period="2026-Q3", amount=D("20000"))
    for day, amount, account, line in [
        (date(2026, 7, 2), "12345.67", select, "ai"),
        (date(2026, 7, 3), "15000.00", select, "ai"),
        (date(2026, 8, 9), "999.99", other, "security"),
        (date(2026, 9, 30), "40000.05", other, "data"),
        (date(2026, 8, 1), "0.01", other, "ai"),
    ]:
        won(gold, amount, day, account=account, product_line=line)
        won(silver, amount, day, account=account, product_line=line)
    _won(silver, "3000", date(2026, 8, 2), account=other, registration_status=RegistrationStatus.PENDING)
    lines, exceptions, total = assert_engines_agree(settings)
    assert len(lines) > 15 and total > 0
    assert any("accelerator × 1.5" in line_words(line) for line in lines)
    assert any("capped at 900.00 € per deal" in line_words(line) for line in lines)


def test_no_rule_pays_agree(settings):
    partner = PartnerFactory()
    RuleFactory(rate=D("0.05"), product_lines=["security"])
    won(partner, "1000", date(2026, 7, 10), product_line="ai")
    lines, exceptions, _ = assert_engines_agree(settings)
    assert lines == [] and len(exceptions) == 1
    assert "product line AI (watsonx, Granite, Orchestrate) not in Security" in words(exceptions[0][2])


def test_adjustments_and_clawbacks_agree(settings):
    """Q3 approved, then its deals change: Q4's adjustment lines are the same through both engines."""
    gold, silver = PartnerFactory(tier="gold"), PartnerFactory(tier="silver", kind="reseller")
    program = ProgramFactory()
    base = RuleFactory(program=program, name="Base", rate=D("0.05"))
    tiered = RuleFactory(program=program, name="Tiered", priority=2, calculation="tiered", rate=None,
                         tier_mode="retroactive", bands=[["0", "0.03"], ["30000", "0.06"]],
                         partner_tiers=["silver"])  # fmt: skip
    lost = won(gold, "10000", date(2026, 7, 5))
    changed = won(silver, "25000", date(2026, 8, 5))
    won(silver, "4000", date(2026, 8, 6))
    kept = won(gold, "777.77", date(2026, 9, 1))
    moved = won(silver, "8000", date(2026, 7, 20))
    approved("2026-Q3")
    lost.stage = "lost"
    lost.save()
    moved.partner = gold  # still won, now gold's: clawed back from silver, owed to gold
    moved.save()
    changed.amount = D("31000.10")
    changed.save()
    won(gold, "5000", date(2026, 9, 20))  # a late win of Q3
    RuleFactory(program=program, name="New bonus", stacking="bonus", rate=D("0.002"), valid_from=date(2026, 9, 1))
    won(gold, "1000", date(2026, 10, 5))  # Q4's own deal
    lines, _, _ = assert_engines_agree(settings, "2026-Q4")
    texts = [line_words(line) for line in lines]
    assert any(text.startswith("Clawback for 2026-Q3") for text in texts)
    assert any("newly owed" in text for text in texts)
    assert any("amount or rule changed" in text for text in texts)
    moved_lines = {(line[0], line[2]): line[9] for line in lines if line[1] == moved.pk}
    assert moved_lines[(silver.pk, tiered.pk)] < 0 and moved_lines[(gold.pk, base.pk)] > 0
    assert not any(line[1] == kept.pk and line[3] == "adjustment" and "Base" in line_words(line) for line in lines)


def _won(partner, amount, closed_on, **kwargs):
    return OpportunityFactory(partner=partner, amount=D(str(amount)), stage="won", closed_on=closed_on, **kwargs)


def _money(rng, low, high) -> D:
    return D(rng.randint(int(low * 100), int(high * 100))) / 100


def _random_rule(rng, program, index):
    def some(values):
        return rng.sample(values, rng.randint(1, 2)) if rng.random() < 0.3 else []

    calculation = rng.choice(["percent", "percent", "flat", "tiered"])
    fields = {
        "program": program, "name": f"R{index}", "priority": rng.randint(0, 3),
        "stacking": "bonus" if rng.random() < 0.25 else "base", "calculation": calculation,
        "partner_tiers": some(PartnerTier.values), "partner_kinds": some(PartnerKind.values),
        "product_lines": some(ProductLine.values), "sectors": some(Sector.values), "regions": some(Region.values),
        "select_only": rng.choice(["any", "any", "yes", "no"]), "registration_required": rng.random() < 0.2,
        "rate": D(rng.randint(0, 150_000)) / 1_000_000 if calculation == "percent" else None,
        "flat_amount": _money(rng, 0, 2000) if calculation == "flat" else None,
        "tier_mode": rng.choice(["marginal", "retroactive"]),
        "bands": [["0", "0.01"], [str(_money(rng, 1000, 60000)), "0.035"], ["90000", "0.0575"]]
        if calculation == "tiered" else [],
    }  # fmt: skip
    if rng.random() < 0.3:
        fields["min_amount"] = _money(rng, 0, 5000)
    if rng.random() < 0.2:
        fields["max_amount"] = _money(rng, 20000, 90000)
    if rng.random() < 0.3:
        fields["cap_per_deal"] = _money(rng, 10, 3000)
    if rng.random() < 0.2:
        fields["cap_per_period"] = _money(rng, 100, 9000)
    if rng.random() < 0.3:
        fields["accelerator_threshold"] = D(rng.randint(1, 150)) / 100
        fields["accelerator_multiplier"] = D(rng.randint(10_000, 25_000)) / 10_000
    if rng.random() < 0.2:
        fields["valid_from"] = Q3_START + timedelta(days=rng.randint(0, 60))
    if rng.random() < 0.2:
        fields["valid_to"] = Q3_END - timedelta(days=rng.randint(0, 30))
        fields["valid_from"] = min(fields.get("valid_from", Q3_START), fields["valid_to"])
    return RuleFactory(**fields)


@pytest.mark.parametrize("seed", range(8))
def test_generated_rules_and_deals_agree(settings, seed):
    rng = random.Random(seed)
    partners = [
        PartnerFactory(tier=rng.choice(PartnerTier.values), kind=rng.choice(PartnerKind.values)) for _ in range(5)
    ]
    accounts = [
        AccountFactory(sector=rng.choice(Sector.values), region=rng.choice(Region.values), is_select=rng.random() < 0.5)
        for _ in range(8)
    ]
    program = ProgramFactory()
    for index in range(rng.randint(3, 14)):
        _random_rule(rng, program, index)
    for partner in partners[:3]:
        Quota.objects.create(partner=partner, period="2026-Q3", amount=_money(rng, 1000, 200_000))
    for _ in range(60):
        _won(
            rng.choice(partners), _money(rng, 0.01, 120_000), Q3_START + timedelta(days=rng.randint(0, 91)),
            account=rng.choice(accounts), product_line=rng.choice(ProductLine.values),
            registration_status=rng.choice([RegistrationStatus.APPROVED, RegistrationStatus.PENDING]),
        )  # fmt: skip
    lines, exceptions, _ = assert_engines_agree(settings)
    assert lines or exceptions


def test_a_rule_name_with_quotes_and_backslashes_is_stored_alike(settings):
    """PostgreSQL writes a line's parts as JSON text: the rule's name must be escaped as Python's json does."""
    partner = PartnerFactory(tier="gold")
    program = ProgramFactory()
    RuleFactory(program=program, name='Prime « spéciale » "select" \\ 5 %', rate=D("0.05"), cap_per_deal=D("100"),
                accelerator_threshold=D("0.5"), accelerator_multiplier=D("1.5"))  # fmt: skip
    Quota.objects.create(partner=partner, period="2026-Q3", amount=D("1000"))
    won(partner, "5000.00", date(2026, 7, 3), account=AccountFactory())
    lines, _, _ = assert_engines_agree(settings)
    assert line_words(lines[0]).startswith('Prime « spéciale » "select" \\ 5 %: 5,000.00 € × 5 % = 250.00 €')
