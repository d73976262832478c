"""When a run's computation began reading the ledger: a run computed before an earlier period was
approved has not diffed that period's lines, so it must be recomputed before it is approved."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('commissions', '0007_settlementrun_periods_never_overlap'),
    ]

    operations = [
        migrations.AddField(
            model_name='settlementrun',
            name='started_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
