import django_filters

from ecosystem.choices import ProductLine, Region

from .models import Partner, PartnerKind, PartnerStatus, PartnerTier, Roadshow, Secondment


class PartnerFilterSet(django_filters.FilterSet):
    tier = django_filters.MultipleChoiceFilter(choices=PartnerTier.choices)
    kind = django_filters.MultipleChoiceFilter(choices=PartnerKind.choices)
    status = django_filters.MultipleChoiceFilter(choices=PartnerStatus.choices)
    region = django_filters.ChoiceFilter(choices=Region.choices, method="filter_region", label="Region served")
    specialisation = django_filters.ChoiceFilter(
        choices=ProductLine.choices, method="filter_specialisation", label="Specialisation"
    )
    siren = django_filters.CharFilter()

    class Meta:
        model = Partner
        fields = ["tier", "kind", "status", "siren"]

    # JSON lists are matched on their quoted element: portable across SQLite and PostgreSQL.
    def filter_region(self, queryset, name, value):
        return queryset.filter(regions__icontains=f'"{value}"')

    def filter_specialisation(self, queryset, name, value):
        return queryset.filter(specialisations__icontains=f'"{value}"')


class SecondmentFilterSet(django_filters.FilterSet):
    class Meta:
        model = Secondment
        fields = ["partner", "expertise"]


class RoadshowFilterSet(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Roadshow
        fields = ["region", "city"]
