import django_filters

from ecosystem.choices import ProductLine, Region, Sector

from .models import Opportunity, RegistrationStatus, Route, Stage


class OpportunityFilterSet(django_filters.FilterSet):
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices)
    route = django_filters.MultipleChoiceFilter(choices=Route.choices)
    product_line = django_filters.MultipleChoiceFilter(choices=ProductLine.choices)
    registration_status = django_filters.MultipleChoiceFilter(choices=RegistrationStatus.choices)
    region = django_filters.MultipleChoiceFilter(field_name="account__region", choices=Region.choices)
    sector = django_filters.MultipleChoiceFilter(field_name="account__sector", choices=Sector.choices)
    closed_from = django_filters.DateFilter(field_name="closed_on", lookup_expr="gte")
    closed_to = django_filters.DateFilter(field_name="closed_on", lookup_expr="lte")
    amount_min = django_filters.NumberFilter(field_name="amount", lookup_expr="gte")
    amount_max = django_filters.NumberFilter(field_name="amount", lookup_expr="lte")

    class Meta:
        model = Opportunity
        fields = [
            "account",
            "partner",
            "stage",
            "route",
            "product_line",
            "registration_status",
            "has_conflict",
            "external_id",
        ]
