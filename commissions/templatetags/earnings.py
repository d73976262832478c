"""``{% portal_earnings %}``: a partner's commissions told apart on its portal home (SPEC §4.3):
earned so far this quarter (preliminary), approved but not paid, paid."""

from django import template
from django.utils import timezone

from ecosystem.roles import PARTNER_ROLES, role_of

from ..earnings import partner_earnings

register = template.Library()


@register.inclusion_tag("commissions/_portal_earnings.html", takes_context=True)
def portal_earnings(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if role_of(user) not in PARTNER_ROLES or not getattr(user, "partner_id", None):
        return {"earnings": None}
    return {"earnings": partner_earnings(user.partner_id, timezone.localdate()), "request": request}
