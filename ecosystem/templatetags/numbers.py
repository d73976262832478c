"""Amounts and numbers as the reader writes them, one format on every page.

- ``{{ value|money }}``: ``1 234,50 €`` in French, ``1,234.50 €`` in English, never wrapped;
- ``{% compact_money value %}``: a headline figure, ``3,53 M€`` / ``987 k€``, the exact amount on hover
  and for screen readers (``<data value="3530042.63" title="3 530 042,63 €">``);
- ``{{ value|amount }}``: an amount without the euro sign (a cell under a "(€)" heading), ``1 234,50``;
- ``{{ value|number }}``: a count with the reader's grouping;
- ``format_percent(share)``: a share as a percentage, ``7,50 %``; ``{{ value|pct }}``: a figure already in
  percent, ``45,3 %``.

Templates never format figures themselves (``floatformat``, ``stringformat``, a raw ``{{ x }} €``):
``tests/test_format_lint.py`` keeps it so.
"""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import pgettext

register = template.Library()

NBSP = "\u00a0"


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def format_number(value: Decimal, places: int) -> str:
    text = formats.number_format(value, places, use_l10n=True, force_grouping=True)
    return text.replace(" ", NBSP)  # a grouped figure never breaks across lines


def format_money(value, places: int = 2) -> str:
    amount = _decimal(value)
    if amount is None:
        return "—"
    return f"{format_number(amount, places)}{NBSP}€"


def format_percent(share, places: int | None = 2) -> str:
    """A share as a percentage: ``0.075`` → ``7,50 %`` (``7.5 %`` with ``places=None``: as many decimals as it has)."""
    fraction = _decimal(share)
    if fraction is None:
        return "—"
    value = fraction * 100
    if places is None:
        value = value.normalize()
        places = max(0, -value.as_tuple().exponent)
    return f"{format_number(value, places)}{NBSP}%"


def compact(value) -> str:
    """``3530042.63`` → ``3,53 M€``; under ten thousand euros, the amount to the euro."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    size = abs(amount)
    if size >= Decimal("1000000000"):
        unit = pgettext("thousand million euros", "bn €").replace(" ", NBSP)
        return f"{format_number(amount / Decimal('1000000000'), 2)}{NBSP}{unit}"
    if size >= Decimal("1000000"):
        places = 2 if size < Decimal("10000000") else 1
        return f"{format_number(amount / Decimal('1000000'), places)}{NBSP}M€"
    if size >= Decimal("10000"):
        places = 1 if size < Decimal("100000") else 0
        return f"{format_number(amount / Decimal('1000'), places)}{NBSP}k€"
    return format_money(amount, 0)


@register.filter
def money(value, places=2):
    """The amount with its cents (or ``places`` decimals), grouped, with the euro sign."""
    return format_money(value, int(places))


@register.filter
def amount(value, places=2):
    """The amount with its cents, grouped, without the euro sign."""
    figure = _decimal(value)
    return "—" if figure is None else format_number(figure, int(places))


@register.filter
def pct(value):
    """A figure already in percent (a job's progress, a coverage rate): ``42`` → ``42 %``, ``45.3`` → ``45,3 %``."""
    figure = _decimal(value)
    if figure is None:
        return "—"
    return format_percent(figure / 100, places=None)


@register.filter
def number(value):
    amount = _decimal(value)
    return "—" if amount is None else format_number(amount, 0)


@register.simple_tag
def compact_money(value):
    amount = _decimal(value)
    if amount is None:
        return "—"
    return format_html('<data value="{}" title="{}">{}</data>', amount, format_money(amount), compact(amount))
