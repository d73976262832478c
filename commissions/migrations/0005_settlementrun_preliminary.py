"""Preliminary runs (SPEC §4.1): a period computed before it ends shows the date its figures stop at
and cannot be approved. Runs computed so far before their period's end, and not approved, become
preliminary (their figures stop at the day they were computed); approved runs are left as they are."""

from django.db import migrations, models
from django.utils import timezone


def mark_preliminary(apps, schema_editor):
    SettlementRun = apps.get_model("commissions", "SettlementRun")
    for run in SettlementRun.objects.exclude(status__in=("approved", "paid")).exclude(computed_at=None):
        computed_on = timezone.localdate(run.computed_at)
        if computed_on <= run.period_end:
            SettlementRun.objects.filter(pk=run.pk).update(preliminary=True, figures_through=computed_on)


class Migration(migrations.Migration):

    dependencies = [
        ('commissions', '0004_payoutline_no_index_by_deal'),
    ]

    operations = [
        migrations.AddField(
            model_name='settlementrun',
            name='preliminary',
            field=models.BooleanField(default=False, verbose_name='preliminary'),
        ),
        migrations.AddField(
            model_name='settlementrun',
            name='figures_through',
            field=models.DateField(blank=True, null=True, verbose_name='figures through'),
        ),
        migrations.RunPython(mark_preliminary, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='settlementrun',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status__in', ('approved', 'paid')), _negated=True), ('preliminary', False), _connector='OR'), name='settlement_approved_not_preliminary'),
        ),
    ]
