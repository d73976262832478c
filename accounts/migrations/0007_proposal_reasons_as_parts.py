"""Proposal reasons stored as parts (a kind with codes and figures), rendered in the reader's language
when read; the English sentences written before are read back into parts where they match
(:mod:`accounts.legacy_proposal_reasons`), else kept as ``{"kind": "text"}``. Unplaced reasons in the
summaries become codes."""

from django.db import migrations

BATCH = 2000


def to_parts(apps, schema_editor):
    from accounts.legacy_proposal_reasons import reason_parts, unplaced_code

    item_model = apps.get_model("accounts", "ProposalItem")
    batch = []
    for item in item_model.objects.only("pk", "reasons").order_by("pk").iterator(chunk_size=BATCH):
        if not isinstance(item.reasons, list) or not any(isinstance(reason, str) for reason in item.reasons):
            continue
        item.reasons = [reason_parts(r) if isinstance(r, str) else r for r in item.reasons]
        batch.append(item)
        if len(batch) >= BATCH:
            item_model.objects.bulk_update(batch, ["reasons"])
            batch = []
    item_model.objects.bulk_update(batch, ["reasons"])
    proposal_model = apps.get_model("accounts", "AssignmentProposal")
    for proposal in proposal_model.objects.only("pk", "summary"):
        summary = proposal.summary if isinstance(proposal.summary, dict) else {}
        reasons = summary.get("unplaced_reasons")
        if isinstance(reasons, dict) and reasons:
            summary["unplaced_reasons"] = {unplaced_code(text): count for text, count in reasons.items()}
            proposal.summary = summary
            proposal.save(update_fields=["summary"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_account_search_indexes")]

    operations = [migrations.RunPython(to_parts, migrations.RunPython.noop, elidable=True)]
