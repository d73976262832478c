"""The account picker (ecosystem/picker.py): a form field and a filter that take an account by its
name or city (typed, with suggestions), its SIREN or its id.

``nameable=True``: the suggestions are any account, as a partner user may name any account on a
registration (``ecosystem.scoping.NAMEABLE_BY_PARTNERS``); otherwise the accounts the user sees."""

from django.utils.translation import gettext_lazy as _

from ecosystem.picker import PickField, PickFilter


def account_label(account) -> str:
    """``Name (SIREN) — City``, from an account or a dict of its values."""
    get = account.get if isinstance(account, dict) else lambda name: getattr(account, name)
    city = f" — {get('city')}" if get("city") else ""
    return f"{get('name')} ({get('siren')}){city}"


class AccountPickField(PickField):
    source = "api:account-pick"
    placeholder = _("Company name, SIREN or city")
    default_error_messages = {
        "invalid": _("Type the company's name and choose it from the suggestions, or type its SIREN (9 digits)."),
        "invalid_choice": _("No account you may choose has this SIREN or number."),
    }

    def __init__(self, queryset=None, *, nameable: bool = False, **kwargs):
        self.params = "nameable=1" if nameable else ""
        super().__init__(queryset, label_of=account_label, **kwargs)


class AccountPickFilter(PickFilter):
    field_class = AccountPickField
