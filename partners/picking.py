"""The partner picker (ecosystem/picker.py): a form field and a filter that take a partner by its
name (typed, with suggestions), its SIREN or its id, among the partners the user may choose."""

from django.utils.translation import gettext_lazy as _

from ecosystem.picker import PickField, PickFilter


def partner_label(partner) -> str:
    return f"{partner.name} ({partner.siren})"


class PartnerPickField(PickField):
    source = "api:partner-pick"
    placeholder = _("Partner name or SIREN")
    default_error_messages = {
        "invalid": _("Type the partner's name and choose it from the suggestions, or type its SIREN (9 digits)."),
        "invalid_choice": _("No partner you may choose has this SIREN or number."),
    }

    def __init__(self, queryset=None, *, suspended: bool = True, **kwargs):
        # suspended=False: the form refuses suspended partners, so the suggestions leave them out.
        self.params = "" if suspended else "suspended=0"
        super().__init__(queryset, label_of=partner_label, **kwargs)


class PartnerPickFilter(PickFilter):
    """``?partner=`` as a picker: an id or a SIREN, among the partners in the user's scope
    (``scope_filter_choices`` narrows the queryset as for any model choice filter)."""

    field_class = PartnerPickField
