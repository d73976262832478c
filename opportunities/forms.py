"""Forms of the portal and the registrations queue. They parse; the services decide."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from accounts.picking import AccountPickField
from ecosystem.choices import ProductLine
from ecosystem.search import search_condition
from partners.models import Roadshow

from . import validation
from .models import Stage
from .stages import next_stages

SEARCH_LIMIT = 20
SEARCH_MIN_CHARS = 3


def account_search(query: str):
    """Any account by SIREN (digits) or name, for a partner registering outside its assignments.

    Returns only what identifies the company — id, name, SIREN, city — never who covers it.
    """
    query = (query or "").strip()
    if len(query) < SEARCH_MIN_CHARS:
        return []
    condition = search_condition(query, folded=("name",), exact=("siren",))
    return list(
        Account.objects.filter(condition).order_by("name", "id").values("id", "name", "siren", "city")[:SEARCH_LIMIT]
    )


class AmountField(forms.DecimalField):
    """Euros; accepts a French decimal comma and spaces; refuses NaN, infinities and absurd sizes."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", validation.MAX_DIGITS)
        kwargs.setdefault("decimal_places", validation.DECIMAL_PLACES)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
        return super().to_python(value)

    def validate(self, value):
        super().validate(value)
        if value is not None and (message := validation.amount_error(value)):
            raise forms.ValidationError(message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class RegistrationForm(forms.Form):
    """A partner user's registration, on any account: the picker suggests its own accounts first."""

    account = AccountPickField(
        queryset=Account.objects.all(),
        nameable=True,
        label=_("Account"),
        help_text=_("Type a name, a SIREN or a city: your accounts come first. Any company may be registered."),
        error_messages={"invalid_choice": _("Choose an account from the list or find it by SIREN or name.")},
    )
    product_line = forms.ChoiceField(
        choices=[("", "—")] + list(ProductLine.choices),
        label=_("Product line"),
        error_messages={"invalid_choice": _("Choose one of the product lines.")},
    )
    amount = AmountField(
        label=_("Amount (EUR)"), help_text=_("Estimated deal value in euros, e.g. 125000 or 125000,50.")
    )
    expected_close = forms.DateField(label=_("Expected close"), widget=DateInput())
    roadshow = forms.ModelChoiceField(
        queryset=Roadshow.objects.none(),
        required=False,
        label=_("Roadshow it came from"),
        empty_label=_("No roadshow"),
        error_messages={"invalid_choice": _("Choose a roadshow your partner attended.")},
    )
    description = forms.CharField(
        required=False, max_length=300, label=_("Description"), widget=forms.Textarea(attrs={"rows": 2})
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, user, chosen_account: Account | None = None, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", uuid.uuid4().hex)
        if chosen_account is not None:
            kwargs["initial"].setdefault("account", chosen_account.pk)
        super().__init__(*args, **kwargs)
        self.user = user
        # Any account may be named (the conflict check weighs it): the picker offers any company by
        # name, SIREN or city, never who covers it; the page lists nobody else's accounts.
        self.fields["roadshow"].queryset = Roadshow.objects.for_user(user).order_by("-date", "id")
        today = timezone.localdate()
        self.fields["expected_close"].widget.attrs.update(
            {"min": today.isoformat(), "max": validation.horizon(today).isoformat()}
        )

    def clean_expected_close(self):
        value = self.cleaned_data["expected_close"]
        if message := validation.expected_close_error(value, timezone.localdate(), registering=True):
            raise forms.ValidationError(message)
        return value

    def clean_idempotency_key(self):
        value = self.cleaned_data["idempotency_key"]
        if message := validation.idempotency_key_error(value):
            raise forms.ValidationError(message)
        return value


class StageForm(forms.Form):
    """Move an opportunity on; won asks for the closing date and the final amount."""

    stage = forms.ChoiceField(choices=Stage.choices, label=_("New stage"))
    closed_on = forms.DateField(
        required=False, label=_("Closed on"), help_text=_("Needed for won and lost."), widget=DateInput()
    )
    amount = AmountField(required=False, label=_("Final amount (EUR)"), help_text=_("Needed for won."))

    def __init__(self, *args, opportunity, corrective: bool = False, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("amount", opportunity.amount)
        kwargs["initial"].setdefault("closed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        stages = next_stages(opportunity.stage, corrective=corrective)
        self.fields["stage"].choices = [(s, Stage(s).label) for s in stages]
        self.fields["closed_on"].widget.attrs["max"] = timezone.localdate().isoformat()


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, max_length=500, label=_("Reason"))


class DecisionForm(ReasonForm):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(required=False, max_length=500, label=_("Reason (sent to the partner; needed to reject)"))
    acknowledge_conflict = forms.BooleanField(
        required=False, label=_("I have seen the conflict and approve this registration anyway (give the reason)")
    )


class ExtensionRequestForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        label=_("Why do you need more time?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why you need more time.")},
    )


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("grant", _("Grant")), ("refuse", _("Refuse"))])
    reason = forms.CharField(required=False, max_length=500, label=_("Reason (sent to the partner; needed to refuse)"))


class ClaimConfirmForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        label=_("Why is this win confirmed by hand?"),
        help_text=_("For business the order system does not carry; kept in the audit trail."),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why this win is confirmed by hand.")},
    )


class BookingLinkForm(forms.Form):
    opportunity = forms.IntegerField(
        label=_("Opportunity number"),
        min_value=1,
        max_value=2**63 - 1,
        error_messages={"required": _("Give the number of the opportunity this booking confirms.")},
    )
    reason = forms.CharField(
        max_length=500,
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why (it is kept in the audit trail).")},
    )


class BookingCreateForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why (it is kept in the audit trail).")},
    )
