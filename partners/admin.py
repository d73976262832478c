from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Partner, Roadshow, Secondment


@admin.register(Partner)
class PartnerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "siren", "kind", "tier", "status", "joined_on", "capacity"]
    list_filter = ["tier", "kind", "status"]
    search_fields = ["name", "siren"]


@admin.register(Secondment)
class SecondmentAdmin(SimpleHistoryAdmin):
    list_display = ["expert_name", "expertise", "partner", "starts_on", "ends_on"]
    list_filter = ["expertise"]
    list_select_related = ["partner"]
    autocomplete_fields = ["partner"]
    search_fields = ["expert_name", "partner__name"]


@admin.register(Roadshow)
class RoadshowAdmin(SimpleHistoryAdmin):
    list_display = ["title", "city", "region", "date"]
    list_filter = ["region"]
    search_fields = ["title", "city"]
    autocomplete_fields = ["partners"]
