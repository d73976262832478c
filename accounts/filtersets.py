import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecosystem.choices import Region, Sector
from ecosystem.search import search_condition
from partners.models import Partner
from partners.picking import PartnerPickFilter

from .coverage import stale_filter
from .models import Account, Assignment, AssignmentRole, Awareness


class AccountFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        label=_("Name, SIREN or city"),
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, SIREN or city"), "aria-label": _("Name, SIREN or city")}
        ),
    )
    sector = django_filters.MultipleChoiceFilter(choices=Sector.choices)
    region = django_filters.MultipleChoiceFilter(choices=Region.choices)
    vendor_awareness = django_filters.MultipleChoiceFilter(choices=Awareness.choices)
    assigned = django_filters.BooleanFilter(method="filter_assigned", label="Has an open primary assignment")
    partner = PartnerPickFilter(queryset=Partner.objects.all(), method="filter_partner", label=_("Assigned to partner"))
    stale = django_filters.BooleanFilter(
        method="filter_stale", label="Primary partner logged no opportunity on it in 180 days"
    )

    #: The unbound form depends on nothing but its fields (``{% filter_fields %}`` may reuse its HTML).
    static_form = True

    class Meta:
        model = Account
        fields = ["sector", "region", "is_select", "vendor_awareness", "siren"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_condition(value, folded=("name", "city"), exact=("siren",)))

    def filter_assigned(self, queryset, name, value):
        primary = Assignment.objects.open().filter(account=OuterRef("pk"), role=AssignmentRole.PRIMARY)
        return queryset.filter(Exists(primary)) if value else queryset.exclude(Exists(primary))

    def filter_stale(self, queryset, name, value):
        condition = stale_filter(timezone.localdate())
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_partner(self, queryset, name, value):
        # Only ever narrows the caller's already-scoped rows.
        held = Assignment.objects.open().filter(account=OuterRef("pk"), partner_id=value.pk)
        return queryset.filter(Exists(held))


class AssignmentFilterSet(django_filters.FilterSet):
    open = django_filters.BooleanFilter(field_name="valid_to", lookup_expr="isnull", label="Open")

    class Meta:
        model = Assignment
        fields = ["account", "partner", "role"]
