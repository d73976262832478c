"""The read side of the dashboards and the API: snapshot when there is one, live queries otherwise.

Every answer says where its figures come from (``source``: ``snapshot`` or ``live``) and,
for a snapshot, when it was computed.
"""

from dataclasses import dataclass
from datetime import date

from ecosystem.periods import Period, parse_period, quarter_of, quarters_between

from . import projection, share, snapshots
from .models import Target

DEFAULT_QUARTERS = 8


@dataclass
class Query:
    """Validated parameters of a dashboard or API request."""

    first: Period
    last: Period
    group_by: str = "quarter"
    filters: dict | None = None
    live: bool = False

    @property
    def start(self) -> date:
        return self.first.start

    @property
    def end(self) -> date:
        return self.last.end


def default_range(today: date, count: int = DEFAULT_QUARTERS) -> tuple[Period, Period]:
    last = quarter_of(today)
    first = last
    for _ in range(count - 1):
        first = first.previous()
    return first, last


def pick_source(live: bool = False):
    """``(source, run)``: the current snapshot's cells, or the live tables (``run`` None)."""
    run = None if live else snapshots.current_run()
    if run is None:
        return share.LIVE, None
    return share.SnapshotSource(run.pk), run


def source_info(run) -> dict:
    if run is None:
        return {"source": "live", "computed_at": None}
    return {"source": "snapshot", "computed_at": run.computed_at.isoformat() if run.computed_at else None}


def ecosystem_share(query: Query) -> dict:
    source, run = pick_source(query.live)
    if query.group_by == "quarter":
        rows = share.quarterly_series(source, query.first, query.last, query.filters)
        totals = share.make_row(
            "total",
            sum((r["total"] for r in rows), share.ZERO),
            sum((r["sourced"] for r in rows), share.ZERO),
            sum((r["influenced"] for r in rows), share.ZERO),
            sum(r["won_count"] for r in rows),
        )
        result = {"rows": rows, "totals": totals}
    else:
        result = share.breakdown(source, query.start, query.end, query.group_by, query.filters)
    return {**result, **source_info(run)}


def target_progress(target: Target, today: date, live: bool = False) -> dict:
    """The target's quarterly series from its baseline, the fitted trend to the deadline, the verdict."""
    source, run = pick_source(live)
    baseline = quarter_of(parse_period(target.baseline_period).start)
    deadline_quarter = quarter_of(target.deadline)
    latest = min(quarter_of(today), deadline_quarter)
    filters = {"region": target.region, "sector": target.sector}
    if latest < baseline:
        observed_rows = []
        horizon = [q.label for q in quarters_between(baseline, deadline_quarter)]
    else:
        observed_rows = share.quarterly_series(source, baseline, latest, filters)
        horizon = (
            [q.label for q in quarters_between(latest.next(), deadline_quarter)] if latest < deadline_quarter else []
        )
    observed = [(row["key"], row["share"], row["total"]) for row in observed_rows]
    result = projection.project(observed, horizon, target.value)
    return {
        "target": {
            "id": target.pk,
            "name": target.name,
            "value": str(target.value),
            "baseline_period": target.baseline_period,
            "deadline": target.deadline.isoformat(),
            "region": target.region,
            "sector": target.sector,
        },
        "series": [
            {
                "period": row["key"],
                "total": str(row["total"]),
                "sourced": str(row["sourced"]),
                "influenced": str(row["influenced"]),
                "share": None if row["share"] is None else str(row["share"]),
            }
            for row in observed_rows
        ],
        **result.as_dict(),
        **source_info(run),
    }


def figures_run(live: bool = False):
    """The current snapshot if it holds coverage, commission and levers (``None``: compute live)."""
    run = None if live else snapshots.current_run()
    return run if snapshots.has_figures(run) else None


def coverage(query: Query) -> dict:
    """Select accounts: assigned, with an open opportunity, with a won deal in the range."""
    run = figures_run(query.live)
    if run is None:
        result = share.select_coverage(query.start, query.end, query.filters)
    else:
        result = share.snapshot_coverage(run.pk, query.start, query.end, query.filters)
    return {**result, **source_info(run)}


def commission_cost(query: Query) -> dict:
    """Per quarter of the range: approved or paid commission (and a computed run's, marked preliminary)
    against partner revenue."""
    run = figures_run(query.live)
    if run is None:
        rows = share.commission_cost(query.first, query.last)
    else:
        rows = share.commission_cost(
            query.first,
            query.last,
            share.SnapshotSource(run.pk),
            snapshots.commission_of(run),
            snapshots.preliminary_of(run),
        )
    return {"rows": rows, **source_info(run)}


def levers(query: Query) -> dict:
    """Secondments starting and roadshows held in the range, with their effect."""
    run = figures_run(query.live)
    if run is None:
        result = share.levers(query.start, query.end)
    else:
        result = share.levers_of(*snapshots.levers_rows_of(run), query.start, query.end)
    return {**result, **source_info(run)}


def channel_figures(live: bool = False) -> dict:
    """The workspace's figures: the partners and the coverage of the select accounts, from the snapshot (if
    any). The work waiting for the channel team is its to-do list (``ecosystem.worklist``), always live."""
    from partners.models import Partner

    return {"partners": Partner.objects.count(), "coverage": select_accounts_coverage(live)}


def select_accounts_coverage(live: bool = False) -> dict:
    """Ecosystem-wide: select accounts, those with an open primary assignment, those without."""
    from django.db.models import Sum

    from .models import CoverageCell
    from .selectors import select_coverage

    run = figures_run(live)
    if run is None:
        return {**select_coverage(), **source_info(None)}
    counts = CoverageCell.objects.filter(run_id=run.pk, product_line="").aggregate(
        total=Sum("total"), covered=Sum("covered")
    )
    counts = {name: value or 0 for name, value in counts.items()}
    counts["uncovered"] = counts["total"] - counts["covered"]
    return {**counts, **source_info(run)}


def coverage_by(live: bool = False) -> dict | None:
    """Select accounts by region and by sector (total, covered, stale) from the snapshot, one query.

    ``None`` without a snapshot holding them (or with ``live``): the caller computes them live.
    """
    from .models import CoverageCell

    run = figures_run(live)
    if run is None:
        return None
    groups = {"region": {}, "sector": {}}
    cells = CoverageCell.objects.filter(run_id=run.pk, product_line="").values_list(
        "region", "sector", "total", "covered", "stale"
    )
    for region, sector, *counts in cells:
        for name, key in (("region", region), ("sector", sector)):
            sums = groups[name].setdefault(key, [0, 0, 0])
            for index, value in enumerate(counts):
                sums[index] += value
    tables = {
        name: [{name: key, "total": t, "covered": c, "stale": st} for key, (t, c, st) in rows.items()]
        for name, rows in groups.items()
    }
    return {**tables, **source_info(run), "as_of": run.extras.get("as_of")}
