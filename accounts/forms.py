from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import Partner, PartnerStatus

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
    partner = forms.ModelChoiceField(queryset=None, label=_("Partner"))
    role = forms.ChoiceField(choices=AssignmentRole.choices, initial=AssignmentRole.PRIMARY, label=_("Role"))
    valid_from = forms.DateField(
        required=False, label=_("From"), help_text=_("Today if empty."), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(required=False, max_length=500, label=_("Reason"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.for_user(user).exclude(status=PartnerStatus.SUSPENDED)


class EndAssignmentForm(forms.Form):
    reason = forms.CharField(required=False, max_length=500, label=_("Reason"))


class AssignmentImportForm(AccountImportForm):
    file = forms.FileField(
        label=_("Assignments file (CSV)"), help_text=_("Columns: account_siren,partner_siren,role,valid_from.")
    )
