"""Snapshots of the dashboards' figures: computed in one transaction, swapped in by flipping a pointer.

A new :class:`SnapshotRun` is written beside the current one (its share cells, coverage cells,
won-quarter steps, commission by period and lever rows), then the single
:class:`SnapshotPointer` row is moved to it in the same transaction. Readers read the pointer,
then only that run's rows: a reader never sees half a generation nor two generations mixed.
On PostgreSQL the transaction is REPEATABLE READ so every statement of the computation sees
the same state of the data.
"""

import time
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Case, Count, DateField, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncQuarter
from django.utils import timezone

from accounts.coverage import stale_filter
from accounts.models import Account, Assignment, AssignmentRole
from ecosystem.bulk import copy_insert
from ecosystem.choices import ProductLine
from opportunities.models import OPEN_STAGES, Opportunity, Route, Stage, confirmed_win_q

from . import share
from .models import CoverageCell, CoverageWinCell, ShareCell, SnapshotPointer, SnapshotRun, SnapshotStatus

KEEP_GENERATIONS = 2
#: What a generation holds: 1 = share cells (and figures nobody read); 2 = also the coverage
#: cells, the commission by period and every lever row, which the dashboards read.
FORMAT = 2
STEPS = 5
CELL_FIELDS = [
    "run_id",
    "quarter_start",
    "region",
    "sector",
    "product_line",
    "tier",
    "is_select",
    "total",
    "sourced",
    "influenced",
    "won_count",
]


def current_run() -> SnapshotRun | None:
    pointer = SnapshotPointer.objects.select_related("run").filter(pk=1).first()
    return pointer.run if pointer else None


def has_figures(run: SnapshotRun | None) -> bool:
    """Whether ``run`` holds coverage, commission and levers (a generation from before them does not)."""
    return run is not None and (run.extras or {}).get("format", 1) >= FORMAT


def _cells(run_id: int) -> list[tuple]:
    grouped = (
        Opportunity.objects.filter(confirmed_win_q(), closed_on__isnull=False)
        .annotate(
            q=TruncQuarter("closed_on"),
            tier_key=Coalesce("partner__tier", Value(share.DIRECT_TIER)),
        )
        .values("q", "account__region", "account__sector", "product_line", "tier_key", "account__is_select")
        .annotate(
            total=Sum("amount"),
            sourced=Sum("amount", filter=Q(route=Route.PARTNER_SOURCED)),
            influenced=Sum("amount", filter=Q(route=Route.PARTNER_INFLUENCED)),
            count=Count("id"),
        )
        .order_by()
    )
    zero = share.ZERO
    return [
        (
            run_id,
            row["q"],
            row["account__region"],
            row["account__sector"],
            row["product_line"],
            row["tier_key"],
            row["account__is_select"],
            row["total"] or zero,
            row["sourced"] or zero,
            row["influenced"] or zero,
            row["count"],
        )
        for row in grouped.iterator(chunk_size=5000)
    ]


COVERAGE_FIELDS = ["run_id", "region", "sector", "product_line", "total", "assigned", "covered", "stale", "with_open"]
WIN_FIELDS = ["run_id", "region", "sector", "product_line", "previous", "quarter", "accounts"]


def _coverage_cells(run_id: int, today: date, open_by_line: dict) -> list[tuple]:
    """Select accounts by region × sector, then once more for each product line (see :class:`CoverageCell`).

    ``open_by_line``: (region, sector, line) → select accounts with an open deal of that line.
    """
    any_open = Assignment.objects.filter(valid_to__isnull=True, account=OuterRef("pk"))
    primary = Assignment.objects.open().filter(account=OuterRef("pk"), role=AssignmentRole.PRIMARY)
    open_opps = Opportunity.objects.filter(stage__in=OPEN_STAGES, account=OuterRef("pk"))
    groups = (
        Account.objects.filter(is_select=True)
        .values("region", "sector")
        .annotate(
            total=Count("id"),
            assigned=Count("id", filter=Q(Exists(any_open))),
            covered=Count("id", filter=Q(Exists(primary))),
            stale=Count("id", filter=stale_filter(today)),
            with_open=Count("id", filter=Q(Exists(open_opps))),
        )
        .order_by()
    )
    lines = sorted(set(ProductLine.values) | {line for _region, _sector, line in open_by_line})
    cells = []
    for g in groups:
        region, sector = g["region"], g["sector"]
        counts = (g["total"], g["assigned"], g["covered"], g["stale"])
        cells.append((run_id, region, sector, "", *counts, g["with_open"]))
        for line in lines:
            cells.append((run_id, region, sector, line, *counts, open_by_line.get((region, sector, line), 0)))
    return cells


def _select_deals(run_id: int) -> tuple[list[tuple], dict]:
    """One pass over the select accounts' won and open deals: the won-quarter steps and the open lines.

    The distinct (account, line, quarter) of the won deals, then ``LAG`` over each account's
    quarters, per line and over every line, counted by region × sector × step (see
    :class:`CoverageWinCell`); beside them the distinct (account, line) of the open deals,
    counted by region × sector × line. Returns the win cells and that count.
    """
    distinct = (
        Opportunity.objects.filter(
            (confirmed_win_q() & Q(closed_on__isnull=False)) | Q(stage__in=OPEN_STAGES), account__is_select=True
        )
        .annotate(
            acc=F("account_id"),
            reg=F("account__region"),
            sec=F("account__sector"),
            pline=F("product_line"),
            # The quarter of a won deal; none for an open one.
            q=Case(When(stage=Stage.WON, then=TruncQuarter("closed_on")), default=None, output_field=DateField()),
        )
        .values("acc", "reg", "sec", "pline", "q")
        .annotate(deals=Count("id"))
        .order_by()
    )
    inner, params = distinct.query.sql_with_params()
    sql = f"""
        WITH d AS ({inner})
        SELECT reg, sec, pline, prev_q, q, COUNT(*) FROM (
            SELECT reg, sec, pline, q, LAG(q) OVER (PARTITION BY acc, pline ORDER BY q) AS prev_q
            FROM d WHERE q IS NOT NULL
        ) per_line GROUP BY reg, sec, pline, prev_q, q
        UNION ALL
        SELECT reg, sec, '', prev_q, q, COUNT(*) FROM (
            SELECT reg, sec, q, LAG(q) OVER (PARTITION BY acc ORDER BY q) AS prev_q
            FROM (SELECT DISTINCT acc, reg, sec, q FROM d WHERE q IS NOT NULL) quarters
        ) any_line GROUP BY reg, sec, prev_q, q
        UNION ALL
        SELECT reg, sec, pline, NULL, NULL, COUNT(*) FROM d WHERE q IS NULL GROUP BY reg, sec, pline
    """
    steps, open_by_line = [], {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for region, sector, line, previous, quarter, count in cursor.fetchall():
            if quarter is None:
                open_by_line[(region, sector, line)] = count
            else:
                steps.append((run_id, region, sector, line, _day(previous), _day(quarter), count))
    return steps, open_by_line


def _day(value) -> date | None:
    """A quarter's first day as the database hands it back in raw SQL (date, midnight timestamp or text)."""
    if value is None or type(value) is date:
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def _extras(today: date) -> dict:
    """Commission by the deals' period and every lever row, JSON-ready (the dashboards narrow them)."""
    return jsonable(
        {
            "format": FORMAT,
            "as_of": today,
            "commission": share.commission_by_period(),
            "preliminary": share.preliminary_commission_by_period(),
            "secondments": share.secondment_effect(),
            "roadshows": share.roadshow_effect(),
        }
    )


def commission_of(run: SnapshotRun) -> dict[str, Decimal]:
    return {period: Decimal(amount) for period, amount in run.extras["commission"].items()}


def preliminary_of(run: SnapshotRun) -> dict[str, Decimal] | None:
    """The snapshot's preliminary commission by period (``None`` for a snapshot taken before it was kept)."""
    kept = run.extras.get("preliminary")
    return None if kept is None else {period: Decimal(amount) for period, amount in kept.items()}


def levers_rows_of(run: SnapshotRun) -> tuple[list[dict], list[dict]]:
    """The snapshot's lever rows with their dates and amounts typed again, as :mod:`insights.share` makes them."""
    secondments = [
        _typed(row, dates=("starts_on", "ends_on"), amounts=("before", "during", "change", "change_ratio"))
        for row in run.extras["secondments"]
    ]
    roadshows = [_typed(row, dates=("date",), amounts=("pipeline", "won")) for row in run.extras["roadshows"]]
    return secondments, roadshows


def _typed(row: dict, *, dates=(), amounts=()) -> dict:
    row = dict(row)
    for name in dates:
        row[name] = date.fromisoformat(row[name]) if row[name] else None
    for name in amounts:
        row[name] = None if row[name] is None else Decimal(row[name])
    return row


def jsonable(value):
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)  # Decimal → exact decimal string


def take_snapshot(report: Callable | None = None, job=None) -> SnapshotRun:
    """Compute a new generation and make it current, all in one transaction."""
    started = time.perf_counter()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if outermost:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                # For this transaction only: the aggregates' sorts fit in memory (4 MB spills to disk
                # at a million deals), and no JIT compilation, which costs more than it saves here.
                cursor.execute("SET LOCAL work_mem = '64MB'")
                cursor.execute("SET LOCAL jit = off")
        run = SnapshotRun.objects.create(job=job)
        today = timezone.localdate()
        if report:
            report(0, STEPS, "Aggregating won business")
        cells = _cells(run.pk)
        if report:
            report(1, STEPS, "Writing cells")
        copy_insert(ShareCell, CELL_FIELDS, cells)
        if report:
            report(2, STEPS, "Won and open deals of the select accounts")
        steps, open_by_line = _select_deals(run.pk)
        copy_insert(CoverageWinCell, WIN_FIELDS, steps)
        if report:
            report(3, STEPS, "Coverage of the select accounts")
        copy_insert(CoverageCell, COVERAGE_FIELDS, _coverage_cells(run.pk, today, open_by_line))
        if report:
            report(4, STEPS, "Commission cost, levers")
        run.extras = _extras(today)
        run.cell_count = len(cells)
        run.status = SnapshotStatus.READY
        run.computed_at = timezone.now()
        run.seconds = time.perf_counter() - started
        run.save()
        SnapshotPointer.objects.update_or_create(pk=1, defaults={"run": run})
        stale = list(
            SnapshotRun.objects.exclude(pk=run.pk).order_by("-started_at", "-id").values_list("pk", flat=True)
        )[KEEP_GENERATIONS - 1 :]
        if stale:
            for model in (ShareCell, CoverageCell, CoverageWinCell):
                model.objects.filter(run_id__in=stale).delete()
            SnapshotRun.objects.filter(pk__in=stale).delete()
    if report:
        report(STEPS, STEPS, "Done")
    return run
