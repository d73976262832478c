"""Explanations and exception reasons written as English text before parts existed, read back into
the parts of :mod:`.explaining` (used by migration 0014).

Every format the engines, the settlement's adjustments and the manual adjustments wrote is
recognised; anything else is kept as ``{"kind": "text", "text": …}`` and shown verbatim.
"""

import re

MONEY = r"-?\d{1,3}(?: \d{3})*\.\d\d €"
RATE = r"-?\d+(?:\.\d+)? %"

_STEPS = [
    ("percent", re.compile(rf"^(?P<base>{MONEY}) × (?P<rate>{RATE}) = (?P<value>{MONEY})$")),
    ("flat", re.compile(rf"^flat (?P<value>{MONEY}) per deal$")),
    ("below_first_band", re.compile(rf"^period total (?P<total>{MONEY}) is below the first band \((?P<first>{MONEY})\)$")),  # noqa: E501
    ("band_reached", re.compile(rf"^period total (?P<total>{MONEY}) reaches the (?P<rate>{RATE}) band \(retroactive\)$")),  # noqa: E501
    ("cumulative", re.compile(rf"^cumulative (?P<from>{MONEY}) → (?P<to>{MONEY}) \(marginal bands\)$")),
    ("portions", re.compile(rf"^(?P<detail>no band reached|{MONEY} × {RATE}(?: \+ {MONEY} × {RATE})*) = (?P<value>{MONEY})$")),  # noqa: E501
    (
        "accelerator",
        re.compile(
            rf"^accelerator × (?P<multiplier>\d+(?:\.\d+)?) \(quota (?P<quota>{MONEY}), won (?P<won>{MONEY}): "
            rf"attainment (?P<attainment>-?\d+\.\d) % ≥ threshold (?P<threshold>{RATE})\) = (?P<value>{MONEY})$"
        ),
    ),
    ("deal_cap", re.compile(rf"^capped at (?P<cap>{MONEY}) per deal$")),
    ("period_cap", re.compile(rf"^period cap (?P<cap>{MONEY}) reached: trimmed by (?P<cut>{MONEY}) to (?P<payout>{MONEY})$")),  # noqa: E501
]  # fmt: skip

_ADJUSTMENT = re.compile(
    rf"^Adjustment for (?P<period>\S+) \((?P<change>amount or rule changed|newly owed: a late win, a new rule or a "
    rf"deal now this partner's)\): now owed (?P<owed>{MONEY}), paid (?P<paid>{MONEY}), difference "
    rf"(?P<difference>{MONEY})\. Now: (?P<now>.*)$",
    re.DOTALL,
)
_CLAWBACK = re.compile(
    rf"^Clawback for (?P<period>\S+): no longer owed to this partner \(the deal is no longer won, no longer this "
    rf"partner's or no longer paid by this rule\); paid (?P<paid>{MONEY}), reversed {MONEY}\.$"
)
_MANUAL = re.compile(
    rf"^(?:Dispute #(?P<dispute>\d+) accepted by (?P<dby>.+?) on (?P<don>\d{{4}}-\d\d-\d\d): (?P<damount>{MONEY})\. "
    rf"Resolution: |Manual adjustment by (?P<mby>.+?) on (?P<mon>\d{{4}}-\d\d-\d\d): (?P<mamount>{MONEY})\. Reason: )"
    rf"(?P<reason>.*) \((?:corrects line (?P<line>\d+) of (?P<period>\S+), )?deal #(?P<deal>\d+)\)$",
    re.DOTALL,
)
_MISSES = [
    ("not_in_force", re.compile(r"^not in force on the closing date$")),
    ("amount_below", re.compile(rf"^amount below (?P<amount>{MONEY})$")),
    ("amount_above", re.compile(rf"^amount above (?P<amount>{MONEY})$")),
    ("not_in", re.compile(r"^(?P<field>partner tier|partner kind|product line|sector|region) (?P<value>\S+) not in (?P<allowed>.+)$")),  # noqa: E501
    ("select_only", re.compile(r"^select accounts only$")),
    ("non_select_only", re.compile(r"^non-select accounts only$")),
    ("registration_required", re.compile(r"^needs an approved deal registration$")),
]  # fmt: skip
_MISS_COUNT = re.compile(r"^(?P<miss>.+) \((?P<count>\d+) rules?\)$")


def _cents(money: str) -> str:
    """``"12 345.60 €"`` → ``"12345.60"``."""
    return money.removesuffix(" €").replace(" ", "")


def _percent(rate: str) -> str:
    return rate.removesuffix(" %")


def _step(text: str) -> dict | None:
    for kind, pattern in _STEPS:
        found = pattern.match(text)
        if found is None:
            continue
        values = found.groupdict()
        if kind == "portions":
            pairs = [] if values["detail"] == "no band reached" else values["detail"].split(" + ")
            portions = [[_cents(money), _percent(rate)] for money, rate in (pair.split(" × ") for pair in pairs)]
            return {"kind": kind, "portions": portions, "value": _cents(values["value"])}
        step = {"kind": kind}
        for name, value in values.items():
            if name in ("rate", "threshold"):
                step[name] = _percent(value)
            elif name in ("multiplier", "attainment"):
                step[name] = value
            else:
                step[name] = _cents(value)
        return step
    return None


def _commission(text: str) -> dict | None:
    """``Rule name: step; step…`` — the rule's name may itself hold ``": "``: the first split that parses wins."""
    start = 0
    while (colon := text.find(": ", start)) != -1:
        steps = [_step(step) for step in text[colon + 2 :].split("; ")]
        if steps and all(steps):
            return {"kind": "commission", "rule": text[:colon], "steps": steps}
        start = colon + 1
    return None


def _miss(text: str) -> dict | None:
    for kind, pattern in _MISSES:
        found = pattern.match(text)
        if found is None:
            continue
        if kind == "not_in":
            value = found["value"]
            return {
                "kind": kind, "field": found["field"].replace(" ", "_"), "value": "" if value == "(none)" else value,
                "allowed": found["allowed"].split(", "),
            }  # fmt: skip
        if kind in ("amount_below", "amount_above"):
            return {"kind": kind, "amount": _cents(found["amount"])}
        return {"kind": kind}
    return None


def _exception(text: str) -> dict | None:
    if text == "no commission rule is in force":
        return {"kind": "no_rule_in_force"}
    if not text.startswith("no rule matches: "):
        return None
    misses = []
    for item in text.removeprefix("no rule matches: ").split("; "):
        counted = _MISS_COUNT.match(item)
        miss = counted and _miss(counted["miss"])
        if not miss:
            return None
        misses.append([miss, int(counted["count"])])
    return {"kind": "no_rule_matches", "misses": misses}


def _adjustment(text: str) -> dict | None:
    found = _ADJUSTMENT.match(text)
    if found is None:
        return None
    return {
        "kind": "adjustment", "period": found["period"],
        "change": "changed" if found["change"] == "amount or rule changed" else "newly_owed",
        "owed": _cents(found["owed"]), "paid": _cents(found["paid"]), "difference": _cents(found["difference"]),
        "now": _commission(found["now"]) or {"kind": "text", "text": found["now"]},
    }  # fmt: skip


def _clawback(text: str) -> dict | None:
    found = _CLAWBACK.match(text)
    return None if found is None else {"kind": "clawback", "period": found["period"], "paid": _cents(found["paid"])}


def _manual(text: str) -> dict | None:
    found = _MANUAL.match(text)
    if found is None:
        return None
    dispute = found["dispute"]
    return {
        "kind": "manual", "by": found["dby"] if dispute else found["mby"],
        "on": found["don"] if dispute else found["mon"],
        "amount": _cents(found["damount"] if dispute else found["mamount"]), "reason": found["reason"],
        "dispute": int(dispute) if dispute else None, "deal": int(found["deal"]),
        "corrects": int(found["line"]) if found["line"] else None, "corrects_period": found["period"] or "",
    }  # fmt: skip


def explanation_parts(text: str) -> dict:
    """A payout line's legacy explanation as parts; unknown words kept as text."""
    for parse in (_adjustment, _clawback, _manual, _commission):
        parts = parse(text)
        if parts is not None:
            return parts
    return {"kind": "text", "text": text}


def reason_parts(text: str) -> dict:
    """A settlement exception's legacy reason as parts; unknown words kept as text."""
    return _exception(text) or {"kind": "text", "text": text}
