"""The target form: the share is typed as a percentage (50 for half), stored as a fraction (0.5)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from ecosystem.choices import Region, Sector

from .models import Target, validate_period

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TargetForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    value = forms.DecimalField(
        label=_("Target share (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        localize=True,
        help_text=_("The ecosystem's share of won business to reach, e.g. 50 for half."),
    )
    baseline_period = forms.CharField(
        label=_("Baseline period"),
        max_length=7,
        validators=[validate_period],
        help_text=_("The quarter (2025-Q1) or month (2025-01) the progress is measured from."),
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DATE, help_text=_("After the baseline period."))
    region = forms.ChoiceField(label=_("Region"), choices=[("", _("All regions")), *Region.choices], required=False)
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", _("All sectors")), *Sector.choices], required=False)

    def __init__(self, *args, target: Target | None = None, **kwargs):
        if target is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                "name": target.name,
                "value": (target.value * 100).quantize(Decimal("0.01")),
                "baseline_period": target.baseline_period,
                "deadline": target.deadline,
                "region": target.region,
                "sector": target.sector,
            }
        super().__init__(*args, **kwargs)

    def clean_value(self):
        return (self.cleaned_data["value"] / 100).quantize(Decimal("0.0001"))
