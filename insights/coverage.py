"""The coverage workspace's figures: covered, uncovered and stale select accounts, from the dashboards'
snapshot when it holds them, else counted now (``accounts.coverage`` counts; this module picks the source)."""

from django.utils import timezone

from accounts.coverage import coverage_rows, coverage_table
from accounts.models import Account

from .figures import coverage_by


def coverage_tables(user, group_bys, live: bool = False) -> tuple[dict[str, list[dict]], dict]:
    """The tables by each of ``group_bys`` for an internal ``user`` (every select account), and their source.

    From the dashboards' current snapshot when it holds them (stale as of its day), else — or
    with ``live`` — counted now. The source is ``{"source": "snapshot" | "live", "computed_at"}``.
    """
    snapshot = coverage_by(live)
    if snapshot is not None:
        tables = {group_by: coverage_rows(snapshot[group_by], group_by) for group_by in group_bys}
        return tables, {"source": snapshot["source"], "computed_at": snapshot["computed_at"]}
    today = timezone.localdate()
    accounts = Account.objects.for_user(user).select()
    tables = {group_by: coverage_table(accounts, group_by, today) for group_by in group_bys}
    return tables, {"source": "live", "computed_at": None}
