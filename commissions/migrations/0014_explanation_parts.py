"""Explanations and exception reasons stored as parts, rendered in the reader's language when read.

The English text written before is read back into parts where it matches one of the old formats
(:mod:`commissions.legacy_explanations`); anything else is kept as ``{"kind": "text"}`` and shown verbatim.
"""

from django.db import migrations, models

BATCH = 2000


def to_parts(apps, schema_editor):
    from commissions.legacy_explanations import explanation_parts, reason_parts

    for model_name, text_field, parts_field, parse in (
        ("PayoutLine", "explanation", "explanation_parts", explanation_parts),
        ("SettlementException", "reason", "reason_parts", reason_parts),
    ):
        model = apps.get_model("commissions", model_name)
        batch = []
        for row in model.objects.only("pk", text_field).order_by("pk").iterator(chunk_size=BATCH):
            setattr(row, parts_field, parse(getattr(row, text_field)))
            batch.append(row)
            if len(batch) >= BATCH:
                model.objects.bulk_update(batch, [parts_field])
                batch = []
        model.objects.bulk_update(batch, [parts_field])


class Migration(migrations.Migration):
    dependencies = [("commissions", "0013_payment_per_statement")]

    operations = [
        migrations.AddField(model_name="payoutline", name="explanation_parts", field=models.JSONField(default=dict)),
        migrations.AddField(
            model_name="settlementexception", name="reason_parts", field=models.JSONField(default=dict)
        ),
        migrations.RunPython(to_parts, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(model_name="payoutline", name="explanation"),
        migrations.RemoveField(model_name="settlementexception", name="reason"),
    ]
