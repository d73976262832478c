"""Snapshots of the share figures: computed in one transaction, swapped in by flipping a pointer.

A new :class:`SnapshotRun` is written beside the current one (its cells, coverage, commission
cost, levers), then the single :class:`SnapshotPointer` row is moved to it in the same
transaction. Readers read the pointer, then only that run's rows: a reader never sees half
a generation nor two generations mixed. On PostgreSQL the transaction is REPEATABLE READ so
every statement of the computation sees the same state of the data.
"""

import time
from collections.abc import Callable
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncQuarter
from django.utils import timezone

from ecosystem.bulk import copy_insert
from ecosystem.periods import quarter_of
from opportunities.models import Opportunity, Route, Stage

from . import share
from .models import ShareCell, SnapshotPointer, SnapshotRun, SnapshotStatus

KEEP_GENERATIONS = 2
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


def _cells(run_id: int) -> list[tuple]:
    grouped = (
        Opportunity.objects.filter(stage=Stage.WON, closed_on__isnull=False)
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


def _extras(today: date) -> dict:
    """Coverage (this year), commission cost (last eight quarters) and levers, JSON-ready."""
    last = quarter_of(today)
    first = last
    for _ in range(7):
        first = first.previous()
    year_start = date(today.year, 1, 1)
    return jsonable(
        {
            "as_of": today,
            "coverage": share.select_coverage(year_start, today),
            "coverage_range": [year_start, today],
            "commission_cost": share.commission_cost(first, last),
            "levers": share.levers(),
        }
    )


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
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        run = SnapshotRun.objects.create(job=job)
        if report:
            report(0, 3, "Aggregating won business")
        cells = _cells(run.pk)
        if report:
            report(1, 3, "Writing cells")
        copy_insert(ShareCell, CELL_FIELDS, cells)
        if report:
            report(2, 3, "Coverage, commission cost, levers")
        run.extras = _extras(timezone.localdate())
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
            ShareCell.objects.filter(run_id__in=stale).delete()
            SnapshotRun.objects.filter(pk__in=stale).delete()
    if report:
        report(3, 3, "Done")
    return run
