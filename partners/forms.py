"""Forms of the partner, secondment and roadshow pages. They parse and check what a form can see;
the services (partners/services.py) decide, and their refusals are shown on the same fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Partner, PartnerStatus, Roadshow, Secondment
from .picking import PartnerPickField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PartnerForm(forms.ModelForm):
    """A partner's fields; the SIREN's check digit and uniqueness are checked like the model does."""

    class Meta:
        model = Partner
        fields = ["name", "siren", "kind", "tier", "status", "regions", "specialisations", "joined_on", "capacity"]
        widgets = {
            "joined_on": DATE,
            "siren": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 9, "autocomplete": "off"}),
        }
        labels = {
            "name": _("Name"),
            "siren": _("SIREN"),
            "kind": _("Kind"),
            "tier": _("Tier"),
            "status": _("Status"),
            "joined_on": _("Joined on"),
            "capacity": _("Capacity (open primary accounts)"),
        }
        help_texts = {
            "siren": _("9 digits, the last one a check digit."),
            "capacity": _("The most open primary assignments the proposals give it."),
        }
        error_messages = {"siren": {"unique": _("A partner with this SIREN already exists.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Suspending and reactivating are actions of their own, with a reason kept in the history.
            del self.fields["status"]
        else:
            self.fields["status"].choices = [
                (value, label) for value, label in PartnerStatus.choices if value != PartnerStatus.SUSPENDED
            ]
        self.fields["regions"].label = _("Regions served")
        self.fields["specialisations"].label = _("Specialisations")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the history."),
    )


class SuspendForm(ReasonForm):
    reason = forms.CharField(
        label=_("Why is the partner suspended?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the history. A suspended partner gets no new assignment, secondment or roadshow."),
        error_messages={"required": _("Say why the partner is suspended: it is kept in its history.")},
    )


class SecondmentForm(forms.ModelForm):
    partner = PartnerPickField(queryset=Partner.objects.none(), label=_("Partner"), suspended=False)

    class Meta:
        model = Secondment
        fields = ["expert_name", "expert_email", "expertise", "partner", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}
        labels = {
            "expert_name": _("Expert's name"),
            "expert_email": _("Expert's e-mail"),
            "expertise": _("Expertise"),
            "starts_on": _("Starts on"),
            "ends_on": _("Ends on"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.for_user(user)


class SecondmentEndForm(ReasonForm):
    ends_on = forms.DateField(
        label=_("Last day"), required=False, widget=DATE, help_text=_("Today if empty; before the planned last day.")
    )


class RoadshowForm(forms.ModelForm):
    class Meta:
        model = Roadshow
        fields = ["title", "city", "region", "date"]
        widgets = {"date": DATE}
        labels = {"title": _("Title"), "city": _("City"), "region": _("Region"), "date": _("Date")}


class AttendeeForm(forms.Form):
    partner = PartnerPickField(queryset=Partner.objects.none(), label=_("Partner"))

    def __init__(self, *args, user, suspended: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["partner"]
        field.queryset = Partner.objects.for_user(user)
        if not suspended:
            field.widget.params = "suspended=0"
