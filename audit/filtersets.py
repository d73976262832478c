from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecosystem.filtering import FilterSet
from ecosystem.picker import PickFilter

from . import kinds
from .models import AuditEvent


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def kind_choices():
    """The kinds present in the log, with their labels when known."""
    present = AuditEvent.objects.order_by("kind").values_list("kind", flat=True).distinct()
    return [(kind, kinds.label(kind)) for kind in present]


def _partners(request):
    # The partners of the audit trail's own foreign key: the audit app knows no app above it.
    return AuditEvent._meta.get_field("partner").related_model._default_manager.all()


class AuditEventFilterSet(FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=kind_choices)
    actor = django_filters.CharFilter(label=_("Actor"), field_name="actor_repr", lookup_expr="icontains")
    partner = PickFilter(label=_("Partner"), queryset=_partners, source="api:partner-pick")
    date_from = django_filters.DateFilter(
        label=_("From"), method="filter_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label=_("To"), method="filter_to", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEvent
        fields = ["kind", "actor", "partner", "date_from", "date_to"]

    # Whole local days, compared on the indexed timestamp itself.
    def filter_from(self, queryset, name, value):
        return queryset.filter(at__gte=_start_of(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(at__lt=_start_of(value + timedelta(days=1)))
