"""Periods never overlap (SPEC §4.1), enforced by the database: an exclusion constraint on
PostgreSQL, triggers on SQLite (see commissions/overlap.py, which ``post_migrate`` also runs).

Existing overlaps are resolved first, the only way that keeps approved money untouched: of two
overlapping runs, one that is not approved or paid is marked failed, with the reason (the older
run is kept when neither is approved). Two approved or paid runs over the same days cannot be
undone by a migration (they are what was paid): the migration stops and names them, so that
finance decides — that is the double payment this constraint exists to prevent.
"""

from django.db import migrations

from commissions import overlap

LOCKED = ("approved", "paid")


def resolve_overlaps_then_guard(apps, schema_editor):
    SettlementRun = apps.get_model("commissions", "SettlementRun")
    runs = list(SettlementRun.objects.exclude(status="failed").order_by("created_at", "pk"))
    kept = []
    for run in sorted(runs, key=lambda r: (r.status not in LOCKED, r.created_at, r.pk)):
        clash = next((k for k in kept if k.period_start <= run.period_end and run.period_start <= k.period_end), None)
        if clash is None:
            kept.append(run)
        elif run.status in LOCKED:
            raise RuntimeError(
                f"Settlement runs {clash.period} and {run.period} are both {clash.status}/{run.status} and share "
                "days: their common days were approved twice. Decide with finance which one stands (and correct "
                "the other by hand), then run the migration again."
            )
        else:
            SettlementRun.objects.filter(pk=run.pk).update(
                status="failed",
                failure_reason=f"Overlaps the settlement of {clash.period} (run {clash.pk}): periods never overlap.",
            )
    overlap.install_guard(schema_editor.connection)


def remove_guard(apps, schema_editor):
    overlap.remove_guard(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('commissions', '0006_settlementrun_requesters'),
    ]

    operations = [
        migrations.RunPython(resolve_overlaps_then_guard, remove_guard),
    ]
