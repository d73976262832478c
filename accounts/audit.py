"""The account page's audit trail: every edit of the account and every change of its assignments, in words."""

from django.utils.translation import gettext as _

from ecosystem.history import Entry, entries

from .models import Account, Assignment

ACCOUNT_FIELDS = ["name", "siren", "sector", "region", "city", "employees", "is_select", "vendor_awareness"]
ASSIGNMENT_FIELDS = ["partner", "role", "valid_from", "valid_to", "reason"]


def account_history(account: Account, limit: int = 200) -> list[Entry]:
    """Newest first; two queries whatever the length of the history."""
    account_records = account.history.select_related("history_user").order_by("history_date", "history_id")
    assignment_records = list(
        Assignment.history.filter(account_id=account.pk)
        .select_related("history_user", "partner")
        .order_by("history_date", "history_id")
    )
    partners = {r.partner_id: r.partner.name for r in assignment_records if r.partner_id}
    found = entries(account_records, ACCOUNT_FIELDS, subject=lambda record: _("Account")) + entries(
        assignment_records,
        ASSIGNMENT_FIELDS,
        subject=lambda record: _("Assignment of %(partner)s") % {"partner": partners.get(record.partner_id, "?")},
        related={"partner": partners},
    )
    return sorted(found, key=lambda e: e.when, reverse=True)[:limit]
