from ecosystem.roles import INTERNAL_ROLES
from ecosystem.web import ScopedListView

from .filtersets import AuditEventFilterSet
from .models import AuditEvent


class AuditEventListView(ScopedListView):
    """Managers and the channel team read the audit trail; partner users get 403."""

    model = AuditEvent
    allowed_roles = INTERNAL_ROLES
    filterset_class = AuditEventFilterSet
    template_name = "audit/event_list.html"
    paginate_by = 100

    def get_queryset(self):
        return super().get_queryset().select_related("partner")
