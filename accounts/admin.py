from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Account, Assignment


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ["partner", "role", "valid_from", "valid_to", "assigned_by", "reason"]
    autocomplete_fields = ["partner"]
    readonly_fields = ["assigned_by"]
    can_delete = False  # history is never lost: assignments are ended, not deleted


@admin.register(Account)
class AccountAdmin(SimpleHistoryAdmin):
    list_display = ["name", "siren", "sector", "region", "city", "employees", "is_select", "vendor_awareness"]
    list_filter = ["is_select", "sector", "region", "vendor_awareness"]
    search_fields = ["name", "siren", "city"]
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["account", "partner", "role", "valid_from", "valid_to", "assigned_by"]
    list_filter = ["role", "valid_to"]
    list_select_related = ["account", "partner", "assigned_by"]
    autocomplete_fields = ["account", "partner"]
    search_fields = ["account__name", "account__siren", "partner__name"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.assigned_by = request.user
        super().save_model(request, obj, form, change)
