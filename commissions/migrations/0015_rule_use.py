"""Rule locks read RuleUse (a row per rule and approved run) instead of the ledger by rule, whose index goes.

The uses of runs approved before this migration are taken from their lines, while the index is still there.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F

LOCKED_STATUSES = ("approved", "paid")


def record_approved_uses(apps, schema_editor):
    PayoutLine = apps.get_model("commissions", "PayoutLine")
    RuleUse = apps.get_model("commissions", "RuleUse")
    pairs = (
        PayoutLine.objects.filter(
            run__status__in=LOCKED_STATUSES, attempt=F("run__committed_attempt"), rule__isnull=False
        )
        .order_by()
        .values_list("run_id", "rule_id")
        .distinct()
    )
    RuleUse.objects.bulk_create(
        [RuleUse(run_id=run_id, rule_id=rule_id) for run_id, rule_id in pairs], batch_size=2000
    )


class Migration(migrations.Migration):
    dependencies = [
        ("commissions", "0014_explanation_parts"),
    ]

    operations = [
        migrations.CreateModel(
            name="RuleUse",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "rule",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="uses", to="commissions.rule"
                    ),
                ),
                (
                    "run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rule_uses",
                        to="commissions.settlementrun",
                    ),
                ),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("run", "rule"), name="ruleuse_once_per_run")],
            },
        ),
        migrations.RunPython(record_approved_uses, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="payoutline",
            name="rule",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lines",
                to="commissions.rule",
            ),
        ),
    ]
