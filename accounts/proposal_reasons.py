"""Why a proposal puts a partner on an account, and why an account was left unplaced, in the reader's
language: :mod:`.proposals` stores parts (a kind with codes and figures), rendered here when read.

Kinds: ``serves`` (region), ``specialised`` (product lines, sector), ``won_deals`` (count, sector),
``tier``, ``load`` (load, capacity); ``text`` keeps words written before parts (shown verbatim).
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecosystem.choices import ProductLine, Region, Sector
from partners.models import PartnerTier

from .proposals import NO_CAPACITY_LEFT, NO_PARTNER_IN_REGION


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def render(reason) -> str:
    """One reason in the active language."""
    if isinstance(reason, str):
        return reason  # written before parts
    if not isinstance(reason, dict):
        return ""
    kind = reason.get("kind")
    try:
        if kind == "serves":
            return _("serves %(region)s") % {"region": _label(Region, reason["region"])}
        if kind == "specialised":
            lines = ", ".join(_label(ProductLine, line).split(" (")[0] for line in reason["product_lines"])
            return _("specialised in %(lines)s for %(sector)s") % {
                "lines": lines, "sector": _label(Sector, reason["sector"]),
            }  # fmt: skip
        if kind == "won_deals":
            count = int(reason["count"])
            return ngettext("%(count)s won deal in %(sector)s", "%(count)s won deals in %(sector)s", count) % {
                "count": count, "sector": _label(Sector, reason["sector"]),
            }  # fmt: skip
        if kind == "tier":
            return _("%(tier)s partner") % {"tier": _label(PartnerTier, reason["tier"])}
        if kind == "load":
            return _("load %(load)s/%(capacity)s before this account") % {
                "load": reason["load"], "capacity": reason["capacity"],
            }  # fmt: skip
    except (KeyError, TypeError, ValueError):
        pass
    return str(reason.get("text", ""))


def render_all(reasons) -> list[str]:
    return [render(reason) for reason in reasons or []]


def unplaced(code: str) -> str:
    """Why accounts were left unplaced, in the active language (an older summary's English kept as is)."""
    words = {
        NO_PARTNER_IN_REGION: _("no active partner serves this region"),
        NO_CAPACITY_LEFT: _("every partner serving this region is at capacity"),
    }
    return words.get(code, code)
