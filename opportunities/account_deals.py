"""What the accounts app needs to know of the deals on an account (see ``accounts.deals``), told from here
because opportunities sit above accounts: the deals registered lately, the confirmed wins by sector, and
the conflict flags to refresh when an account's assignments change."""

from django.db.models import Count

from accounts import deals

from .conflicts import refresh_account_conflict_flags
from .models import Opportunity, confirmed_win_q


def recent(since):
    return Opportunity.objects.filter(created_at__gte=since)


def wins_by_sector(since) -> dict[int, dict[str, int]]:
    wins: dict[int, dict[str, int]] = {}
    rows = (
        Opportunity.objects.filter(confirmed_win_q(), partner__isnull=False, closed_on__gte=since)
        .values("partner_id", "account__sector")
        .annotate(n=Count("id"))
    )
    for row in rows:
        wins.setdefault(row["partner_id"], {})[row["account__sector"]] = row["n"]
    return wins


def on_assignments_changed(sender, account_ids, **kwargs):
    """An account's primary may have changed: its pending registrations' conflict flags follow (same transaction)."""
    refresh_account_conflict_flags(account_ids)


def connect() -> None:
    deals.register(recent=recent, wins_by_sector=wins_by_sector)
    deals.assignments_changed.connect(on_assignments_changed, dispatch_uid="opportunities_conflict_flags")
