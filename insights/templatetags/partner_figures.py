"""``{% partner_figures partner as figures %}``: a partner's pipeline, wins, claims and accounts for its page.

The partner page belongs to ``partners``, which sits below the deals these figures count: it asks for them
through this tag (loaded by name when the page renders) rather than importing ``insights``.
"""

from django import template
from django.utils import timezone

from ..selectors import partner_figures as figures_of

register = template.Library()


@register.simple_tag
def partner_figures(partner) -> dict:
    return figures_of(partner.pk, timezone.localdate())
