from django.utils import timezone
from django.views.generic import TemplateView

from ecosystem.periods import quarter_of
from ecosystem.roles import CHANNEL_ONLY, INTERNAL_ROLES
from ecosystem.web import RoleRequiredMixin

from . import selectors
from .models import Target


class WorkspaceHomeView(RoleRequiredMixin, TemplateView):
    """The channel team's start page: coverage and the registrations waiting for a decision."""

    allowed_roles = CHANNEL_ONLY
    template_name = "insights/workspace_home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(figures=selectors.channel_figures(), **kwargs)


class ManagerHomeView(RoleRequiredMixin, TemplateView):
    """Where the ecosystem stands against its target, quarter by quarter."""

    allowed_roles = INTERNAL_ROLES
    template_name = "insights/manager_home.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        series = selectors.quarterly_share(quarter_of(today), count=8)
        return super().get_context_data(
            series=series,
            target=Target.objects.order_by("deadline").first(),
            coverage=selectors.select_coverage(),
            **kwargs,
        )
