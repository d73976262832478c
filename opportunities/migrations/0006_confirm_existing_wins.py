"""Wins recorded before claims existed are confirmed, so nothing already paid or counted changes.

- Bookings' wins (an ``external_id`` from the order system) are confirmed ``booking``.
- Direct business (no partner) was entered by the vendor's own team: confirmed ``internal``.
- Partner wins without a booking were declared by a partner user or entered by the channel team
  before §4.2; the history cannot always tell which. They were already paid in approved runs and
  counted in the share and the snapshots, so leaving them unconfirmed would claw back commissions
  and lower past figures for no new fact. They are confirmed ``migration``, with that reason
  written on each, and the channel team can still correct any of them (a stage changed back, an
  amount corrected) with the usual adjustment lines.

Set-based (one UPDATE per kind), so it runs in seconds on millions of opportunities.
"""

from django.db import migrations
from django.db.models import F, Q

REASON = "Won before claims and bookings were reconciled (SPEC §4.2): confirmed as already paid and counted."


def confirm_existing_wins(apps, schema_editor):
    Opportunity = apps.get_model("opportunities", "Opportunity")
    unconfirmed = Opportunity.objects.filter(stage="won", confirmed_at__isnull=True)
    unconfirmed.filter(external_id__isnull=False).update(confirmed_via="booking", confirmed_at=F("updated_at"))
    unconfirmed.filter(external_id__isnull=True, partner__isnull=True).update(
        confirmed_via="internal", confirmed_at=F("updated_at")
    )
    unconfirmed.filter(Q(external_id__isnull=True) & Q(partner__isnull=False)).update(
        confirmed_via="migration", confirmed_at=F("updated_at"), confirmation_reason=REASON
    )


class Migration(migrations.Migration):
    dependencies = [("opportunities", "0005_opportunity_claims")]

    operations = [migrations.RunPython(confirm_existing_wins, migrations.RunPython.noop)]
