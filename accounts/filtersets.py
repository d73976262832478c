import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecosystem.choices import Region, Sector
from ecosystem.filtering import FilterSet
from ecosystem.roles import partner_id_of
from ecosystem.search import search_condition
from partners.models import Partner
from partners.picking import PartnerPickFilter

from .coverage import stale_filter
from .models import Account, Assignment, AssignmentRole, Awareness

#: What ``assigned``, ``partner`` and ``stale`` mean, for each kind of caller (also the API schema's words).
COVERAGE_FILTERS = {
    "assigned": (
        "Internal users: the account has an open primary assignment. Partner users: their own partner holds the "
        "account's open primary assignment (false: it covers the account as secondary)."
    ),
    "partner": (
        "Internal users: accounts with an open assignment to this partner (its id or SIREN). Partner users: only "
        "their own partner narrows anything; any other partner is refused exactly like one that does not exist."
    ),
    "stale": (
        "Internal users: the primary partner, assigned 180 days ago or more, registered no opportunity on the "
        "account since. Partner users: their own partner's assignment (primary or secondary) is 180 days old or "
        "more and their partner registered no opportunity on the account since."
    ),
}


class AccountFilterSet(FilterSet):
    """The account list's filters (API, page, both exports).

    ``assigned``, ``partner`` and ``stale`` are computed from assignments and opportunities: for an
    internal user from everyone's, for a partner user from its own partner's only (SPEC §2: no filter,
    count or export may tell a partner anything of another partner's coverage of an account they share).
    See ``COVERAGE_FILTERS``.
    """

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
    assigned = django_filters.BooleanFilter(method="filter_assigned", label=_("Has an open primary assignment"))
    partner = PartnerPickFilter(queryset=Partner.objects.all(), method="filter_partner", label=_("Assigned to partner"))
    stale = django_filters.BooleanFilter(
        method="filter_stale", label=_("Primary partner logged no opportunity on it in 180 days")
    )

    #: The same three filters as a partner user reads them: its own coverage.
    PARTNER_LABELS = {
        "assigned": _("My partner is primary"),
        "partner": _("Partner (your own)"),
        "stale": _("We logged no opportunity on it in 180 days"),
    }

    #: The unbound form depends on nothing but its fields (``{% filter_fields %}`` may reuse its HTML),
    #: and on the kind of caller for the labels above (``static_form_variant``).
    static_form = True

    class Meta:
        model = Account
        fields = ["sector", "region", "is_select", "vendor_awareness", "siren"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        #: The caller's partner: every coverage filter then reads this partner's rows only.
        self.partner_id = partner_id_of(getattr(request, "user", None))
        if self.partner_id is not None:
            for name, label in self.PARTNER_LABELS.items():
                self.filters[name].label = label
            self.static_form_variant = "partner"

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_condition(value, folded=("name", "city"), exact=("siren",)))

    def filter_assigned(self, queryset, name, value):
        primary = Assignment.objects.open().filter(account=OuterRef("pk"), role=AssignmentRole.PRIMARY)
        if self.partner_id is not None:
            primary = primary.filter(partner_id=self.partner_id)
        return queryset.filter(Exists(primary)) if value else queryset.exclude(Exists(primary))

    def filter_stale(self, queryset, name, value):
        condition = stale_filter(timezone.localdate(), partner_id=self.partner_id)
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_partner(self, queryset, name, value):
        if self.partner_id is not None and value.pk != self.partner_id:
            # Another partner's id: the same answer as an id that does not exist.
            return queryset.none()
        # Only ever narrows the caller's already-scoped rows.
        held = Assignment.objects.open().filter(account=OuterRef("pk"), partner_id=value.pk)
        return queryset.filter(Exists(held))


class AssignmentFilterSet(FilterSet):
    account = django_filters.NumberFilter(field_name="account", label=_("Account (id)"))
    partner = django_filters.NumberFilter(field_name="partner", label=_("Partner (id)"))
    open = django_filters.BooleanFilter(field_name="valid_to", lookup_expr="isnull", label=_("Open"))

    class Meta:
        model = Assignment
        fields = ["account", "partner", "role"]
