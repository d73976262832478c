"""Four eyes on every path (SPEC §4.3): everyone who requested a computation of a run is kept, and
none of them may approve it. Each run's recorded runner is its first requester."""

from django.conf import settings
from django.db import migrations, models


def runner_is_a_requester(apps, schema_editor):
    SettlementRun = apps.get_model("commissions", "SettlementRun")
    Requester = SettlementRun.requesters.through
    Requester.objects.bulk_create(
        [
            Requester(settlementrun_id=run_id, user_id=user_id)
            for run_id, user_id in SettlementRun.objects.exclude(run_by=None).values_list("pk", "run_by_id")
        ]
    )


class Migration(migrations.Migration):

    dependencies = [
        ('commissions', '0005_settlementrun_preliminary'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='settlementrun',
            name='requesters',
            field=models.ManyToManyField(blank=True, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(runner_is_a_requester, migrations.RunPython.noop),
    ]
