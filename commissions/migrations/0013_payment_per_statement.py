"""A run is paid with the day the payment was executed, and each statement with its own reference.

Runs already paid get ``paid_on`` = the day they were recorded paid; their statements with a
positive total get that day and the run's reference (the only one recorded then).
"""

from django.db import migrations, models


def backfill_paid_runs(apps, schema_editor):
    SettlementRun = apps.get_model("commissions", "SettlementRun")
    Statement = apps.get_model("commissions", "Statement")
    for run in SettlementRun.objects.filter(status="paid").order_by("pk"):
        moment = run.paid_at or run.approved_at
        paid_on = moment.date() if moment else run.period_end
        SettlementRun.objects.filter(pk=run.pk).update(paid_on=paid_on)
        Statement.objects.filter(run=run, attempt=run.committed_attempt, total__gt=0).update(
            paid_on=paid_on, payment_reference=run.payment_reference
        )


class Migration(migrations.Migration):
    dependencies = [
        ("commissions", "0012_manualadjustment"),
    ]

    operations = [
        migrations.AddField(
            model_name="settlementrun",
            name="paid_on",
            field=models.DateField(blank=True, null=True, verbose_name="paid on"),
        ),
        migrations.AddField(
            model_name="statement",
            name="paid_on",
            field=models.DateField(blank=True, null=True, verbose_name="paid on"),
        ),
        migrations.AddField(
            model_name="statement",
            name="payment_reference",
            field=models.CharField(blank=True, max_length=100, verbose_name="payment reference"),
        ),
        migrations.RunPython(backfill_paid_runs, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="settlementrun",
            constraint=models.CheckConstraint(
                condition=models.Q(models.Q(("status", "paid"), _negated=True), ("paid_on__isnull", False), _connector="OR"),
                name="settlement_paid_has_date",
            ),
        ),
        migrations.AddConstraint(
            model_name="statement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("paid_on__isnull", True), ("payment_reference", "")),
                    models.Q(("paid_on__isnull", False), models.Q(("payment_reference", ""), _negated=True)),
                    _connector="OR",
                ),
                name="statement_paid_has_date_and_reference",
            ),
        ),
    ]
