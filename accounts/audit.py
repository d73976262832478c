"""The account page's audit trail: every edit of the account and every change of its assignments."""

from dataclasses import dataclass
from datetime import datetime

from .models import Account, Assignment

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
ACCOUNT_FIELDS = ["name", "siren", "sector", "region", "city", "employees", "is_select", "vendor_awareness"]
ASSIGNMENT_FIELDS = ["partner_id", "role", "valid_from", "valid_to", "reason"]


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    what: str  # "account" or "assignment"
    action: str
    changes: tuple[str, ...]


def _value(record, field: str, labels: dict):
    value = getattr(record, field)
    return labels.get(value, value) if field == "partner_id" else value


def _changes(record, previous, fields, labels) -> tuple[str, ...]:
    def name(field):
        return field.removesuffix("_id")

    if previous is None:
        return tuple(f"{name(f)}: {_value(record, f, labels)}" for f in fields if getattr(record, f) not in (None, ""))
    return tuple(
        f"{name(f)}: {_value(previous, f, labels)} → {_value(record, f, labels)}"
        for f in fields
        if getattr(previous, f) != getattr(record, f)
    )


def _entries(records, what, fields, labels=None) -> list[HistoryEntry]:
    entries, last = [], {}
    for record in records:  # oldest first
        entries.append(
            HistoryEntry(
                at=record.history_date,
                who=record.history_user.username if record.history_user_id else "system",
                what=what,
                action=ACTIONS.get(record.history_type, record.history_type),
                changes=_changes(record, last.get(record.id), fields, labels or {}),
            )
        )
        last[record.id] = record
    return entries


def account_history(account: Account, limit: int = 200) -> list[HistoryEntry]:
    """Newest first; three queries whatever the length of the history."""
    account_records = account.history.select_related("history_user").order_by("history_date", "history_id")
    assignment_records = (
        Assignment.history.filter(account_id=account.pk)
        .select_related("history_user", "partner")
        .order_by("history_date", "history_id")
    )
    assignment_records = list(assignment_records)
    labels = {r.partner_id: r.partner.name for r in assignment_records if r.partner_id}
    entries = _entries(account_records, "account", ACCOUNT_FIELDS) + _entries(
        assignment_records, "assignment", ASSIGNMENT_FIELDS, labels
    )
    return sorted(entries, key=lambda e: e.at, reverse=True)[:limit]
