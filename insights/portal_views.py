"""The partner portal's home page: its pipeline, wins, claims, earnings and accounts — nobody else's.

It gathers what several apps know of the partner (opportunities, registrations, commissions), so it
lives here, above them, rather than in ``partners``.
"""

from django.utils import timezone
from django.views.generic import TemplateView

from ecosystem.roles import PARTNER_ROLES
from ecosystem.web import RoleRequiredMixin
from opportunities.models import Opportunity

from . import selectors
from .portal import partner_figures_by_quarter


class PortalHomeView(RoleRequiredMixin, TemplateView):
    """A partner's start page: its pipeline, wins and accounts, nobody else's."""

    allowed_roles = PARTNER_ROLES
    template_name = "insights/portal_home.html"

    def get_context_data(self, **kwargs):
        partner_id = self.request.user.partner_id
        recent = Opportunity.objects.for_user(self.request.user).select_related("account").order_by("-updated_at")[:10]
        return super().get_context_data(
            partner=self.request.user.partner,
            figures=selectors.partner_figures(partner_id, timezone.localdate()),
            recent=recent,
            **partner_figures_by_quarter(partner_id, timezone.localdate()),
            **kwargs,
        )
