"""What accounts need to know of the deals registered on them, told by the app that owns the deals.

Accounts sit below opportunities in the layers (an opportunity is on an account, by a partner), so
this app never imports them. Two of its features still weigh deals: the coverage of an account goes
stale when its partner registers nothing on it (:func:`accounts.coverage.stale_filter`), and the
assignment proposals prefer a partner that wins in the account's sector (:mod:`accounts.proposing`).
The opportunities app tells how to find both when it starts (``OpportunitiesConfig.ready`` calls
:func:`register`), and assignment changes are announced to it (:data:`assignments_changed`) so it can
re-flag the registrations they put in conflict, in the same transaction.
"""

from collections.abc import Callable
from datetime import date, datetime

from django.db.models import QuerySet
from django.dispatch import Signal

#: Sent (synchronously, inside the transaction that changed them) with ``account_ids`` whose open
#: assignments were created, ended or replaced.
assignments_changed = Signal()

#: ``recent(since)`` → the deals registered since that instant, as a queryset to be narrowed with
#: ``OuterRef("account_id")`` and ``OuterRef("partner_id")`` of an assignment.
_recent: Callable[[datetime], QuerySet] | None = None
#: ``wins_by_sector(since)`` → ``{partner_id: {sector: confirmed wins closed since that day}}``.
_wins_by_sector: Callable[[date], dict[int, dict[str, int]]] | None = None


def register(*, recent: Callable[[datetime], QuerySet], wins_by_sector: Callable[[date], dict]) -> None:
    global _recent, _wins_by_sector
    _recent, _wins_by_sector = recent, wins_by_sector


def recent_deals(since: datetime) -> QuerySet:
    if _recent is None:
        raise RuntimeError("No app told accounts how to find the deals on an account (opportunities not installed?)")
    return _recent(since)


def wins_by_sector(since: date) -> dict[int, dict[str, int]]:
    if _wins_by_sector is None:
        raise RuntimeError("No app told accounts how to count won deals (opportunities not installed?)")
    return _wins_by_sector(since)
