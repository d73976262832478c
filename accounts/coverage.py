"""Coverage of the select accounts: who is covered, where the gaps are, which coverage went stale."""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from ecosystem.choices import Region, Sector

from .deals import recent_deals
from .models import Assignment, AssignmentRole

STALE_DAYS = 180
GROUPS = {"region": Region, "sector": Sector}


def _open_primary():
    return Assignment.objects.open().filter(account=OuterRef("pk"), role=AssignmentRole.PRIMARY)


def stale_filter(today: date, days: int = STALE_DAYS, *, partner_id: int | None = None) -> Q:
    """Accounts whose primary partner, assigned ``days`` ago or more, logged no opportunity on them since.

    With ``partner_id`` (what a partner user asks): the accounts on which *that* partner's own open
    assignment, primary or secondary, is ``days`` old or more with no opportunity of its own since. Who
    else covers the account and what they registered never enters the answer (SPEC §2).
    """
    since = today - timedelta(days=days)
    # From the first instant of ``since`` (local time): the same rows as ``created_at__date__gte``,
    # but a plain comparison of the column rather than of a date computed from each row.
    since_start = timezone.make_aware(datetime.combine(since, time.min))
    recent = recent_deals(since_start).filter(account=OuterRef("account_id"), partner=OuterRef("partner_id"))
    held = Assignment.objects.open().filter(account=OuterRef("pk"), valid_from__lte=since)
    held = held.filter(role=AssignmentRole.PRIMARY) if partner_id is None else held.filter(partner_id=partner_id)
    return Q(Exists(held.exclude(Exists(recent))))


def coverage_table(accounts, group_by: str, today: date) -> list[dict]:
    """Covered / uncovered / stale counts of ``accounts`` by region or sector: one query."""
    rows = (
        accounts.values(group_by)
        .annotate(
            total=Count("id"),
            covered=Count("id", filter=Q(Exists(_open_primary()))),
            stale=Count("id", filter=stale_filter(today)),
        )
        .order_by(group_by)
    )
    return coverage_rows(rows, group_by)


def coverage_rows(rows, group_by: str) -> list[dict]:
    """The table of ``rows`` (``{group_by, total, covered, stale}``, counted live or by a snapshot)."""
    labels = dict(GROUPS[group_by].choices)
    table = []
    for row in rows:
        covered = row["covered"]
        table.append(
            {
                "key": row[group_by],
                "label": str(labels.get(row[group_by], row[group_by])),
                "total": row["total"],
                "covered": covered,
                "uncovered": row["total"] - covered,
                "stale": row["stale"],
                "percent": round(100 * covered / row["total"], 1) if row["total"] else 0.0,
            }
        )
    return sorted(table, key=lambda r: (-r["uncovered"], r["label"]))


def coverage_totals(table: list[dict]) -> dict:
    total = sum(r["total"] for r in table)
    covered = sum(r["covered"] for r in table)
    return {
        "total": total,
        "covered": covered,
        "uncovered": total - covered,
        "stale": sum(r["stale"] for r in table),
        "percent": round(100 * covered / total, 1) if total else 0.0,
    }
