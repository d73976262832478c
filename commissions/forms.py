"""Forms of the commission pages. They check nothing themselves beyond types: the rules of
validity are commissions/rules.py's, shared with the API, and reported on the right fields."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from accounts.picking import AccountPickField
from ecosystem.choices import ProductLine
from opportunities.models import Opportunity
from partners.models import Partner
from partners.picking import PartnerPickField

from . import rules as rule_service
from .adjusting import adjustable_lines
from .models import DisputeOutcome, Program, Rule

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _report(form: forms.Form, errors: dict[str, list[str]]) -> None:
    for field, messages in errors.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class ProgramForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=DATE, help_text=_("Empty = open-ended."))
    status = forms.ChoiceField(label=_("Status"), choices=Program._meta.get_field("status").choices)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, program: Program | None = None, **kwargs):
        self.program = program
        if program is not None:
            # A FormView always passes ``initial`` (empty): the program's values come first, or the edit
            # page would show every field empty.
            current = {field: getattr(program, field) for field in rule_service.PROGRAM_FIELDS}
            kwargs["initial"] = {**current, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            _report(self, rule_service.program_errors(cleaned, self.program))
        return cleaned


def bands_text(bands) -> str:
    return "\n".join(f"{start};{rate}" for start, rate in bands or [])


_RULE_FORM_FIELDS = [field for field in rule_service.RULE_FIELDS if field != "bands"]


class RuleForm(forms.Form):
    """Every rule field; bands as text, one ``from amount;rate`` a line."""

    def __init__(self, *args, program: Program, rule: Rule | None = None, **kwargs):
        self.program = program
        self.rule = rule
        if rule is not None:
            # As for programs: the ``initial`` a FormView passes is empty, the rule's values come first.
            current = rule_service.rule_values(rule)
            current["bands"] = bands_text(rule.bands)
            kwargs["initial"] = {**current, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(Rule, fields=_RULE_FORM_FIELDS))
        self.fields["bands"] = forms.CharField(
            label=_("Bands"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 4, "placeholder": "0;0.05\n100000;0.08"}),
            help_text=_("Tiered rules: one band a line, “from amount;rate”, in increasing order (0.08 for 8 %)."),
        )
        for name in ("valid_from", "valid_to"):
            self.fields[name].widget = DATE
        # A plain form does not run the model's validators: the column's range is one of them
        # (a priority beyond it was an error 500 from the database).
        self.fields["priority"].validators.extend(Rule._meta.get_field("priority").validators)
        order = [*rule_service.RULE_FIELDS]
        self.order_fields(order)

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            values = {field: cleaned.get(field) for field in rule_service.RULE_FIELDS}
            values["bands"] = cleaned.get("bands") or ""
            _report(self, rule_service.rule_errors(values, self.program))
        return cleaned

    def values(self) -> dict:
        values = {field: self.cleaned_data.get(field) for field in rule_service.RULE_FIELDS}
        values["bands"] = self.cleaned_data.get("bands") or ""
        for field in ("partner_tiers", "partner_kinds", "product_lines", "sectors", "regions"):
            values[field] = list(values[field] or [])
        return values


class RuleReviseForm(RuleForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["valid_from"]
        field.required = True
        field.label = _("New version starts on")
        field.help_text = _("The current version ends the day before.")
        self.initial = {**self.initial, "valid_from": None}


class SettlementRunForm(forms.Form):
    period = forms.CharField(label=_("Period"), max_length=10, help_text=_("A quarter (2026-Q3) or a month (2026-07)."))

    def clean_period(self):
        from ecosystem.periods import parse_period

        try:
            return parse_period(self.cleaned_data["period"]).label
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


class MarkPaidForm(forms.Form):
    paid_on = forms.DateField(
        label=_("Payment date"),
        widget=DATE,
        error_messages={"required": _("Give the day the payment was made.")},
    )
    payment_reference = forms.CharField(
        label=_("Payment reference"),
        max_length=100,
        help_text=_("The batch's reference; each statement paid gets it unless it has its own below."),
        error_messages={"required": _("Give the payment reference.")},
    )
    references = forms.CharField(
        label=_("Statements paid with their own reference"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "552100554;VIR-2026-0042"}),
        help_text=_("One line per partner: its SIREN;the reference of its transfer."),
    )

    def clean_references(self) -> dict[str, str]:
        references, problems = {}, []
        for number, text in enumerate((self.cleaned_data.get("references") or "").splitlines(), start=1):
            if not text.strip():
                continue
            siren, separator, reference = text.partition(";")
            siren, reference = siren.strip().replace(" ", ""), reference.strip()
            if not separator or not siren or not reference:
                problems.append(
                    _("Line %(n)s: “%(text)s” is not “SIREN;reference”.") % {"n": number, "text": text.strip()[:60]}
                )
            elif siren in references:
                problems.append(_("Line %(n)s: %(siren)s is given twice.") % {"n": number, "siren": siren})
            else:
                references[siren] = reference
        if problems:
            raise forms.ValidationError(problems)
        return references


class ReviewApproveForm(forms.Form):
    """The manager confirms the total they reviewed (typed), acknowledges exceptions if any."""

    confirmed_total = forms.CharField(
        label=_("Total you approve (€)"),
        max_length=30,
        help_text=_("Type the run's total as shown above: it is checked against the run."),
        error_messages={"required": _("Confirm the total you reviewed.")},
    )
    acknowledge_exceptions = forms.BooleanField(
        label=_("I have seen the exceptions: these won deals are paid by no rule in this run"), required=False
    )
    review_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean_confirmed_total(self):
        text = self.cleaned_data["confirmed_total"]
        cleaned = text.replace(" ", "").replace("\u202f", "").replace("\xa0", "").replace("€", "")
        if "," in cleaned and "." not in cleaned:
            cleaned = cleaned.replace(",", ".")
        elif "," in cleaned:
            cleaned = cleaned.replace(",", "")
        try:
            value = Decimal(cleaned)
        except InvalidOperation as error:
            raise forms.ValidationError(_("'%(value)s' is not an amount.") % {"value": text}) from error
        if not value.is_finite() or abs(value) >= Decimal("1e12"):
            raise forms.ValidationError(_("'%(value)s' is not an amount.") % {"value": text})
        return value


class ManualAdjustmentForm(forms.Form):
    line = forms.ModelChoiceField(
        label=_("Approved line it corrects (id)"),
        queryset=None,
        required=False,
        widget=forms.NumberInput,
        help_text=_("A line of an approved statement; its partner bears the adjustment."),
        error_messages={"invalid_choice": _("No line of an approved settlement has this id.")},
    )
    opportunity = forms.ModelChoiceField(
        label=_("or the deal it is about (id)"),
        queryset=None,
        required=False,
        widget=forms.NumberInput,
        help_text=_("Without a line: the deal's partner gets the adjustment."),
        error_messages={"invalid_choice": _("No partner deal has this id.")},
    )
    amount = forms.CharField(
        label=_("Amount (€)"),
        max_length=30,
        help_text=_("Negative to deduct."),
    )
    reason = forms.CharField(
        label=_("Reason (the partner reads it on its statement)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why: the partner reads it on its statement.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = adjustable_lines()
        self.fields["opportunity"].queryset = Opportunity.objects.filter(partner__isnull=False)

    def clean(self):
        cleaned = super().clean()
        if not self.errors and cleaned.get("line") is None and cleaned.get("opportunity") is None:
            self.add_error("line", _("Name the approved line or the deal the adjustment is about."))
        return cleaned


class QuotaForm(forms.Form):
    partner = PartnerPickField(label=_("Partner"), queryset=Partner.objects.none())
    period = forms.CharField(label=_("Period"), max_length=10, help_text=_("A quarter (2026-Q3) or a month (2026-07)."))
    amount = forms.CharField(label=_("Quota (€)"), max_length=30, help_text=_("The won amount aimed at."))
    reason = forms.CharField(label=_("Reason (kept in the history)"), max_length=100, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.for_user(user)


class QuotaEditForm(forms.Form):
    amount = forms.CharField(label=_("Quota (€)"), max_length=30)
    reason = forms.CharField(label=_("Reason (kept in the history)"), max_length=100, required=False)


class QuotaImportForm(forms.Form):
    file = forms.FileField(
        label=_("Quotas file (CSV)"),
        help_text=_("Columns: partner_siren,period,amount — UTF-8, ',' or ';'."),
    )
    good_rows_only = forms.BooleanField(
        label=_("Import the good rows even if some rows are bad"), required=False, initial=False
    )


class DisputeOpenForm(forms.Form):
    comment = forms.CharField(
        label=_("What is wrong with this line?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class DisputeMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write a message.")},
    )


class DisputeResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=DisputeOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the dispute is accepted or rejected.")},
    )
    amount = forms.CharField(
        label=_("Amount granted (€)"),
        max_length=30,
        required=False,
        help_text=_("Accepted: paid as an adjustment line in the partner's next run."),
    )
    resolution = forms.CharField(
        label=_("Resolution (the answer the partner sees)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the resolution the partner will read.")},
    )


class EstimateForm(forms.Form):
    """The deal to estimate: its account picked among all (a partner may register on any account; its own
    are suggested first), by name, SIREN or id; internal users also pick the partner."""

    partner = PartnerPickField(label=_("Partner"), queryset=Partner.objects.none())
    account = AccountPickField(
        label=_("Account"),
        queryset=Account.objects.all(),
        nameable=True,
        help_text=_("You may register on any account."),
        error_messages={"required": _("Choose an account.")},
    )
    product_line = forms.ChoiceField(label=_("Product line"), choices=ProductLine.choices)
    amount = forms.DecimalField(label=_("Amount (€)"), max_digits=14, decimal_places=2, min_value=0)
    expected_close = forms.DateField(
        label=_("Expected close"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Today when left empty."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if getattr(user, "partner_id", None):
            del self.fields["partner"]  # a partner estimates for itself only
        else:
            self.fields["partner"].queryset = Partner.objects.for_user(user)

    def clean(self):
        cleaned = super().clean()
        cleaned["the_account"] = cleaned.get("account")
        cleaned["the_partner"] = cleaned.get("partner") or getattr(self.user, "partner", None)
        return cleaned
