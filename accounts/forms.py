from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ecosystem.picker import parse_reference
from ecosystem.search import search_condition
from partners.models import Partner, PartnerStatus
from partners.picking import PartnerPickField

from .models import AssignmentRole


class AccountImportForm(forms.Form):
    file = forms.FileField(
        label=_("Account file (CSV)"),
        help_text=_("Columns: siren,name,sector,region,city,employees,is_select,vendor_awareness — UTF-8, ',' or ';'."),
    )
    good_rows_only = forms.BooleanField(
        label=_("Import the good rows even if some rows are bad"), required=False, initial=False
    )


class AssignForm(forms.Form):
    partner = PartnerPickField(label=_("Partner"), suspended=False)
    role = forms.ChoiceField(choices=AssignmentRole.choices, initial=AssignmentRole.PRIMARY, label=_("Role"))
    valid_from = forms.DateField(
        required=False, label=_("From"), help_text=_("Today if empty."), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(required=False, max_length=500, label=_("Reason"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.for_user(user).exclude(status=PartnerStatus.SUSPENDED)


class PartnerOrNameField(PartnerPickField):
    """A partner picked (its id or SIREN), or else the words of a name, kept as text."""

    def to_python(self, value):
        if value in self.empty_values or parse_reference(value) is not None:
            return super().to_python(value)
        return str(value).strip()[:200]


class ProposalFilterForm(forms.Form):
    """The proposal page's partner filter."""

    partner = PartnerOrNameField(queryset=Partner.objects.all(), required=False, label=_("Partner"))

    def partner_condition(self) -> Q | None:
        """The condition on proposal items, or None when the filter is empty or refused."""
        if not self.is_valid() or not (value := self.cleaned_data["partner"]):
            return None
        if isinstance(value, Partner):
            return Q(partner=value)
        return search_condition(value, folded=("partner__name",))


class EndAssignmentForm(forms.Form):
    reason = forms.CharField(required=False, max_length=500, label=_("Reason"))


class AssignmentImportForm(AccountImportForm):
    file = forms.FileField(
        label=_("Assignments file (CSV)"), help_text=_("Columns: account_siren,partner_siren,role,valid_from.")
    )
