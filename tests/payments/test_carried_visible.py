"""Carried negatives shown to the partner (SPEC §5.2): beside a statement's total, what earlier negative
totals take off its payment ("carried from earlier runs") and what is paid ("to be paid") — on the
statement page, the earnings, the statements API — for the partner's own statements only."""

from datetime import date
from decimal import Decimal as D

import pytest

from commissions.earnings import partner_earnings
from opportunities.models import Opportunity

from ..factories import PartnerFactory, UserFactory
from .helpers import approve, computed, deal, details_for, percent_rule, statement_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def carried():
    """Foxtrot: Q3 1000.00 invoiced (1200.00 with VAT), its deal lost in Q4 (a credit note of −1200.00,
    carried), Q1 5000.00 (6000.00 with VAT) less the 1200.00: 4800.00 to be paid. Golf: nothing carried."""
    percent_rule("0.10")
    foxtrot, golf = PartnerFactory(name="Foxtrot"), PartnerFactory(name="Golf")
    details_for(foxtrot)
    details_for(golf)
    lost = deal(foxtrot, "10000.00", date(2026, 7, 10))
    approve(computed("2026-Q3"))
    Opportunity.objects.filter(pk=lost.pk).update(stage="lost")
    approve(computed("2026-Q4"))
    deal(foxtrot, "50000.00", date(2027, 1, 10))
    deal(golf, "20000.00", date(2027, 1, 10))
    q1 = approve(computed("2027-Q1"))
    return {
        "foxtrot": statement_of(q1, foxtrot),
        "golf": statement_of(q1, golf),
        "rep_f": UserFactory(role="partner_rep", partner=foxtrot),
        "rep_g": UserFactory(role="partner_rep", partner=golf),
    }


def test_the_statements_api(api, carried):
    own = api(carried["rep_f"]).get(f"/api/v1/statements/{carried['foxtrot'].pk}/").json()
    assert (own["total"], own["carried"], own["to_be_paid"]) == ("5000.00", "-1200.00", "4800.00")
    listed = api(carried["rep_f"]).get("/api/v1/statements/").json()["results"]
    assert {row["period"]: row["to_be_paid"] for row in listed} == {"2026-Q3": "1200.00", "2026-Q4": "0.00",
                                                                     "2027-Q1": "4800.00"}  # fmt: skip
    other = api(carried["rep_g"]).get(f"/api/v1/statements/{carried['golf'].pk}/").json()
    assert (other["carried"], other["to_be_paid"]) == ("0.00", "2400.00"), "Foxtrot's debt never shows in Golf's"
    assert api(carried["rep_g"]).get(f"/api/v1/statements/{carried['foxtrot'].pk}/").status_code == 404


def test_the_statement_page_and_the_earnings(client, carried):
    client.force_login(carried["rep_f"])
    page = client.get(f"/commissions/statements/{carried['foxtrot'].pk}/").content.decode()
    assert 'id="statement-carried"' in page and "-1,200.00" in page.replace("−", "-")
    assert 'id="statement-to-be-paid"' in page and "4,800.00" in page
    earnings = partner_earnings(carried["foxtrot"].partner_id, date(2027, 4, 15))
    figure = next(f for f in earnings.approved if f.period == "2027-Q1")
    assert (figure.carried, figure.to_be_paid) == (D("-1200.00"), D("4800.00"))
    listing = client.get("/commissions/statements/").content.decode().replace("−", "-")
    assert '<td class="num">-1,200.00</td><td class="num">4,800.00</td>' in listing
    client.force_login(carried["rep_g"])
    assert "1,200.00" not in client.get("/commissions/statements/").content.decode()


def test_in_french(client, carried, settings):
    settings.LANGUAGE_CODE = "fr"
    client.force_login(carried["rep_f"])
    page = client.get(f"/commissions/statements/{carried['foxtrot'].pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "reporté des relevés précédents" in page and "4\u202f800,00" in page.replace("\xa0", "\u202f")
