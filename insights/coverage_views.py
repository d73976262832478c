"""The coverage workspace page (``/accounts/coverage/``): the select accounts by region and by sector."""

from django.views.generic import TemplateView

from accounts.coverage import STALE_DAYS, coverage_totals
from ecosystem.roles import INTERNAL_ROLES
from ecosystem.web import RoleRequiredMixin

from .coverage import coverage_tables


class CoverageView(RoleRequiredMixin, TemplateView):
    """Covered and uncovered select accounts by region and by sector, with stale coverage.

    Internal users see every select account: the counts come from the dashboards' snapshot
    when there is one (``?live=1`` counts them now); the account lists they link to are live.
    """

    allowed_roles = INTERNAL_ROLES
    template_name = "insights/coverage.html"

    def get_context_data(self, **kwargs):
        live = (self.request.GET.get("live") or "").lower() in ("1", "true", "yes")
        tables, source = coverage_tables(self.request.user, ("region", "sector"), live)
        by_region, by_sector = tables["region"], tables["sector"]
        return super().get_context_data(
            by_region=by_region,
            by_sector=by_sector,
            totals=coverage_totals(by_region),
            stale_days=STALE_DAYS,
            source=source,
            live_requested=live,
            **kwargs,
        )


