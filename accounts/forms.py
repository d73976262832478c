from django import forms
from django.utils.translation import gettext_lazy as _


class AccountImportForm(forms.Form):
    file = forms.FileField(
        label=_("Account file (CSV)"),
        help_text=_("Columns: siren,name,sector,region,city,employees,is_select,vendor_awareness — UTF-8, ',' or ';'."),
    )
    good_rows_only = forms.BooleanField(
        label=_("Import the good rows even if some rows are bad"), required=False, initial=False
    )
