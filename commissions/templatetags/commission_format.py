"""Display helpers for commission figures: a rate as a percentage, a decimal without trailing zeros."""

from decimal import Decimal, InvalidOperation

from django import template

from ecosystem.templatetags.numbers import format_percent

register = template.Library()


@register.filter
def as_percent(rate) -> str:
    """``0.075`` → ``7.5 %`` (``7,5 %`` in French); empty for nothing."""
    if rate is None or rate == "":
        return ""
    text = format_percent(rate, places=None)
    return "" if text == "—" else text


@register.filter
def plain(value) -> str:
    """``0.050000`` → ``0.05``; empty for None."""
    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(str(value)).normalize():f}"
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
