from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Opportunity


@admin.register(Opportunity)
class OpportunityAdmin(SimpleHistoryAdmin):
    list_display = [
        "id",
        "account",
        "partner",
        "route",
        "product_line",
        "amount",
        "stage",
        "closed_on",
        "registration_status",
        "has_conflict",
    ]
    list_filter = ["stage", "route", "product_line", "registration_status", "has_conflict"]
    list_select_related = ["account", "partner"]
    autocomplete_fields = ["account", "partner", "roadshow"]
    search_fields = ["account__name", "account__siren", "partner__name", "external_id"]
    readonly_fields = ["registered_by", "decided_by", "decided_at", "created_at", "updated_at"]
    date_hierarchy = "closed_on"
