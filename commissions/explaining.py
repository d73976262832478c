"""Explanations in the reader's language: the stored parts of a line's arithmetic or an exception's
reason, rendered when read.

Both engines (:mod:`.calculation` and :mod:`.sql_calculation`) store the same parts, a JSON object
with a ``kind`` and the figures as strings (amounts to the cent, rates in percent):

- ``commission``: ``rule`` (its name when paid) and ``steps``, each a ``kind`` among ``percent``,
  ``flat``, ``below_first_band``, ``band_reached``, ``cumulative``, ``portions``, ``accelerator``,
  ``deal_cap``, ``period_cap`` (the ledger leaves out the steps a line's own columns say, and
  :attr:`.models.PayoutLine.parts` puts them back: :mod:`.line_parts`);
- ``adjustment`` (an approved period re-settled: ``period``, ``change``, ``owed``, ``paid``,
  ``difference`` and ``now``, the commission it owes now), ``clawback`` (``period``, ``paid``);
- ``manual``: a person's adjustment (who, on which day, the amount, the reason as typed, the dispute,
  the line it corrects, the deal);
- ``no_rule_in_force`` and ``no_rule_matches`` (an exception's reason; ``misses`` lists the
  three most common reasons, each with how many rules it stopped);
- ``text``: words kept as they were written (a line settled before parts existed, a test's line).

Rendering is pure: it reads the active language (gettext, number and date formats), nothing else.
"""

from datetime import date
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ecosystem.choices import ProductLine, Region, Sector
from ecosystem.templatetags.numbers import NBSP, format_money, format_number
from partners.models import PartnerKind, PartnerTier

#: The rule conditions an exception names, with the labels of their values.
CONDITION_CHOICES = {
    "partner_tier": PartnerTier,
    "partner_kind": PartnerKind,
    "product_line": ProductLine,
    "sector": Sector,
    "region": Region,
}


def _money(value: str) -> str:
    return format_money(value)


def _decimal_text(value: str) -> str:
    """``"7.5"`` → ``7.5`` / ``7,5``: the figure with as many decimals as it has."""
    number = Decimal(value)
    places = max(0, -number.as_tuple().exponent)
    return format_number(number, places)


def _percent(value: str) -> str:
    return f"{_decimal_text(value)}{NBSP}%"


def _condition_name(field: str) -> str:
    return {
        "partner_tier": _("partner tier"),
        "partner_kind": _("partner kind"),
        "product_line": _("product line"),
        "sector": _("sector"),
        "region": _("region"),
    }.get(field, field)


def _label(field: str, value: str) -> str:
    if not value:
        return _("(none)")
    choices = CONDITION_CHOICES.get(field)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return value


def _step(step: dict) -> str:
    kind = step.get("kind")
    if kind == "percent":
        return _("%(base)s × %(rate)s = %(value)s") % {
            "base": _money(step["base"]), "rate": _percent(step["rate"]), "value": _money(step["value"]),
        }  # fmt: skip
    if kind == "flat":
        return _("flat %(amount)s per deal") % {"amount": _money(step["value"])}
    if kind == "below_first_band":
        return _("period total %(total)s is below the first band (%(first)s)") % {
            "total": _money(step["total"]), "first": _money(step["first"]),
        }  # fmt: skip
    if kind == "band_reached":
        return _("period total %(total)s reaches the %(rate)s band (retroactive)") % {
            "total": _money(step["total"]), "rate": _percent(step["rate"]),
        }  # fmt: skip
    if kind == "cumulative":
        return _("cumulative %(start)s → %(end)s (marginal bands)") % {
            "start": _money(step["from"]), "end": _money(step["to"]),
        }  # fmt: skip
    if kind == "portions":
        detail = " + ".join(f"{_money(amount)} × {_percent(rate)}" for amount, rate in step["portions"])
        return _("%(detail)s = %(value)s") % {"detail": detail or _("no band reached"), "value": _money(step["value"])}
    if kind == "accelerator":
        return _(
            "accelerator × %(multiplier)s (quota %(quota)s, won %(won)s: attainment %(attainment)s ≥ threshold "
            "%(threshold)s) = %(value)s"
        ) % {
            "multiplier": _decimal_text(step["multiplier"]), "quota": _money(step["quota"]),
            "won": _money(step["won"]), "attainment": _percent(step["attainment"]),
            "threshold": _percent(step["threshold"]), "value": _money(step["value"]),
        }  # fmt: skip
    if kind == "deal_cap":
        return _("capped at %(cap)s per deal") % {"cap": _money(step["cap"])}
    if kind == "period_cap":
        return _("period cap %(cap)s reached: trimmed by %(cut)s to %(payout)s") % {
            "cap": _money(step["cap"]), "cut": _money(step["cut"]), "payout": _money(step["payout"]),
        }  # fmt: skip
    return step.get("text", "")


def _miss(miss: dict) -> str:
    kind = miss.get("kind")
    if kind == "not_in_force":
        return _("not in force on the closing date")
    if kind == "amount_below":
        return _("amount below %(amount)s") % {"amount": _money(miss["amount"])}
    if kind == "amount_above":
        return _("amount above %(amount)s") % {"amount": _money(miss["amount"])}
    if kind == "not_in":
        field = miss["field"]
        return _("%(condition)s %(value)s not in %(allowed)s") % {
            "condition": _condition_name(field), "value": _label(field, miss["value"]),
            "allowed": ", ".join(_label(field, value) for value in miss["allowed"]),
        }  # fmt: skip
    if kind == "select_only":
        return _("select accounts only")
    if kind == "non_select_only":
        return _("non-select accounts only")
    if kind == "registration_required":
        return _("needs an approved deal registration")
    return miss.get("text", "")


def _day(iso: str) -> str:
    try:
        return formats.date_format(date.fromisoformat(iso), "SHORT_DATE_FORMAT")
    except (TypeError, ValueError):
        return iso


def _manual(parts: dict) -> str:
    words = {"who": parts["by"], "day": _day(parts["on"]), "amount": _money(parts["amount"]), "reason": parts["reason"]}
    if parts.get("dispute"):
        text = _("Dispute #%(dispute)s accepted by %(who)s on %(day)s: %(amount)s. Resolution: %(reason)s") % {
            **words, "dispute": parts["dispute"],
        }  # fmt: skip
    else:
        text = _("Manual adjustment by %(who)s on %(day)s: %(amount)s. Reason: %(reason)s") % words
    if parts.get("corrects"):
        return _("%(text)s (corrects line %(line)s of %(period)s, deal #%(deal)s)") % {
            "text": text, "line": parts["corrects"], "period": parts["corrects_period"], "deal": parts["deal"],
        }  # fmt: skip
    return _("%(text)s (deal #%(deal)s)") % {"text": text, "deal": parts["deal"]}


def render(parts: dict | None) -> str:
    """The explanation or reason ``parts`` in the active language."""
    if not parts:
        return ""
    kind = parts.get("kind")
    try:
        if kind == "commission":
            steps = [_step(step) for step in parts.get("steps", [])]
            text = "; ".join(steps)
            return f"{parts['rule']}: {text}" if parts.get("rule") else text
        if kind == "adjustment":
            change = (
                _("amount or rule changed")
                if parts["change"] == "changed"
                else _("newly owed: a late win, a new rule or a deal now this partner's")
            )
            return _(
                "Adjustment for %(period)s (%(change)s): now owed %(owed)s, paid %(paid)s, difference "
                "%(difference)s. Now: %(now)s"
            ) % {
                "period": parts["period"], "change": change, "owed": _money(parts["owed"]),
                "paid": _money(parts["paid"]), "difference": _money(parts["difference"]), "now": render(parts["now"]),
            }  # fmt: skip
        if kind == "clawback":
            paid = Decimal(parts["paid"])
            return _(
                "Clawback for %(period)s: no longer owed to this partner (the deal is no longer won, no longer "
                "this partner's or no longer paid by this rule); paid %(paid)s, reversed %(reversed)s."
            ) % {"period": parts["period"], "paid": _money(paid), "reversed": _money(-paid)}
        if kind == "manual":
            return _manual(parts)
        if kind == "no_rule_in_force":
            return _("no commission rule is in force")
        if kind == "no_rule_matches":
            summary = "; ".join(
                ngettext("%(reason)s (%(count)s rule)", "%(reason)s (%(count)s rules)", count)
                % {"reason": _miss(miss), "count": count}
                for miss, count in parts["misses"]
            )
            return _("no rule matches: %(summary)s") % {"summary": summary}
    except (KeyError, TypeError, ValueError, ArithmeticError):
        pass  # parts of an unexpected shape: shown as they were stored, never an error page
    return str(parts.get("text", ""))


def text(value: str) -> dict:
    """Words kept as written, rendered verbatim."""
    return {"kind": "text", "text": value}
