"""Query-parameter filters of the commission lists (API and pages), named after the fields."""

import django_filters
from django.db.models import Q

from .models import (
    Calculation,
    Dispute,
    DisputeStatus,
    Program,
    ProgramStatus,
    Rule,
    RunStatus,
    SettlementException,
    SettlementRun,
    Stacking,
    Statement,
)


class ProgramFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ProgramStatus.choices)
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Program
        fields = ["status", "name"]


class RuleFilterSet(django_filters.FilterSet):
    program = django_filters.NumberFilter(field_name="program")
    stacking = django_filters.ChoiceFilter(choices=Stacking.choices)
    calculation = django_filters.ChoiceFilter(choices=Calculation.choices)
    active_on = django_filters.DateFilter(method="filter_active_on", label="In force on (date)")

    class Meta:
        model = Rule
        fields = ["program", "stacking", "calculation", "registration_required"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=value),
            Q(valid_to__isnull=True) | Q(valid_to__gte=value),
            Q(program__valid_to__isnull=True) | Q(program__valid_to__gte=value),
            program__valid_from__lte=value,
            program__status=ProgramStatus.ACTIVE,
        )


class SettlementRunFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=RunStatus.choices)

    class Meta:
        model = SettlementRun
        fields = ["status", "period", "preliminary"]


class StatementFilterSet(django_filters.FilterSet):
    # Plain numbers, not model choices: an unknown id filters to nothing instead of saying it exists.
    run = django_filters.NumberFilter(field_name="run")
    partner = django_filters.NumberFilter(field_name="partner")
    period = django_filters.CharFilter(field_name="run__period")
    run_status = django_filters.MultipleChoiceFilter(field_name="run__status", choices=RunStatus.choices)

    class Meta:
        model = Statement
        fields = ["run", "partner", "period", "run_status"]


class DisputeFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=DisputeStatus.choices)
    period = django_filters.CharFilter(field_name="line__run__period")
    partner = django_filters.NumberFilter(field_name="line__partner")
    line = django_filters.NumberFilter(field_name="line")

    class Meta:
        model = Dispute
        fields = ["status", "line", "period", "partner"]


class SettlementExceptionFilterSet(django_filters.FilterSet):
    run = django_filters.NumberFilter(field_name="run")
    partner = django_filters.NumberFilter(field_name="partner")
    period = django_filters.CharFilter(field_name="run__period")

    class Meta:
        model = SettlementException
        fields = ["run", "partner", "period"]
