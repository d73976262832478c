"""Query-parameter filters of the payments lists (API and pages), named after the fields."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from ecosystem.filtering import FilterSet
from partners.models import Partner
from partners.picking import PartnerPickFilter

from .models import BillingDetails, Invoice, InvoiceKind, PaymentFile, PaymentFileStatus


class InvoiceFilterSet(FilterSet):
    # Plain numbers, not model choices: an unknown id filters to nothing instead of saying it exists.
    run = django_filters.NumberFilter(field_name="run", label=_("Run"))
    # A partner picked by name, SIREN or id among those in the caller's scope (another's is refused exactly
    # like one that does not exist).
    partner = PartnerPickFilter(queryset=Partner.objects.all(), field_name="partner", label=_("Partner"))
    kind = django_filters.ChoiceFilter(choices=InvoiceKind.choices, label=_("Kind"))
    year = django_filters.NumberFilter(field_name="year", label=_("Year"))
    period = django_filters.CharFilter(field_name="period", label=_("Period"))
    number = django_filters.CharFilter(field_name="number", lookup_expr="icontains", label=_("Number"))

    class Meta:
        model = Invoice
        fields = ["run", "partner", "kind", "year", "period", "number"]


class BillingDetailsFilterSet(FilterSet):
    held = django_filters.BooleanFilter(method="filter_held", label=_("IBAN awaiting confirmation"))
    vat_exempt = django_filters.BooleanFilter(label=_("Exempt from VAT"))

    class Meta:
        model = BillingDetails
        fields = ["held", "vat_exempt"]

    def filter_held(self, queryset, name, value):
        return queryset.filter(iban_confirmed_at__isnull=value)


BILLING_STATES = [
    ("missing", _("No billing details")),
    ("held", _("IBAN awaiting confirmation")),
    ("confirmed", _("Confirmed")),
]


class PartnerBillingFilterSet(FilterSet):
    """The channel team's list of partners by the state of their billing details."""

    state = django_filters.ChoiceFilter(choices=BILLING_STATES, method="filter_state", label=_("Billing details"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("Name"))

    class Meta:
        model = Partner
        fields = ["state", "name"]

    def filter_state(self, queryset, name, value):
        details = BillingDetails.objects.filter(partner=OuterRef("pk"))
        if value == "missing":
            return queryset.filter(~Exists(details))
        if value == "held":
            return queryset.filter(Exists(details.filter(iban_confirmed_at__isnull=True)))
        return queryset.filter(Exists(details.filter(Q(iban_confirmed_at__isnull=False))))


class PaymentFileFilterSet(FilterSet):
    run = django_filters.NumberFilter(field_name="run", label=_("Run"))
    status = django_filters.ChoiceFilter(choices=PaymentFileStatus.choices, label=_("Status"))

    class Meta:
        model = PaymentFile
        fields = ["run", "status"]
