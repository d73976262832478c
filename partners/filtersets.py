import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from ecosystem.choices import ProductLine, Region
from ecosystem.filtering import FilterSet
from ecosystem.search import search_condition

from .models import Expertise, Partner, PartnerKind, PartnerStatus, PartnerTier, Roadshow, Secondment
from .picking import PartnerPickFilter


class PartnerFilterSet(FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        label=_("Name or SIREN"),
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name or SIREN"), "aria-label": _("Name or SIREN")}
        ),
    )
    tier = django_filters.MultipleChoiceFilter(choices=PartnerTier.choices)
    kind = django_filters.MultipleChoiceFilter(choices=PartnerKind.choices)
    status = django_filters.MultipleChoiceFilter(choices=PartnerStatus.choices)
    region = django_filters.ChoiceFilter(choices=Region.choices, method="filter_region", label=_("Region served"))
    specialisation = django_filters.ChoiceFilter(
        choices=ProductLine.choices, method="filter_specialisation", label=_("Specialisation")
    )
    siren = django_filters.CharFilter()

    class Meta:
        model = Partner
        fields = ["tier", "kind", "status", "siren"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_condition(value, folded=("name",), exact=("siren",)))

    # JSON lists are matched on their quoted element: portable across SQLite and PostgreSQL.
    def filter_region(self, queryset, name, value):
        return queryset.filter(regions__icontains=f'"{value}"')

    def filter_specialisation(self, queryset, name, value):
        return queryset.filter(specialisations__icontains=f'"{value}"')


class SecondmentFilterSet(FilterSet):
    partner = PartnerPickFilter(queryset=Partner.objects.all(), label=_("Partner"))
    expertise = django_filters.ChoiceFilter(choices=Expertise.choices, label=_("Expertise"))
    on = django_filters.DateFilter(
        method="filter_on", label=_("In place on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = Secondment
        fields = ["partner", "expertise"]

    def filter_on(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value, ends_on__gte=value)


class RoadshowFilterSet(FilterSet):
    partner = PartnerPickFilter(queryset=Partner.objects.all(), field_name="partners", label=_("Attending partner"))
    region = django_filters.ChoiceFilter(choices=Region.choices, label=_("Region"))
    city = django_filters.CharFilter(label=_("City"))
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = Roadshow
        fields = ["region", "city"]
