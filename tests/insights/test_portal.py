from datetime import date
from decimal import Decimal

from django.utils import timezone

from ecosystem.periods import quarter_of
from insights.share import partner_quarterly
from opportunities.models import Stage
from tests.factories import DirectOpportunityFactory, OpportunityFactory, won


def test_portal_shows_only_its_own_figures(client, rep_a, partner_a, partner_b):
    today = timezone.localdate()
    won(partner_a, 1234, today)
    won(partner_b, 98765, today)
    DirectOpportunityFactory(stage=Stage.WON, closed_on=today, amount=Decimal("55555"))
    OpportunityFactory(partner=partner_a, amount=Decimal("4321"), stage=Stage.QUALIFIED, expected_close=today)
    client.force_login(rep_a)
    body = client.get("/portal/").content.decode()
    assert 'id="chart-partner-quarters"' in body and 'id="chart-data"' in body
    assert "1\u202f234" in body or "1,234" in body or "1 234" in body or "1234" in body
    for other in ("98765", "98\u202f765", "98,765", "98 765", "55555", "55\u202f555", "55,555", "55 555"):
        assert other not in body
    rows = {row["period"]: row for row in partner_quarterly(partner_a.pk, quarter_of(today), quarter_of(today))}
    row = rows[quarter_of(today).label]
    assert row["won"] == Decimal("1234.00") and row["pipeline"] == Decimal("4321.00")


def test_partner_quarterly_excludes_lost(db, partner_a):
    won(partner_a, 10, date(2025, 2, 1))
    OpportunityFactory(partner=partner_a, amount=Decimal("99"), stage=Stage.LOST, closed_on=date(2025, 2, 1))
    rows = partner_quarterly(partner_a.pk, quarter_of(date(2025, 2, 1)), quarter_of(date(2025, 2, 1)))
    assert rows[0]["won"] == Decimal("10.00")
