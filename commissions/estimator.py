"""What a deal would pay under the rules known today (SPEC §4 "Estimator"). Reads only; writes nothing.

The hypothetical deal closes on its expected close date (today when none is given), for the
partner, on the account and product line given,
with its registration assumed approved. It is placed after the partner's won deals of the
current quarter, so tiers, period caps and the quota accelerator see what they would see at
settlement: the estimate is the calculation module's own lines for that deal. When adding the
deal changes what the partner's other deals of the quarter earn (a retroactive tier reached, a
period cap hit), that effect is reported apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ecosystem.periods import Period, period_label, quarter_of
from ecosystem.templatetags.numbers import format_money

from . import calculation, explaining
from .loading import load_deals, load_quotas, load_rules
from .models import Rule as RuleModel

#: The id of the hypothetical deal: after every real deal in closing order on the same day.
HYPOTHETICAL_ID = 2**62


@dataclass
class EstimateLine:
    rule_id: int
    rule_name: str
    program: str
    stacking: str
    payout: Decimal
    rate: Decimal | None
    accelerator: Decimal | None
    capped: str
    explanation: str


@dataclass
class Estimate:
    partner_id: int
    account_id: int
    product_line: str
    amount: Decimal
    day: date
    period: Period
    lines: list[EstimateLine] = field(default_factory=list)
    other_deals_effect: Decimal = Decimal("0.00")
    no_rule_reason: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def payout(self) -> Decimal:
        return sum((line.payout for line in self.lines), Decimal("0.00"))

    @property
    def total_effect(self) -> Decimal:
        return self.payout + self.other_deals_effect


def today() -> date:
    return timezone.localdate()


def estimate(*, partner, account, product_line: str, amount: Decimal, day: date | None = None) -> Estimate:
    """The payout lines ``partner`` would get for a deal of ``amount`` on ``account`` closing ``day``."""
    day = day or today()
    period = quarter_of(day)
    deal = calculation.Deal(
        id=HYPOTHETICAL_ID,
        partner_id=partner.pk,
        amount=amount,
        closed_on=day,
        product_line=product_line,
        partner_tier=partner.tier,
        partner_kind=partner.kind,
        sector=account.sector,
        region=account.region,
        is_select=account.is_select,
        registration_approved=True,
    )
    # Rules in force on the closing day; the partner's own won deals of that quarter so far (tiers, caps, quota).
    rules = [rule for rule in load_rules(day, day) if rule.in_force_on(day)]
    earlier = load_deals(period.start, day, [partner.pk])
    quotas = load_quotas(period.label, [partner.pk])
    with_deal = calculation.calculate([*earlier, deal], rules, quotas)
    without = calculation.calculate(earlier, rules, quotas)

    result = Estimate(
        partner_id=partner.pk, account_id=account.pk, product_line=product_line, amount=amount, day=day, period=period
    )
    names = dict(
        RuleModel.objects.filter(
            pk__in=[line.rule_id for line in with_deal.lines if line.deal_id == deal.id]
        ).values_list("pk", "program__name")
    )
    by_id = {rule.id: rule for rule in rules}
    for line in with_deal.lines:
        if line.deal_id != deal.id:
            continue
        rule = by_id[line.rule_id]
        result.lines.append(
            EstimateLine(
                rule_id=rule.id,
                rule_name=rule.name,
                program=names.get(rule.id, ""),
                stacking=rule.stacking,
                payout=line.payout,
                rate=line.rate,
                accelerator=line.accelerator,
                capped=line.capped,
                explanation=explaining.render(line.parts),
            )
        )
    result.lines.sort(key=lambda line: (line.stacking != "base", line.rule_id))
    exception = next((e for e in with_deal.exceptions if e.deal_id == deal.id), None)
    if exception is not None:
        result.no_rule_reason = explaining.render(exception.reason)
    result.other_deals_effect = with_deal.total - without.total - result.payout
    assumption = {"day": formats.date_format(day, "DATE_FORMAT"), "count": len(earlier), "period": period_label(period)}
    if day == today():
        note = _(
            "Assumes the deal closes today with an approved registration, "
            "after your %(count)s won deal(s) of %(period)s."
        )
    else:
        note = _(
            "Assumes the deal closes on %(day)s, its expected close date, with an approved registration, "
            "after your %(count)s won deal(s) of %(period)s known today."
        )
    result.notes.append(note % assumption)
    if result.other_deals_effect:
        result.notes.append(
            _(
                "It also changes what your other deals of %(period)s earn by %(effect)s "
                "(a retroactive tier or a period cap)."
            )
            % {"period": period_label(period), "effect": format_money(result.other_deals_effect)}
        )
    return result
