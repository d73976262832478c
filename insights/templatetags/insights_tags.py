from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.periods import to_date_label
from ecosystem.templatetags.numbers import format_number, format_percent

register = template.Library()


@register.filter
def cell(value, kind="text"):
    """A table cell for display: euros with two decimals, shares as percentages, "—" for nothing."""
    if value is None or value == "":
        return "—"
    if kind == "money":
        return format_number(Decimal(str(value)), 2)
    if kind == "share":
        return format_percent(value)
    if kind == "int":
        return format_number(Decimal(str(value)), 0)
    if kind == "period":
        # A quarter not over yet says so: "Q4 2026 to date (through 2 Dec)".
        return to_date_label(value, timezone.localdate())
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


@register.filter
def percent(value):
    return cell(value, "share")


@register.filter
def target_share(value):
    """A target's share: 0.5 → "50 %", in the reader's language."""
    from insights.targets import as_percent

    return "—" if value in (None, "") else as_percent(value)


@register.filter
def snapshot_time(value):
    """A snapshot's ``computed_at`` (ISO text, as the API gives it) as a local date and time."""
    from django.template.defaultfilters import date as format_date
    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        return value
    return format_date(timezone.localtime(moment), "j F Y H:i")


@register.simple_tag(takes_context=True)
def toggle_live(context):
    """This page's address with ``live=1`` added, or taken away if it is there (never ``export``)."""
    params = context["request"].GET.copy()
    params.pop("export", None)
    if params.pop("live", None) is None:
        params["live"] = "1"
    encoded = params.urlencode()
    return "?" + encoded if encoded else context["request"].path
