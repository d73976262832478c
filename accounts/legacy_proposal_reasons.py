"""Proposal reasons written as English sentences before parts existed (with the labels of whichever
language the job ran in), read back into the parts of :mod:`.proposal_reasons` (migration 0015).
Anything else stays ``{"kind": "text"}`` and reads verbatim."""

import re

from django.utils import translation

from ecosystem.choices import ProductLine, Region, Sector

UNPLACED = {
    "no active partner serves this region": "no_partner_in_region",
    "every partner serving this region is at capacity": "no_capacity_left",
}


def _labels(choices, *, short: bool = False) -> dict[str, str]:
    """Label → code, in every language the product speaks."""
    found = {}
    for language in ("en", "fr"):
        with translation.override(language):
            for value, label in choices.choices:
                text = str(label)
                found[text.split(" (")[0] if short else text] = value
    return found


def reason_parts(text: str) -> dict:
    regions, sectors, lines = _labels(Region), _labels(Sector), _labels(ProductLine, short=True)
    if (found := re.fullmatch(r"serves (.+)", text)) and found[1] in regions:
        return {"kind": "serves", "region": regions[found[1]]}
    if (found := re.fullmatch(r"specialised in (.+) for (.+)", text)) and found[2] in sectors:
        names = found[1].split(", ")
        if all(name in lines for name in names):
            return {
                "kind": "specialised",
                "product_lines": [lines[name] for name in names],
                "sector": sectors[found[2]],
            }
    if (found := re.fullmatch(r"(\d+) won deals? in (.+)", text)) and found[2] in sectors:
        return {"kind": "won_deals", "count": int(found[1]), "sector": sectors[found[2]]}
    if found := re.fullmatch(r"(silver|gold|platinum) partner", text):
        return {"kind": "tier", "tier": found[1]}
    if found := re.fullmatch(r"load (\d+)/(\d+) before this account", text):
        return {"kind": "load", "load": int(found[1]), "capacity": int(found[2])}
    return {"kind": "text", "text": text}


def unplaced_code(text: str) -> str:
    return UNPLACED.get(text, text)
