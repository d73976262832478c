"""``{% portal_registrations %}``: the partner's registrations that need attention, for its portal home."""

from datetime import timedelta

from django import template
from django.utils import timezone

from ecosystem.roles import PARTNER_ROLES, role_of

from ..models import OPEN_STAGES, Opportunity, RegistrationStatus

register = template.Library()

ENDING_SOON_DAYS = 21


@register.inclusion_tag("opportunities/_portal_registrations.html", takes_context=True)
def portal_registrations(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if role_of(user) not in PARTNER_ROLES:
        return {"show": False}
    today = timezone.localdate()
    mine = Opportunity.objects.for_user(user).select_related("account")
    ending = mine.filter(
        registration_status=RegistrationStatus.APPROVED,
        stage__in=OPEN_STAGES,
        protected_until__gte=today,
        protected_until__lte=today + timedelta(days=ENDING_SOON_DAYS),
    ).order_by("protected_until", "id")[:10]
    waiting = mine.filter(registration_status=RegistrationStatus.PENDING).order_by("created_at", "id")[:10]
    return {"show": True, "ending": list(ending), "waiting": list(waiting), "days": ENDING_SOON_DAYS}
