import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from accounts.picking import AccountPickFilter
from ecosystem.choices import ProductLine, Region, Sector
from ecosystem.filtering import FilterSet
from ecosystem.roles import is_internal
from partners.models import Partner
from partners.picking import PartnerPickFilter

from .claims import overdue_before
from .models import ExtensionStatus, Opportunity, RegistrationStatus, Route, Stage, claim_q

# The channel team's triage marker: a partner filtering its own rows on it would learn that another
# partner holds the deal, so the filter does not exist for partner users (the parameter is ignored).
INTERNAL_ONLY = ("has_conflict",)


class OpportunityFilterSet(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Account name or SIREN"))
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices)
    route = django_filters.MultipleChoiceFilter(choices=Route.choices)
    product_line = django_filters.MultipleChoiceFilter(choices=ProductLine.choices)
    registration_status = django_filters.MultipleChoiceFilter(choices=RegistrationStatus.choices)
    extension_status = django_filters.MultipleChoiceFilter(choices=ExtensionStatus.choices)
    region = django_filters.MultipleChoiceFilter(
        field_name="account__region", choices=Region.choices, label=_("Region")
    )
    sector = django_filters.MultipleChoiceFilter(
        field_name="account__sector", choices=Sector.choices, label=_("Sector")
    )
    closed_from = django_filters.DateFilter(field_name="closed_on", lookup_expr="gte", label=_("Closed from"))
    closed_to = django_filters.DateFilter(field_name="closed_on", lookup_expr="lte", label=_("Closed until"))
    protected_from = django_filters.DateFilter(
        field_name="protected_until", lookup_expr="gte", label=_("Protection ends on or after")
    )
    protected_to = django_filters.DateFilter(
        field_name="protected_until", lookup_expr="lte", label=_("Protection ends on or before")
    )
    amount_min = django_filters.NumberFilter(field_name="amount", lookup_expr="gte", label=_("Amount from (€)"))
    amount_max = django_filters.NumberFilter(field_name="amount", lookup_expr="lte", label=_("Amount up to (€)"))
    # Pickers, not choice lists: a choice list would render (and confirm) every account and partner
    # to whoever opens the filter form. The partner is one the caller may see (another partner's id
    # is refused like an unknown one); any account may be named, as on a registration, and only
    # ever narrows the caller's scoped rows.
    account = AccountPickFilter(queryset=Account.objects.all(), label=_("Account"))
    partner = PartnerPickFilter(queryset=Partner.objects.all(), label=_("Partner"))
    has_conflict = django_filters.BooleanFilter()
    # Claims (SPEC §4.2): wins awaiting confirmation, and those waiting longer than CLAIM_CONFIRMATION_DAYS.
    awaiting_confirmation = django_filters.BooleanFilter(label=_("Won, awaiting confirmation"))
    claim_overdue = django_filters.BooleanFilter(method="filter_claim_overdue", label=_("Claim awaiting too long"))

    #: The unbound form depends on nothing but the fields shown (``{% filter_fields %}`` may reuse its HTML).
    static_form = True

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

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        if not is_internal(user):
            for name in INTERNAL_ONLY:
                self.filters.pop(name, None)

    def filter_claim_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = claim_q() & Q(claimed_at__date__lt=overdue_before())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(account__name__icontains=value) | Q(account__siren__startswith=value))
