"""Waiting work, as a to-do list for the internal roles' home pages.

Each app knows what work of its own waits for someone — registrations to review, disputes to
answer, runs to approve — and registers a *kind of work* here from its ``AppConfig.ready``: a
function that counts it for a user and says when its oldest item started waiting and where the
filtered list is. The home pages ask :func:`work_for` and show each kind with its count, its oldest
item and a link; the base never imports the apps, and a new app adds its own work without
touching the pages.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Min

from .roles import role_of


@dataclass(frozen=True)
class Work:
    """One kind of waiting work for one user: ``count`` items, the ``oldest`` waiting since then."""

    key: str
    label: str
    count: int
    url: str
    oldest: date | datetime | None = None
    #: ``due`` (someone must act: shown first), ``watch`` (worth a look) or ``done`` (nothing waits).
    urgency: str = "due"
    note: str = ""


def waiting_work(queryset, *, oldest: str, **fields) -> Work:
    """The :class:`Work` of the rows of ``queryset`` that wait: their count and the oldest ``oldest``, in one
    query; ``fields`` are the rest of the Work (key, label, url…)."""
    found = queryset.aggregate(count=Count("id"), oldest=Min(oldest))
    return Work(count=found["count"], oldest=found["oldest"], **fields)


@dataclass(frozen=True)
class WorkKind:
    key: str
    roles: frozenset[str]
    count: Callable[[object], Work]  # user → Work
    order: int = 100


_KINDS: dict[str, WorkKind] = {}


def register(key: str, *, roles, count: Callable[[object], Work], order: int = 100) -> None:
    """Add (or replace) a kind of waiting work shown to ``roles``."""
    _KINDS[key] = WorkKind(key=key, roles=frozenset(roles), count=count, order=order)


def kinds() -> list[WorkKind]:
    return sorted(_KINDS.values(), key=lambda kind: (kind.order, kind.key))


def work_for(user) -> list[Work]:
    """Every kind of work the user's role sees, items waiting first (oldest first), then the rest."""
    role = role_of(user)
    found = [kind.count(user) for kind in kinds() if role in kind.roles]
    waiting = [work for work in found if work.count]
    calm = [work for work in found if not work.count]
    rank = {"due": 0, "watch": 1}

    def oldest(work: Work):
        moment = work.oldest
        if isinstance(moment, datetime):
            return moment.date()
        return moment or date.max

    waiting.sort(key=lambda work: (rank.get(work.urgency, 2), oldest(work)))
    return waiting + calm
