"""Disputes end with an outcome (SPEC §4.3): accepted with an amount, or rejected.

Disputes resolved before this migration keep no outcome (they were closed with a comment only).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OUTCOMES = [("accepted", "Accepted"), ("rejected", "Rejected")]


class Migration(migrations.Migration):
    dependencies = [
        ("commissions", "0010_payoutline_manual_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="dispute",
            name="outcome",
            field=models.CharField(blank=True, choices=OUTCOMES, max_length=8, verbose_name="outcome"),
        ),
        migrations.AddField(
            model_name="dispute",
            name="outcome_amount",
            field=models.DecimalField(
                blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="amount granted"
            ),
        ),
        migrations.AddField(
            model_name="dispute",
            name="resolved_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicaldispute",
            name="outcome",
            field=models.CharField(blank=True, choices=OUTCOMES, max_length=8, verbose_name="outcome"),
        ),
        migrations.AddField(
            model_name="historicaldispute",
            name="outcome_amount",
            field=models.DecimalField(
                blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="amount granted"
            ),
        ),
        migrations.AddField(
            model_name="historicaldispute",
            name="resolved_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="dispute",
            constraint=models.CheckConstraint(
                condition=models.Q(("outcome", ""), ("outcome__in", ["accepted", "rejected"]), _connector="OR"),
                name="dispute_outcome_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="dispute",
            constraint=models.CheckConstraint(
                condition=models.Q(("outcome", ""), ("status", "resolved"), _connector="OR"),
                name="dispute_outcome_only_when_resolved",
            ),
        ),
        migrations.AddConstraint(
            model_name="dispute",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("outcome", "accepted"),
                        ("outcome_amount__isnull", False),
                        models.Q(("outcome_amount", 0), _negated=True),
                    ),
                    models.Q(models.Q(("outcome", "accepted"), _negated=True), ("outcome_amount__isnull", True)),
                    _connector="OR",
                ),
                name="dispute_accepted_has_an_amount",
            ),
        ),
    ]
