"""The commission arithmetic of SPEC §4, as a pure module: no database, no Django.

Given a period's won deals, the rules in force and the partners' quotas, :func:`calculate`
returns one payout line per (deal, paying rule) with the arithmetic that explains it, and
the won deals that no rule pays (exceptions). Order of operations on a line:

1. the rule's calculation: ``percent`` (amount × rate), ``flat`` (a fixed amount per deal)
   or ``tiered`` over the partner's cumulative eligible amount for that rule in the period,
   ``marginal`` (each euro at the rate of the band it falls in, deals in order of closed_on
   then id) or ``retroactive`` (every deal at the rate of the band the period total reaches);
2. the quota accelerator (× multiplier once won amount / quota ≥ threshold), the line naming
   the quota and the attainment it used;
3. ``cap_per_deal``; then rounding half-up to the cent;
4. ``cap_per_period`` per partner and rule: the excess is trimmed from the latest lines in
   closing order.

Of the matching ``base`` rules the highest priority pays (tie: lowest id); every matching
``bonus`` rule adds on top. Everything is Decimal; nothing depends on the input order.

The rulings of SPEC §4.1: a matched rule that computes 0.00 (a 0 % band, a cap used up) still
writes its 0.00 line, explained; only a deal no rule matches is an exception. Bounds are
inclusive: ``min_amount ≤ amount ≤ max_amount``, a band applies from its ``from_amount``
included, and the retroactive rate is that of the highest band whose ``from_amount ≤`` the total.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")


def to_cent(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def euros(value: Decimal) -> str:
    """``1234.5`` → ``1 234.50 €`` (a space between thousands, as in French); for logs and commands."""
    return f"{to_cent(value):,.2f} €".replace(",", " ")


def cents(value: Decimal) -> str:
    """An amount in an explanation's parts: ``1234.5`` → ``"1234.50"`` (PostgreSQL's ``round(x, 2)::text``)."""
    return str(to_cent(value) + 0)  # + 0: no "-0.00"


def percent(rate: Decimal) -> str:
    """A rate in an explanation's parts, in percent: ``0.075`` → ``"7.5"`` (``trim_scale(rate * 100)::text``)."""
    return f"{(rate * 100).normalize():f}"


def attainment_permille(won: Decimal, quota: Decimal) -> Decimal:
    """``won / quota`` in thousandths, rounded half-up, computed exactly (an integer quotient), so
    that PostgreSQL's ``div()`` gives the very same figure (:mod:`.sql_calculation`)."""
    return (won * 2000 + quota) // (quota * 2)


@dataclass(frozen=True)
class Acceleration:
    """An accelerator that applies to a partner's lines of one rule, and what it was measured on."""

    multiplier: Decimal
    threshold: Decimal
    won: Decimal
    quota: Decimal

    def step(self, accelerated: Decimal) -> dict:
        """The explanation step; :data:`.sql_calculation.SETTLE_SQL` writes the very same parts."""
        return {
            "kind": "accelerator", "multiplier": f"{self.multiplier.normalize():f}", "quota": cents(self.quota),
            "won": cents(self.won), "attainment": f"{attainment_permille(self.won, self.quota) / 10:.1f}",
            "threshold": percent(self.threshold), "value": cents(accelerated),
        }  # fmt: skip


@dataclass(frozen=True)
class Deal:
    """A won partner deal of the period, with what the rules' conditions look at."""

    id: int
    partner_id: int
    amount: Decimal
    closed_on: date
    product_line: str
    partner_tier: str = ""
    partner_kind: str = ""
    sector: str = ""
    region: str = ""
    is_select: bool = False
    registration_approved: bool = False

    @property
    def order_key(self) -> tuple:
        return (self.closed_on, self.id)


@dataclass(frozen=True)
class Band:
    from_amount: Decimal
    rate: Decimal


@dataclass(frozen=True)
class Rule:
    id: int
    name: str
    priority: int = 0
    stacking: str = "base"  # "base" or "bonus"
    # Conditions: an empty set / None means "any".
    partner_tiers: frozenset = frozenset()
    partner_kinds: frozenset = frozenset()
    product_lines: frozenset = frozenset()
    sectors: frozenset = frozenset()
    regions: frozenset = frozenset()
    select_only: bool | None = None  # True: select accounts only; False: other accounts only
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    registration_required: bool = False
    # Calculation.
    kind: str = "percent"  # "percent", "flat", "tiered"
    rate: Decimal | None = None
    flat_amount: Decimal | None = None
    bands: tuple[Band, ...] = ()
    tier_mode: str = "marginal"  # "marginal" or "retroactive"
    # Limits and accelerator.
    cap_per_deal: Decimal | None = None
    cap_per_period: Decimal | None = None
    accelerator_threshold: Decimal | None = None
    accelerator_multiplier: Decimal | None = None
    # When the rule is in force (its own dates intersected with its program's).
    valid_from: date | None = None
    valid_to: date | None = None

    @property
    def sort_key(self) -> tuple:
        """Base-rule precedence: highest priority first, then lowest id."""
        return (-self.priority, self.id)

    def in_force_on(self, day: date) -> bool:
        return (self.valid_from is None or day >= self.valid_from) and (self.valid_to is None or day <= self.valid_to)

    def mismatch(self, deal: Deal) -> dict | None:
        """Why this rule does not apply to ``deal`` (the parts of :mod:`.explaining`), or None when it does."""
        return self.dynamic_mismatch(deal) or self.static_mismatch(deal)

    def dynamic_mismatch(self, deal: Deal) -> dict | None:
        """The conditions on the deal's own date and amount."""
        if not self.in_force_on(deal.closed_on):
            return {"kind": "not_in_force"}
        if self.min_amount is not None and deal.amount < self.min_amount:
            return {"kind": "amount_below", "amount": cents(self.min_amount)}
        if self.max_amount is not None and deal.amount > self.max_amount:
            return {"kind": "amount_above", "amount": cents(self.max_amount)}
        return None

    def matches_static(self, deal: Deal) -> bool:
        """The fast form of ``static_mismatch(deal) is None``, for the hot loop."""
        return (
            (not self.partner_tiers or deal.partner_tier in self.partner_tiers)
            and (not self.partner_kinds or deal.partner_kind in self.partner_kinds)
            and (not self.product_lines or deal.product_line in self.product_lines)
            and (not self.sectors or deal.sector in self.sectors)
            and (not self.regions or deal.region in self.regions)
            and (self.select_only is None or self.select_only == deal.is_select)
            and (not self.registration_required or deal.registration_approved)
        )

    def static_mismatch(self, deal: Deal) -> dict | None:
        """The conditions on what many deals share (partner, product, account): cacheable by signature."""
        checks = (
            (self.partner_tiers, deal.partner_tier, "partner_tier"),
            (self.partner_kinds, deal.partner_kind, "partner_kind"),
            (self.product_lines, deal.product_line, "product_line"),
            (self.sectors, deal.sector, "sector"),
            (self.regions, deal.region, "region"),
        )
        for allowed, value, what in checks:
            if allowed and value not in allowed:
                return {"kind": "not_in", "field": what, "value": value or "", "allowed": sorted(allowed)}
        if self.select_only is True and not deal.is_select:
            return {"kind": "select_only"}
        if self.select_only is False and deal.is_select:
            return {"kind": "non_select_only"}
        if self.registration_required and not deal.registration_approved:
            return {"kind": "registration_required"}
        return None


@dataclass
class PayoutLine:
    deal_id: int
    partner_id: int
    rule_id: int
    base_amount: Decimal
    payout: Decimal  # rounded to the cent; what is paid
    rate: Decimal | None = None  # the effective rate where one applies (percent, retroactive band)
    accelerator: Decimal | None = None
    capped: str = ""  # "", "deal", "period"
    rule_name: str = ""
    steps: list[dict] = field(default_factory=list)

    @property
    def parts(self) -> dict:
        """The explanation as stored (:mod:`.explaining` renders it in the reader's language)."""
        return {"kind": "commission", "rule": self.rule_name, "steps": self.steps}


@dataclass(frozen=True)
class DealException:
    deal_id: int
    partner_id: int
    reason: dict  # the parts of :mod:`.explaining`


@dataclass
class Result:
    lines: list[PayoutLine]
    exceptions: list[DealException]

    @property
    def total(self) -> Decimal:
        return sum((line.payout for line in self.lines), ZERO)

    def totals_by_partner(self) -> dict[int, Decimal]:
        totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for line in self.lines:
            totals[line.partner_id] += line.payout
        return dict(totals)


SIGNATURE_FIELDS = {
    "partner_tiers": "partner_tier",
    "partner_kinds": "partner_kind",
    "product_lines": "product_line",
    "sectors": "sector",
    "regions": "region",
    "select_only": "is_select",
    "registration_required": "registration_approved",
}


def conditions_on(rule: Rule, rule_field: str) -> bool:
    """Whether ``rule`` has a condition on ``rule_field`` (one of ``SIGNATURE_FIELDS``)."""
    value = getattr(rule, rule_field)
    if rule_field == "select_only":
        return value is not None  # False ("other accounts only") is a condition too
    return bool(value)


def signature_of(rules: list[Rule]):
    """A function giving a deal's values for just the fields some rule conditions on."""

    used = [
        deal_field
        for rule_field, deal_field in SIGNATURE_FIELDS.items()
        if any(conditions_on(rule, rule_field) for rule in rules)
    ]
    return lambda deal: tuple(getattr(deal, name) for name in used)


def choose(candidates: list[Rule]) -> list[Rule]:
    """Of matching rules: the best base rule (highest priority, then lowest id), then every bonus rule."""
    bases = [rule for rule in candidates if rule.stacking != "bonus"]
    bonuses = sorted((rule for rule in candidates if rule.stacking == "bonus"), key=lambda r: r.id)
    return ([min(bases, key=lambda r: r.sort_key)] if bases else []) + bonuses


def paying_rules(deal: Deal, rules: Iterable[Rule]) -> list[Rule]:
    """The rules that pay ``deal``."""
    return choose([rule for rule in rules if rule.mismatch(deal) is None])


def band_rate(bands: tuple[Band, ...], total: Decimal) -> Decimal:
    """The rate of the band ``total`` reaches (0 below the first band)."""
    rate = ZERO
    for band in bands:
        if total >= band.from_amount:
            rate = band.rate
    return rate


def marginal_portions(bands: tuple[Band, ...], start: Decimal, amount: Decimal) -> list[tuple[Decimal, Decimal]]:
    """Split the euros from ``start`` to ``start + amount`` into (euros, rate) portions by band."""
    portions = []
    end = start + amount
    for index, band in enumerate(bands):
        upper = bands[index + 1].from_amount if index + 1 < len(bands) else None
        low = max(start, band.from_amount)
        high = end if upper is None else min(end, upper)
        if high > low:
            portions.append((high - low, band.rate))
    return portions


def _percent_step(amount: Decimal, rate: Decimal, value: Decimal) -> dict:
    return {"kind": "percent", "base": cents(amount), "rate": percent(rate), "value": cents(value)}


def _raw_amounts(rule: Rule, deals: list[Deal]) -> list[tuple[Deal, Decimal, Decimal | None, list[dict]]]:
    """The rule's amount for each of one partner's deals (ordered), before accelerator and caps."""
    results = []
    if rule.kind == "percent":
        rate = rule.rate or ZERO
        for deal in deals:
            value = deal.amount * rate
            results.append((deal, value, rate, [_percent_step(deal.amount, rate, value)]))
    elif rule.kind == "flat":
        value = rule.flat_amount or ZERO
        for deal in deals:
            results.append((deal, value, None, [{"kind": "flat", "value": cents(value)}]))
    elif rule.tier_mode == "retroactive":
        total = sum((deal.amount for deal in deals), ZERO)
        rate = band_rate(rule.bands, total)
        if rule.bands and total < rule.bands[0].from_amount:
            reached = {"kind": "below_first_band", "total": cents(total), "first": cents(rule.bands[0].from_amount)}
        else:
            reached = {"kind": "band_reached", "total": cents(total), "rate": percent(rate)}
        for deal in deals:
            value = deal.amount * rate
            results.append((deal, value, rate, [reached, _percent_step(deal.amount, rate, value)]))
    else:  # tiered, marginal
        cumulative = ZERO
        for deal in deals:
            portions = marginal_portions(rule.bands, cumulative, deal.amount)
            value = sum((euros_in * rate for euros_in, rate in portions), ZERO)
            steps = [
                {"kind": "cumulative", "from": cents(cumulative), "to": cents(cumulative + deal.amount)},
                {"kind": "portions", "portions": [[cents(e), percent(r)] for e, r in portions], "value": cents(value)},
            ]
            results.append((deal, value, None, steps))
            cumulative += deal.amount
    return results


def calculate(deals: Iterable[Deal], rules: Iterable[Rule], quotas: Mapping[int, Decimal] | None = None) -> Result:
    """Payout lines and exceptions for a period's won partner deals. Pure and order-independent."""
    deals = sorted(deals, key=lambda d: d.order_key)
    rules = sorted(rules, key=lambda r: r.id)
    quotas = quotas or {}
    won_by_partner: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for deal in deals:
        won_by_partner[deal.partner_id] += deal.amount

    # Which rules pay which deals, grouped by (rule, partner), deals in closing order. The
    # conditions many deals share are checked once per signature, not once per deal.
    paid: dict[tuple[int, int], list[Deal]] = defaultdict(list)
    exceptions = []
    shortlists: dict[tuple, list[Rule]] = {}
    signature = signature_of(rules)
    for deal in deals:
        key = signature(deal)
        shortlist = shortlists.get(key)
        if shortlist is None:
            shortlist = shortlists[key] = [rule for rule in rules if rule.matches_static(deal)]
        chosen = choose([rule for rule in shortlist if rule.dynamic_mismatch(deal) is None])
        if not chosen:
            misses = {rule.id: rule.mismatch(deal) for rule in rules}
            exceptions.append(DealException(deal.id, deal.partner_id, _exception_reason(deal, misses)))
        for rule in chosen:
            paid[(rule.id, deal.partner_id)].append(deal)

    by_id = {rule.id: rule for rule in rules}
    lines: list[PayoutLine] = []
    for (rule_id, partner_id), partner_deals in sorted(paid.items()):
        rule = by_id[rule_id]
        acceleration = accelerator(rule, won_by_partner[partner_id], quotas.get(partner_id))
        lines.extend(group_lines(rule, partner_id, partner_deals, acceleration))
    lines.sort(key=lambda line: (line.partner_id, line.deal_id, line.rule_id))
    exceptions.sort(key=lambda e: e.deal_id)
    return Result(lines=lines, exceptions=exceptions)


def accelerator(rule: Rule, won: Decimal, quota: Decimal | None) -> Acceleration | None:
    """The rule's accelerator when the partner's won amount reaches ``threshold × quota`` (inclusive), else None."""
    if rule.accelerator_threshold is None or rule.accelerator_multiplier is None or not quota or quota <= 0:
        return None
    if won < rule.accelerator_threshold * quota:
        return None
    return Acceleration(rule.accelerator_multiplier, rule.accelerator_threshold, won, quota)


def group_lines(rule: Rule, partner_id: int, deals: list[Deal], acceleration: Acceleration | None) -> list[PayoutLine]:
    """The lines one rule pays one partner: ``deals`` are those it pays, in closing order."""
    lines = []
    multiplier = acceleration.multiplier if acceleration else None
    for deal, value, rate, steps in _raw_amounts(rule, deals):
        if acceleration is not None:
            accelerated = value * acceleration.multiplier
            steps.append(acceleration.step(accelerated))
            value = accelerated
        capped = ""
        if rule.cap_per_deal is not None and value > rule.cap_per_deal:
            steps.append({"kind": "deal_cap", "cap": cents(rule.cap_per_deal)})
            value, capped = rule.cap_per_deal, "deal"
        lines.append(
            PayoutLine(
                deal_id=deal.id,
                partner_id=partner_id,
                rule_id=rule.id,
                base_amount=deal.amount,
                payout=to_cent(value),
                rate=rate,
                accelerator=multiplier,
                capped=capped,
                rule_name=rule.name,
                steps=steps,
            )
        )
    if rule.cap_per_period is not None:
        _trim_to_period_cap(lines, rule.cap_per_period)
    return lines


def _trim_to_period_cap(lines: list[PayoutLine], cap: Decimal) -> None:
    """Trim the excess over ``cap`` from the latest lines (``lines`` are in closing order)."""
    cap = to_cent(cap)
    excess = sum((line.payout for line in lines), ZERO) - cap
    for line in reversed(lines):
        if excess <= 0:
            break
        cut = min(line.payout, excess)
        if cut > 0:
            line.payout -= cut
            line.capped = "period"
            trimmed = {"kind": "period_cap", "cap": cents(cap), "cut": cents(cut), "payout": cents(line.payout)}
            line.steps.append(trimmed)
            excess -= cut


def _exception_reason(deal: Deal, misses: dict[int, dict]) -> dict:
    """The parts of an exception's reason: the three most common misses, with how many rules each."""
    if not misses:
        return {"kind": "no_rule_in_force"}
    # The most common reason first: it is usually the one to fix.
    counts: dict[str, int] = defaultdict(int)
    for reason in misses.values():
        counts[json.dumps(reason, sort_keys=True)] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return {"kind": "no_rule_matches", "misses": [[json.loads(reason), count] for reason, count in ranked[:3]]}
