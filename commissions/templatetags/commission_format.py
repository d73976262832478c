"""Display helpers for commission figures: a rate as a percentage, a decimal without trailing zeros."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def as_percent(rate) -> str:
    """``0.075`` → ``7.5 %``."""
    try:
        value = Decimal(str(rate)) * 100
    except (InvalidOperation, ValueError, TypeError):
        return ""
    return f"{value.normalize():f} %"


@register.filter
def plain(value) -> str:
    """``0.050000`` → ``0.05``; empty for None."""
    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(str(value)).normalize():f}"
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
