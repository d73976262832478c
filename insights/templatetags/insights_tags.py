from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def cell(value, kind="text"):
    """A table cell for display: euros with two decimals, shares as percentages, "—" for nothing."""
    if value is None or value == "":
        return "—"
    if kind == "money":
        return floatformat(value, "2g")
    if kind == "share":
        return floatformat(Decimal(str(value)) * 100, "2g") + " %"
    if kind == "int":
        return intcomma(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


@register.filter
def percent(value):
    return cell(value, "share")
