"""Forms of the payments pages. Types only: the rules of validity are the services' (billing.py,
payment_files.py), shared with the API, and reported on the right fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FRANCHISE_MENTION, BillingDetails

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BillingDetailsForm(forms.Form):
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    address_line = forms.CharField(label=_("Address"), max_length=200)
    address_line_2 = forms.CharField(label=_("Address (continued)"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=10)
    city = forms.CharField(label=_("City"), max_length=100)
    country = forms.CharField(label=_("Country"), max_length=2, initial="FR", help_text=_("two letters: FR, BE, DE…"))
    vat_number = forms.CharField(label=_("VAT number"), max_length=20, required=False, help_text="FR40303265045")
    vat_exempt = forms.BooleanField(label=_("Exempt from VAT"), required=False)
    vat_exemption_mention = forms.CharField(
        label=_("VAT exemption mention"),
        max_length=200,
        required=False,
        help_text=_("Printed on the invoices of an exempt partner; empty: “%(mention)s”.")
        % {"mention": FRANCHISE_MENTION},
    )
    iban = forms.CharField(
        label=_("IBAN"), max_length=50, help_text=_("A new IBAN holds the payments until the channel team confirms it.")
    )
    bic = forms.CharField(label=_("BIC"), max_length=11)

    def __init__(self, *args, details: BillingDetails | None = None, **kwargs):
        if details is not None:
            # A FormView always passes an (empty) ``initial``: the details' values come first, or the edit
            # page would show every field empty. The IBAN is never shown in full on a screen: left empty to keep it.
            current = {name: getattr(details, name) for name in self.base_fields}
            kwargs["initial"] = {**current, **(kwargs.get("initial") or {}), "iban": ""}
        super().__init__(*args, **kwargs)
        if details is not None:
            self.fields["iban"].required = False
            self.fields["iban"].help_text = _(
                "Now %(iban)s. Leave empty to keep it; a new IBAN holds the payments until the channel team "
                "confirms it."
            ) % {"iban": details.masked_iban}


class PaymentFileForm(forms.Form):
    execution_date = forms.DateField(label=_("Execution date"), widget=DATE)


class PaymentFileCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the payment file is cancelled.")},
    )


class PaymentFileExecuteForm(forms.Form):
    executed_on = forms.DateField(
        label=_("Executed by the bank on"),
        widget=DATE,
        error_messages={"required": _("Give the day the bank executed the transfers.")},
    )
    bank_reference = forms.CharField(label=_("Bank's reference"), max_length=100, required=False)
