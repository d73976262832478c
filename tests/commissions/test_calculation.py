"""The pure commission arithmetic, against hand-computed cases and with hypothesis properties."""

import random
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commissions.calculation import Band, Deal, Rule, calculate, euros, marginal_portions, to_cent


def deal(id, amount, day=1, partner=1, **kwargs):
    defaults = {
        "product_line": "ai",
        "partner_tier": "gold",
        "partner_kind": "integrator",
        "sector": "luxury",
        "region": "ile_de_france",
        "is_select": True,
        "registration_approved": True,
    }
    defaults.update(kwargs)
    return Deal(id=id, partner_id=partner, amount=D(str(amount)), closed_on=date(2026, 7, day), **defaults)


def pct(id, rate, **kwargs):
    return Rule(id=id, name=f"R{id}", kind="percent", rate=D(str(rate)), **kwargs)


BANDS = (Band(D("0"), D("0.05")), Band(D("100000"), D("0.08")), Band(D("250000"), D("0.10")))


class TestHandComputed:
    def test_percent(self):
        result = calculate([deal(1, "12345.67")], [pct(1, "0.08")])
        (line,) = result.lines
        assert line.payout == D("987.65")  # 987.6536 → half-up
        assert line.parts["steps"] == [{"kind": "percent", "base": "12345.67", "rate": "8", "value": "987.65"}]

    def test_half_up_to_the_cent_per_line(self):
        result = calculate([deal(1, "0.125"), deal(2, "0.135")], [pct(1, "1")])
        assert [line.payout for line in result.lines] == [D("0.13"), D("0.14")]

    def test_flat(self):
        result = calculate(
            [deal(1, 500), deal(2, 900000)], [Rule(id=1, name="Flat", kind="flat", flat_amount=D("250"))]
        )
        assert [line.payout for line in result.lines] == [D("250.00"), D("250.00")]

    def test_highest_priority_base_rule_pays_and_bonuses_stack(self):
        rules = [
            pct(1, "0.05", priority=1),
            pct(2, "0.07", priority=5),
            pct(3, "0.09", priority=5),  # same priority as 2: lowest id (2) wins
            pct(4, "0.02", stacking="bonus", select_only=True),
            pct(5, "0.01", stacking="bonus", product_lines=frozenset({"security"})),  # does not match
        ]
        result = calculate([deal(1, 100000)], rules)
        assert {(line.rule_id, line.payout) for line in result.lines} == {(2, D("7000.00")), (4, D("2000.00"))}

    def test_conditions(self):
        rule = pct(1, "0.1", partner_tiers=frozenset({"platinum"}))
        assert calculate([deal(1, 100)], [rule]).lines == []
        assert calculate([deal(1, 100, partner_tier="platinum")], [rule]).lines[0].payout == D("10.00")
        assert not calculate([deal(1, 100, is_select=False)], [pct(1, "0.1", select_only=True)]).lines
        assert not calculate([deal(1, 100, is_select=True)], [pct(1, "0.1", select_only=False)]).lines
        assert not calculate([deal(1, 100)], [pct(1, "0.1", min_amount=D("101"))]).lines
        assert not calculate([deal(1, 100)], [pct(1, "0.1", max_amount=D("99"))]).lines
        assert not calculate(
            [deal(1, 100, registration_approved=False)], [pct(1, "0.1", registration_required=True)]
        ).lines
        assert not calculate([deal(1, 100, day=15)], [pct(1, "0.1", valid_to=date(2026, 7, 14))]).lines

    def test_marginal_tiers(self):
        # Partner's deals in closing order: 80k, 50k, 200k → cumulative 80k, 130k, 330k.
        rule = Rule(id=1, name="Tiers", kind="tiered", bands=BANDS, tier_mode="marginal")
        result = calculate([deal(3, 200000, day=20), deal(1, 80000, day=2), deal(2, 50000, day=10)], [rule])
        payouts = {line.deal_id: line.payout for line in result.lines}
        assert payouts[1] == D("4000.00")  # 80k × 5 %
        assert payouts[2] == D("3400.00")  # 20k × 5 % + 30k × 8 %
        assert payouts[3] == D("17600.00")  # 120k × 8 % + 80k × 10 %
        assert result.total == D("25000.00")  # = 100k × 5 % + 150k × 8 % + 80k × 10 % on the whole 330k

    def test_retroactive_tiers(self):
        rule = Rule(id=1, name="Tiers", kind="tiered", bands=BANDS, tier_mode="retroactive")
        result = calculate([deal(1, 80000), deal(2, 50000, day=2), deal(3, 200000, day=3)], [rule])
        assert all(line.rate == D("0.10") for line in result.lines)  # 330k reaches the 10 % band
        assert result.total == D("33000.00")

    def test_tiers_are_per_partner(self):
        rule = Rule(id=1, name="Tiers", kind="tiered", bands=BANDS, tier_mode="retroactive")
        result = calculate([deal(1, 300000, partner=1), deal(2, 50000, partner=2)], [rule])
        assert result.totals_by_partner() == {1: D("30000.00"), 2: D("2500.00")}

    def test_cap_per_deal(self):
        (line,) = calculate([deal(1, 1000000)], [pct(1, "0.1", cap_per_deal=D("20000"))]).lines
        assert line.payout == D("20000.00") and line.capped == "deal"

    def test_cap_per_period_trims_the_latest_lines(self):
        rule = pct(1, "0.1", cap_per_period=D("15000"))
        result = calculate([deal(1, 100000, day=1), deal(2, 100000, day=2), deal(3, 100000, day=3)], rule and [rule])
        payouts = {line.deal_id: line.payout for line in result.lines}
        assert payouts == {1: D("10000.00"), 2: D("5000.00"), 3: D("0.00")}
        assert result.total == D("15000.00")

    def test_accelerator_when_quota_reached(self):
        rule = pct(1, "0.05", accelerator_threshold=D("1.0"), accelerator_multiplier=D("1.5"))
        deals = [deal(1, 60000), deal(2, 60000, day=2)]
        assert calculate(deals, [rule], quotas={1: D("100000")}).total == D("9000.00")  # 120 % of quota
        assert calculate(deals, [rule], quotas={1: D("200000")}).total == D("6000.00")  # 60 %
        assert calculate(deals, [rule]).total == D("6000.00")  # no quota, no accelerator

    def test_exception_when_no_rule_pays(self):
        result = calculate([deal(1, 100, product_line="security")], [pct(1, "0.1", product_lines=frozenset({"ai"}))])
        assert result.lines == []
        (exception,) = result.exceptions
        assert exception.deal_id == 1
        miss = {"kind": "not_in", "field": "product_line", "value": "security", "allowed": ["ai"]}
        assert exception.reason == {"kind": "no_rule_matches", "misses": [[miss, 1]]}

    def test_exception_when_no_rule_at_all(self):
        assert calculate([deal(1, 100)], []).exceptions[0].reason == {"kind": "no_rule_in_force"}


def test_euros_format():
    assert euros(D("1234567.5")) == "1 234 567.50 €"
    assert euros(D("-12.345")) == "-12.35 €"


def test_marginal_portions():
    assert marginal_portions(BANDS, D("90000"), D("20000")) == [(D("10000"), D("0.05")), (D("10000"), D("0.08"))]


# --- Properties ------------------------------------------------------------------------------------

amounts = st.decimals(min_value=D("0.01"), max_value=D("2000000"), places=2)
rates = st.decimals(min_value=D("0"), max_value=D("1"), places=4)


@st.composite
def deals_strategy(draw):
    count = draw(st.integers(min_value=1, max_value=25))
    return [
        deal(
            i + 1,
            draw(amounts),
            day=draw(st.integers(1, 28)),
            partner=draw(st.integers(1, 3)),
            is_select=draw(st.booleans()),
            product_line=draw(st.sampled_from(["ai", "data", "security"])),
        )
        for i in range(count)
    ]


@st.composite
def bands_strategy(draw):
    starts = sorted(draw(st.sets(st.decimals(min_value=D("1"), max_value=D("3000000"), places=0), max_size=3)))
    return tuple(Band(start, draw(rates)) for start in [D("0"), *starts])


@st.composite
def rules_strategy(draw):
    rules = []
    for rule_id in range(1, draw(st.integers(1, 5)) + 1):
        kind = draw(st.sampled_from(["percent", "flat", "tiered"]))
        rules.append(
            Rule(
                id=rule_id,
                name=f"R{rule_id}",
                priority=draw(st.integers(0, 3)),
                stacking=draw(st.sampled_from(["base", "bonus"])),
                kind=kind,
                rate=draw(rates),
                flat_amount=draw(amounts),
                bands=draw(bands_strategy()),
                tier_mode=draw(st.sampled_from(["marginal", "retroactive"])),
                select_only=draw(st.sampled_from([None, True, False])),
                product_lines=frozenset(draw(st.sets(st.sampled_from(["ai", "data", "security"]), max_size=2))),
                cap_per_deal=draw(st.one_of(st.none(), amounts)),
                cap_per_period=draw(st.one_of(st.none(), amounts)),
                accelerator_threshold=draw(st.one_of(st.none(), st.decimals(D("0.1"), D("2"), places=2))),
                accelerator_multiplier=draw(st.one_of(st.none(), st.decimals(D("1"), D("3"), places=2))),
            )
        )
    return rules


quotas_strategy = st.dictionaries(st.integers(1, 3), st.decimals(D("1000"), D("5000000"), places=0))


@settings(max_examples=60, deadline=None)
@given(deals_strategy(), rules_strategy(), quotas_strategy)
def test_total_is_the_sum_of_lines_and_every_line_is_in_cents(deals, rules, quotas):
    result = calculate(deals, rules, quotas)
    assert result.total == sum(line.payout for line in result.lines)
    assert all(line.payout == to_cent(line.payout) and line.payout >= 0 for line in result.lines)
    assert sum(result.totals_by_partner().values(), D(0)) == result.total


@settings(max_examples=60, deadline=None)
@given(deals_strategy(), rules_strategy(), quotas_strategy, st.randoms())
def test_reordering_the_input_changes_nothing(deals, rules, quotas, rnd):
    first = calculate(deals, rules, quotas)
    shuffled_deals, shuffled_rules = list(deals), list(rules)
    rnd.shuffle(shuffled_deals)
    rnd.shuffle(shuffled_rules)
    second = calculate(shuffled_deals, shuffled_rules, dict(reversed(list(quotas.items()))))

    def key(result):
        return [(line.deal_id, line.rule_id, line.payout, line.parts) for line in result.lines]

    assert key(first) == key(second)
    assert first.exceptions == second.exceptions


@settings(max_examples=60, deadline=None)
@given(deals_strategy(), rules_strategy(), quotas_strategy)
def test_caps_are_never_exceeded(deals, rules, quotas):
    result = calculate(deals, rules, quotas)
    by_id = {rule.id: rule for rule in rules}
    per_rule_partner = {}
    for line in result.lines:
        rule = by_id[line.rule_id]
        if rule.cap_per_deal is not None:
            assert line.payout <= to_cent(rule.cap_per_deal)
        key = (line.rule_id, line.partner_id)
        per_rule_partner[key] = per_rule_partner.get(key, D(0)) + line.payout
    for (rule_id, _), total in per_rule_partner.items():
        if by_id[rule_id].cap_per_period is not None:
            assert total <= to_cent(by_id[rule_id].cap_per_period)


@settings(max_examples=60, deadline=None)
@given(deals_strategy(), bands_strategy())
def test_marginal_tiers_never_pay_more_than_the_top_rate_on_the_whole_amount(deals, bands):
    rule = Rule(id=1, name="T", kind="tiered", bands=bands, tier_mode="marginal")
    result = calculate(deals, [rule])
    top = max(band.rate for band in bands)
    for partner, total in result.totals_by_partner().items():
        whole = sum(d.amount for d in deals if d.partner_id == partner)
        # Each line rounds half-up by at most half a cent.
        assert total <= whole * top + D("0.005") * len([d for d in deals if d.partner_id == partner])


@settings(max_examples=40, deadline=None)
@given(deals_strategy(), rules_strategy())
def test_every_deal_is_paid_or_an_exception_never_dropped(deals, rules):
    result = calculate(deals, rules)
    paid = {line.deal_id for line in result.lines}
    excepted = {e.deal_id for e in result.exceptions}
    assert paid | excepted == {d.id for d in deals}
    assert not paid & excepted


@pytest.mark.parametrize("seed", range(3))
def test_large_random_period_is_stable(seed):
    rng = random.Random(seed)
    deals = [deal(i, rng.randint(1, 500000), day=rng.randint(1, 28), partner=rng.randint(1, 50)) for i in range(2000)]
    rules = [pct(1, "0.05"), Rule(id=2, name="T", kind="tiered", bands=BANDS, stacking="bonus")]
    assert calculate(deals, rules).total == calculate(list(reversed(deals)), rules).total
