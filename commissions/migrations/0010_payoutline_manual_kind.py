"""Payout lines of kind ``manual`` (SPEC §4.3 manual adjustments and accepted disputes).

A manual line may point at the line it corrects, like an adjustment; it may have no rule (a
deal that no rule pays). Only manual lines may lack a rule. Existing lines are unchanged.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("commissions", "0009_quota_history"),
    ]

    operations = [
        migrations.AlterField(
            model_name="payoutline",
            name="kind",
            field=models.CharField(
                choices=[("commission", "Commission"), ("adjustment", "Adjustment"), ("manual", "Manual adjustment")],
                default="commission",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="payoutline",
            name="rule",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lines",
                to="commissions.rule",
            ),
        ),
        migrations.RemoveConstraint(model_name="payoutline", name="payoutline_adjustment_is_kind"),
        migrations.AddConstraint(
            model_name="payoutline",
            constraint=models.CheckConstraint(
                condition=models.Q(("corrects__isnull", True), ("kind__in", ("adjustment", "manual")), _connector="OR"),
                name="payoutline_adjustment_is_kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="payoutline",
            constraint=models.CheckConstraint(
                condition=models.Q(("rule__isnull", False), ("kind", "manual"), _connector="OR"),
                name="payoutline_rule_unless_manual",
            ),
        ),
    ]
