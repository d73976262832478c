"""A line stores only the explanation steps its columns cannot say, and reads back the whole parts.

``commissions/line_parts.py``: a percent line (capped per deal or not) and an uncapped flat line
store ``{"kind": "commission", "rule": name}``; every other line keeps its steps. Whatever is
stored, expanding it with the line's columns gives exactly the parts the calculation produced.
"""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commissions.calculation import Band, Deal, Rule, calculate
from commissions.line_parts import compact, expand
from commissions.line_rows import stored_parts
from commissions.settlement import adjustment_parts


def deal(id, amount, day=1):
    return Deal(id=id, partner_id=1, amount=D(amount), closed_on=date(2026, 7, day), product_line="ai")


def stored_and_whole(line):
    stored = stored_parts(line)
    return stored, expand(stored, line.base_amount, line.rate, line.capped, line.payout)


@pytest.mark.parametrize(
    "rule",
    [
        Rule(id=1, name="Percent", kind="percent", rate=D("0.075")),
        Rule(id=1, name="Percent capped", kind="percent", rate=D("0.5"), cap_per_deal=D("900")),
        Rule(id=1, name="Flat", kind="flat", flat_amount=D("250")),
        Rule(id=1, name="Zero", kind="percent", rate=D("0")),
    ],
    ids=["percent", "percent-capped", "flat", "zero-rate"],
)
def test_lines_whose_columns_say_their_steps_store_none(rule):
    (line,) = calculate([deal(1, "12345.67")], [rule]).lines
    stored, whole = stored_and_whole(line)
    assert stored == {"kind": "commission", "rule": rule.name}
    assert whole == line.parts


@pytest.mark.parametrize(
    "rule, quota",
    [
        (Rule(id=1, name="Flat capped", kind="flat", flat_amount=D("250"), cap_per_deal=D("100")), None),
        (Rule(id=1, name="Accelerated", kind="percent", rate=D("0.05"), accelerator_threshold=D("0.5"),
              accelerator_multiplier=D("1.5")), D("10000")),
        (Rule(id=1, name="Retroactive", kind="tiered", tier_mode="retroactive",
              bands=(Band(D("0"), D("0.05")), Band(D("10000"), D("0.08")))), None),
        (Rule(id=1, name="Marginal", kind="tiered", tier_mode="marginal",
              bands=(Band(D("0"), D("0.05")), Band(D("10000"), D("0.08")))), None),
        (Rule(id=1, name="Period cap", kind="percent", rate=D("0.5"), cap_per_period=D("1000")), None),
    ],
    ids=["flat-capped", "accelerator", "retroactive", "marginal", "period-cap"],
)  # fmt: skip
def test_lines_with_figures_of_their_own_keep_every_step(rule, quota):
    (line,) = calculate([deal(1, "12345.67")], [rule], {1: quota} if quota else {}).lines
    stored, whole = stored_and_whole(line)
    assert stored == line.parts and "steps" in stored
    assert whole == line.parts


def test_an_adjustment_reads_back_the_commission_it_owes_now():
    (line,) = calculate([deal(1, "1000.00")], [Rule(id=1, name="R", kind="percent", rate=D("0.1"))]).lines
    parts = adjustment_parts("2026-Q3", True, line.payout, D("80.00"), stored_parts(line))
    assert parts["now"] == {"kind": "commission", "rule": "R"}
    # The adjustment line carries the owed line's base, rate and cap, and pays the difference.
    whole = expand(parts, line.base_amount, line.rate, line.capped, line.payout - D("80.00"))
    assert whole["now"] == line.parts and whole["difference"] == "20.00"


def test_parts_stored_whole_read_back_as_they_are():
    legacy = {"kind": "commission", "rule": "R", "steps": [{"kind": "flat", "value": "5.00"}]}
    assert expand(legacy, D("1"), None, "", D("999")) == legacy
    words = {"kind": "text", "text": "Goodwill"}
    assert expand(words, D("0"), None, "", D("0")) == words
    assert compact({"kind": "clawback", "period": "2026-Q3", "paid": "5.00"}, D("0"), None, "", D("-5")) == {
        "kind": "clawback", "period": "2026-Q3", "paid": "5.00"
    }


amounts = st.decimals(min_value=D("0"), max_value=D("9999999.99"), places=2)
rates = st.decimals(min_value=D("0"), max_value=D("1"), places=6)


@settings(max_examples=300, deadline=None)
@given(
    amount=amounts,
    kind=st.sampled_from(["percent", "flat"]),
    rate=rates,
    flat=amounts,
    cap=st.none() | amounts,
)
def test_expanding_what_is_stored_gives_the_calculated_parts(amount, kind, rate, flat, cap):
    rule = Rule(id=1, name="R", kind=kind, rate=rate if kind == "percent" else None,
                flat_amount=flat if kind == "flat" else None, cap_per_deal=cap)  # fmt: skip
    (line,) = calculate([deal(1, str(amount))], [rule]).lines
    stored, whole = stored_and_whole(line)
    assert whole == line.parts
    assert ("steps" in stored) == (kind == "flat" and line.capped == "deal")
