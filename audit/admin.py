from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is written by the code, never edited by hand."""

    list_display = ["at", "kind", "actor_repr", "partner", "target_repr", "ip"]
    list_filter = ["kind"]
    list_select_related = ["partner"]
    search_fields = ["actor_repr", "target_repr", "kind"]
    date_hierarchy = "at"
    readonly_fields = [
        "kind",
        "at",
        "actor",
        "actor_repr",
        "partner",
        "target_type",
        "target_id",
        "target_repr",
        "detail",
        "ip",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
