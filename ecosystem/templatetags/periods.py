"""Periods as people say them: ``{{ run.period|period_label }}`` ("Q4 2026" / "T4 2026", "October 2026" /
"octobre 2026"), and ``{{ period|to_date:today }}`` marks one not over yet ("Q4 2026 to date (through 2 Dec)")."""

from django import template

from ecosystem import periods

register = template.Library()


@register.filter
def period_label(value):
    return periods.period_label(value)


@register.filter
def to_date(value, today):
    return periods.to_date_label(value, today)


@register.filter
def name_periods(text):
    """A text recorded earlier with the period codes in it named: ``2026-Q1 (approved)`` → "Q1 2026 (approved)"."""
    return periods.name_periods(text)
