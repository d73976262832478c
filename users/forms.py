from django import forms
from django.utils.translation import gettext_lazy as _

from ecosystem.roles import Role, role_of
from partners.models import Partner, PartnerStatus
from partners.picking import PartnerPickField

PARTNER_ROLE_CHOICES = [
    (Role.PARTNER_REP.value, Role.PARTNER_REP.label),
    (Role.PARTNER_ADMIN.value, Role.PARTNER_ADMIN.label),
]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=PARTNER_ROLE_CHOICES, initial=Role.PARTNER_REP)
    partner = PartnerPickField(label=_("Partner"), queryset=Partner.objects.none(), suspended=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if role_of(user) == Role.CHANNEL:
            self.fields["partner"].queryset = Partner.objects.for_user(user).exclude(status=PartnerStatus.SUSPENDED)
        else:
            # A partner administrator invites into its own partner: no choice to make, none to abuse.
            del self.fields["partner"]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=PARTNER_ROLE_CHOICES)
