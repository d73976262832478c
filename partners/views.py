from django.db.models import Count, Q
from django.utils import timezone
from django.views.generic import TemplateView

from ecosystem.roles import INTERNAL_ROLES, PARTNER_ROLES
from ecosystem.web import RoleRequiredMixin, ScopedDetailView, ScopedListView
from insights import selectors
from insights.portal import partner_figures_by_quarter
from opportunities.models import Opportunity

from .filtersets import PartnerFilterSet
from .models import Partner


class PartnerListView(ScopedListView):
    model = Partner
    allowed_roles = INTERNAL_ROLES
    filterset_class = PartnerFilterSet
    template_name = "partners/partner_list.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(open_accounts=Count("assignments", filter=Q(assignments__valid_to__isnull=True), distinct=True))
            .order_by("name", "id")
        )


class PartnerDetailView(ScopedDetailView):
    model = Partner
    allowed_roles = INTERNAL_ROLES
    template_name = "partners/partner_detail.html"

    def get_context_data(self, **kwargs):
        partner = self.object
        return super().get_context_data(
            figures=selectors.partner_figures(partner.pk, timezone.localdate()),
            secondments=partner.secondments.all(),
            assignments=partner.assignments.open().select_related("account")[:100],
            **kwargs,
        )


class PortalHomeView(RoleRequiredMixin, TemplateView):
    """A partner's start page: its pipeline, wins and accounts, nobody else's."""

    allowed_roles = PARTNER_ROLES
    template_name = "partners/portal_home.html"

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
