"""Periods never overlap (SPEC §4.1): the database's guard, and the service's readable refusal.

A quarter and one of its months cannot both have a run other than a failed one: their common days
would be paid twice. The service refuses such a request with a message naming the run already
there (:func:`overlapping_run`); the database refuses the row whatever path writes it, even two
requests racing: on PostgreSQL an exclusion constraint over the inclusive date ranges of the runs
that are not failed, on SQLite a pair of triggers (SQLite writes one transaction at a time, so a
trigger's check cannot race). Both are named ``settlementrun_periods_never_overlap``.

The migration ``NNNN_settlementrun_periods_never_overlap`` installs the guard; :func:`install_guard`
runs again after every ``migrate`` (``post_migrate``), because SQLite drops a table's triggers when
a later migration rebuilds the table.
"""

from django.db.models import Q

NAME = "settlementrun_periods_never_overlap"
TABLE = "commissions_settlementrun"

POSTGRESQL_CONSTRAINT = f"""
ALTER TABLE {TABLE} ADD CONSTRAINT {NAME}
EXCLUDE USING gist (daterange(period_start, period_end, '[]') WITH &&) WHERE (status <> 'failed')
"""

_SQLITE_OVERLAP = f"""
SELECT RAISE(ABORT, '{NAME}: this period overlaps a settlement run that is not failed')
WHERE EXISTS (
    SELECT 1 FROM {TABLE} r
    WHERE r.id IS NOT NEW.id AND r.status <> 'failed'
      AND r.period_start <= NEW.period_end AND NEW.period_start <= r.period_end
);
"""

SQLITE_TRIGGERS = {
    f"{NAME}_insert": f"""
CREATE TRIGGER IF NOT EXISTS {NAME}_insert BEFORE INSERT ON {TABLE}
WHEN NEW.status <> 'failed'
BEGIN {_SQLITE_OVERLAP} END
""",
    f"{NAME}_update": f"""
CREATE TRIGGER IF NOT EXISTS {NAME}_update BEFORE UPDATE OF period_start, period_end, status ON {TABLE}
WHEN NEW.status <> 'failed'
BEGIN {_SQLITE_OVERLAP} END
""",
}


def guard_installed(connection) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT 1 FROM pg_constraint WHERE conname = %s", [NAME])
            return cursor.fetchone() is not None
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s)",
                list(SQLITE_TRIGGERS),
            )
            return cursor.fetchone()[0] == len(SQLITE_TRIGGERS)
    return False


def install_guard(connection) -> None:
    """Create the constraint (PostgreSQL) or the triggers (SQLite) unless they are there."""
    if connection.vendor not in ("postgresql", "sqlite") or guard_installed(connection):
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Rows written earlier in this transaction leave deferred foreign-key checks pending, and
            # PostgreSQL alters no table with pending trigger events: run those checks now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(POSTGRESQL_CONSTRAINT)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for sql in SQLITE_TRIGGERS.values():
                cursor.execute(sql)


def remove_guard(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {NAME}")
        elif connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def reinstall_after_migrate(sender, using, **kwargs) -> None:
    """``post_migrate``: put the guard back if a migration rebuilt the table (SQLite drops its triggers)."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[using]
    recorder = MigrationRecorder(connection)
    if recorder.has_table() and recorder.migration_qs.filter(app="commissions", name__endswith=NAME).exists():
        install_guard(connection)


#: The PostgreSQL advisory lock that queues requests for runs (any fixed number of our own).
REQUESTS_LOCK = 0x5E771E


def queue_requests(connection) -> None:
    """Make concurrent requests for runs wait for each other until their transactions end.

    Then the service's check sees any run committed by a request before it and refuses with a
    readable message; and two overlapping rows never meet inside the exclusion constraint, where
    each would wait for the other's uncommitted row (PostgreSQL breaks such a deadlock by aborting
    one, a refusal too, but without a word of why). SQLite needs nothing: with immediate
    transactions, one writer at a time.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REQUESTS_LOCK])


def overlaps(start, end) -> Q:
    """Runs (not failed) sharing a day with [start, end], both ends included."""
    return Q(period_start__lte=end, period_end__gte=start) & ~Q(status="failed")
