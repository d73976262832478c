"""A commission line's explanation parts as stored: without the steps its own columns already say.

Most lines of a quarter are a percent of the deal (perhaps capped per deal) or a flat amount: their
steps — base × rate = value, the cap — repeat the line's ``base_amount``, ``rate``, ``capped`` and
``payout``. Writing them out for half a million lines a quarter was a third of a settlement's time
(bench/settlement_bench.py), so such a line stores ``{"kind": "commission", "rule": name}`` and its
steps are derived from its columns when read (:func:`expand`). The other lines (tiers, accelerators,
period caps, a flat amount cut by a cap) keep every step: their figures are not columns.

Both engines store the same: :func:`compact` for the reference module, and the same rule in SQL
(:data:`.sql_calculation.COMMISSION_PARTS`). Readers never see the difference: :func:`expand` gives
the whole parts back (:attr:`.models.PayoutLine.parts`, the API's ``explanation_parts``), and stored
parts that have their steps (every line settled before this) are returned as they are.
"""

from decimal import Decimal

from .calculation import cents, percent

#: The step kinds a line's columns say entirely, in order (``deal_cap``: the payout is the cap).
DERIVABLE_SHAPES = (("percent",), ("percent", "deal_cap"), ("flat",))


def derived_steps(base_amount: Decimal, rate: Decimal | None, capped: str, payout: Decimal) -> list[dict]:
    """The steps of a percent line (``rate`` set), capped per deal or not, or of an uncapped flat line."""
    if rate is None:
        return [{"kind": "flat", "value": cents(payout)}]
    steps = [{"kind": "percent", "base": cents(base_amount), "rate": percent(rate), "value": cents(base_amount * rate)}]
    if capped == "deal":
        steps.append({"kind": "deal_cap", "cap": cents(payout)})
    return steps


def compact(parts: dict, base_amount: Decimal, rate: Decimal | None, capped: str, payout: Decimal) -> dict:
    """The parts to store: without the steps when the columns give them back exactly."""
    steps = parts.get("steps")
    if parts.get("kind") != "commission" or not steps:
        return parts
    if tuple(step.get("kind") for step in steps) not in DERIVABLE_SHAPES:
        return parts
    if derived_steps(base_amount, rate, capped, payout) != steps:
        return parts
    return {key: value for key, value in parts.items() if key != "steps"}


def expand(parts: dict, base_amount: Decimal, rate: Decimal | None, capped: str, payout: Decimal) -> dict:
    """Whole parts from stored ones. An adjustment's ``now`` (the commission owed now) is expanded with
    the same columns (an adjustment line carries the owed line's) and the payout owed (``owed``)."""
    if not isinstance(parts, dict):
        return parts
    kind = parts.get("kind")
    if kind == "commission" and "steps" not in parts:
        return {**parts, "steps": derived_steps(base_amount, rate, capped, payout)}
    if kind == "adjustment" and isinstance(parts.get("now"), dict) and parts.get("owed") is not None:
        now = expand(parts["now"], base_amount, rate, capped, Decimal(parts["owed"]))
        return {**parts, "now": now}
    return parts
