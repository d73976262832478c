"""Query-parameter filters of the commission lists (API and pages), named after the fields."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ecosystem.filtering import FilterSet
from partners.models import Partner
from partners.picking import PartnerPickFilter

from .models import (
    Calculation,
    Dispute,
    DisputeOutcome,
    DisputeStatus,
    ManualAdjustment,
    Program,
    ProgramStatus,
    Quota,
    Rule,
    RunStatus,
    SettlementException,
    SettlementRun,
    Stacking,
    Statement,
)


class ProgramFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ProgramStatus.choices)
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Program
        fields = ["status", "name"]


class RuleFilterSet(FilterSet):
    program = django_filters.NumberFilter(field_name="program", label=_("Program (id)"))
    stacking = django_filters.ChoiceFilter(choices=Stacking.choices)
    calculation = django_filters.ChoiceFilter(choices=Calculation.choices)
    active_on = django_filters.DateFilter(method="filter_active_on", label=_("In force on (date)"))

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


class SettlementRunFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=RunStatus.choices)

    class Meta:
        model = SettlementRun
        fields = ["status", "period", "preliminary"]


def _partner_pick(field_name="partner"):
    """``?partner=``: a partner picked by name, or its SIREN or id, among those in the caller's scope
    (``scope_filter_choices``): another partner's is refused exactly like one that does not exist."""
    return PartnerPickFilter(queryset=Partner.objects.all(), field_name=field_name, label=_("Partner"))


class StatementFilterSet(FilterSet):
    # A plain number, not a model choice: an unknown run id filters to nothing instead of saying it exists.
    run = django_filters.NumberFilter(field_name="run", label=_("Settlement (id)"))
    partner = _partner_pick()
    period = django_filters.CharFilter(field_name="run__period", label=_("Period (2026-Q3, 2026-07)"))
    run_status = django_filters.MultipleChoiceFilter(
        field_name="run__status", choices=RunStatus.choices, label=_("Settlement status")
    )

    class Meta:
        model = Statement
        fields = ["run", "partner", "period", "run_status"]


class DisputeFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=DisputeStatus.choices, label=_("Status"))
    outcome = django_filters.ChoiceFilter(choices=DisputeOutcome.choices, label=_("Outcome"))
    period = django_filters.CharFilter(field_name="line__run__period", label=_("Period (2026-Q3, 2026-07)"))
    partner = _partner_pick("line__partner")
    line = django_filters.NumberFilter(field_name="line", label=_("Statement line (id)"))

    class Meta:
        model = Dispute
        fields = ["status", "outcome", "line", "period", "partner"]


class SettlementExceptionFilterSet(FilterSet):
    run = django_filters.NumberFilter(field_name="run", label=_("Settlement (id)"))
    partner = _partner_pick()
    period = django_filters.CharFilter(field_name="run__period", label=_("Period (2026-Q3, 2026-07)"))

    class Meta:
        model = SettlementException
        fields = ["run", "partner", "period"]


class QuotaFilterSet(FilterSet):
    partner = _partner_pick()
    q = django_filters.CharFilter(method="filter_q", label=_("Partner name or SIREN"))
    period = django_filters.CharFilter(method="filter_period", label=_("Period (2026-Q3, 2026-07)"))
    year = django_filters.NumberFilter(method="filter_year", label=_("Year"))

    class Meta:
        model = Quota
        fields = ["partner", "q", "period", "year"]

    def filter_q(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(Q(partner__name__icontains=text) | Q(partner__siren=text.replace(" ", "")))

    def filter_period(self, queryset, name, value):
        return queryset.filter(period=value.strip().upper())

    def filter_year(self, queryset, name, value):
        return queryset.filter(period__startswith=f"{int(value):04d}-") if 1900 <= value <= 9999 else queryset.none()


class ManualAdjustmentFilterSet(FilterSet):
    run = django_filters.NumberFilter(field_name="run", label=_("Settlement (id)"))
    partner = _partner_pick()
    period = django_filters.CharFilter(field_name="run__period", label=_("Period (2026-Q3, 2026-07)"))
    waiting = django_filters.BooleanFilter(field_name="run", lookup_expr="isnull", label=_("Waiting for a run"))

    class Meta:
        model = ManualAdjustment
        fields = ["run", "partner", "period", "waiting"]
