"""Quotas keep a history of every change (django-simple-history), and partner users read their own.

The quotas entered before this migration get one "created" history entry each, dated now and
marked as such, so every quota's history starts from a recorded value.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def record_existing_quotas(apps, schema_editor):
    Quota = apps.get_model("commissions", "Quota")
    HistoricalQuota = apps.get_model("commissions", "HistoricalQuota")
    now = timezone.now()
    HistoricalQuota.objects.bulk_create(
        [
            HistoricalQuota(
                id=quota.pk,
                partner_id=quota.partner_id,
                period=quota.period,
                amount=quota.amount,
                history_date=now,
                history_type="+",
                history_change_reason="Entered before quota history was kept",
            )
            for quota in Quota.objects.order_by("pk").iterator(chunk_size=2000)
        ],
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("commissions", "0008_settlementrun_started_at"),
        ("partners", "0002_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalQuota",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("period", models.CharField(max_length=7, verbose_name="period")),
                ("amount", models.DecimalField(decimal_places=2, max_digits=14, verbose_name="quota")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "partner",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="partners.partner",
                        verbose_name="partner",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical quota",
                "verbose_name_plural": "historical quotas",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AlterField(
            model_name="quota",
            name="partner",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="quotas",
                to="partners.partner",
                verbose_name="partner",
            ),
        ),
        migrations.RunPython(record_existing_quotas, migrations.RunPython.noop),
    ]
