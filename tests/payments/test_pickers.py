"""The invoices' partner filter is a type-ahead picker (issue 14 item 2): by name, SIREN or id, on the page
and in the API; a partner user's filter never names another partner."""

from datetime import date

import pytest

from payments.models import Invoice

from .helpers import approve, computed, deal, details_for, percent_rule


@pytest.fixture
def approved_run(partner_a, partner_b):
    percent_rule("0.10")
    for partner in (partner_a, partner_b):
        details_for(partner)
        deal(partner, "10000.00", date(2026, 7, 10))
    return approve(computed("2026-Q3"))


def test_the_invoice_filter_picks_a_partner(client, api, channel_user, approved_run, partner_a, partner_b):
    own = set(Invoice.objects.filter(partner=partner_b).values_list("pk", flat=True))
    assert own
    client.force_login(channel_user)
    response = client.get("/payments/invoices/", {"partner": partner_b.siren})
    html = response.content.decode()
    assert 'data-picker-url="/api/v1/partners/pick/' in html and '<select name="partner"' not in html
    assert f'data-picker-label="{partner_b.name} ({partner_b.siren})"' in html
    assert {invoice.pk for invoice in response.context["object_list"]} == own
    listed = api(channel_user).get("/api/v1/invoices/", {"partner": partner_b.siren}).json()
    assert {row["id"] for row in listed["results"]} == own


def test_a_partner_users_invoice_filter_never_names_another_partner(api, rep_a, approved_run, partner_b):
    client = api(rep_a)
    for theirs, unknown in ((partner_b.siren, "999999999"), (partner_b.pk, "999999")):
        a = client.get("/api/v1/invoices/", {"partner": theirs})
        b = client.get("/api/v1/invoices/", {"partner": unknown})
        assert (a.status_code, a.json()) == (b.status_code, b.json())
