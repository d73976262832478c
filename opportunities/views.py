from ecosystem.roles import is_internal
from ecosystem.web import ScopedDetailView, ScopedListView

from .conflicts import conflicting_assignment, conflicting_registrations
from .filtersets import OpportunityFilterSet
from .models import Opportunity


class OpportunityListView(ScopedListView):
    model = Opportunity
    filterset_class = OpportunityFilterSet
    template_name = "opportunities/opportunity_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("account", "partner")


class OpportunityDetailView(ScopedDetailView):
    model = Opportunity
    template_name = "opportunities/opportunity_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("account", "partner", "roadshow", "decided_by")

    def get_context_data(self, **kwargs):
        context = {"history": self.object.history.select_related("history_user").order_by("-history_date")[:50]}
        if is_internal(self.request.user) and self.object.has_conflict:
            # Only the channel team sees the conflicting records side by side.
            context["conflicting_registrations"] = conflicting_registrations(self.object)
            context["conflicting_assignment"] = conflicting_assignment(self.object)
        return super().get_context_data(**context, **kwargs)
