"""Coverage workspace (counts, stale coverage), CSV exports (scoped, formula-safe) and the account history."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.coverage import coverage_table, coverage_totals
from accounts.models import Account
from accounts.services import assignment_create
from tests.factories import AccountFactory, AssignmentFactory, OpportunityFactory


@pytest.fixture
def landscape(partner_a, partner_b):
    """Île-de-France: 3 select (2 covered, 1 of them stale), Bretagne: 1 select uncovered, plus 1 non-select."""
    long_ago = timezone.localdate() - timedelta(days=400)
    active = AccountFactory(name="Active", region="ile_de_france", sector="banking")
    stale = AccountFactory(name="Stale", region="ile_de_france", sector="luxury")
    AccountFactory(name="Uncovered IdF", region="ile_de_france", sector="luxury")
    AccountFactory(name="Uncovered BZH", region="bretagne", sector="industry")
    AccountFactory(name="Not select", is_select=False)
    AssignmentFactory(account=active, partner=partner_a, valid_from=long_ago)
    AssignmentFactory(account=stale, partner=partner_b, valid_from=long_ago)
    OpportunityFactory(account=active, partner=partner_a)  # created now: coverage is alive
    return {"active": active, "stale": stale}


def rows_by_key(rows):
    return {row["key"]: row for row in rows}


def test_coverage_counts_by_region_and_sector(landscape):
    today = timezone.localdate()
    by_region = rows_by_key(coverage_table(Account.objects.select(), "region", today))
    assert by_region["ile_de_france"] | {} == {
        "key": "ile_de_france",
        "label": "Île-de-France",
        "total": 3,
        "covered": 2,
        "uncovered": 1,
        "stale": 1,
        "percent": 66.7,
    }
    assert by_region["bretagne"]["uncovered"] == 1
    by_sector = rows_by_key(coverage_table(Account.objects.select(), "sector", today))
    assert by_sector["luxury"]["stale"] == 1 and by_sector["banking"]["stale"] == 0
    totals = coverage_totals(list(by_region.values()))
    assert totals == {"total": 4, "covered": 2, "uncovered": 2, "stale": 1, "percent": 50.0}


def test_a_fresh_assignment_is_not_stale(partner_a):
    account = AccountFactory()
    AssignmentFactory(account=account, partner=partner_a, valid_from=timezone.localdate() - timedelta(days=10))
    rows = coverage_table(Account.objects.select(), "region", timezone.localdate())
    assert rows[0]["stale"] == 0


def test_coverage_api_and_page(landscape, channel_user, manager_user, rep_a, api, client):
    response = api(manager_user).get("/api/v1/coverage/?group_by=sector")
    assert response.status_code == 200
    assert response.json()["totals"]["stale"] == 1
    assert api(channel_user).get("/api/v1/coverage/?group_by=city").status_code == 400
    assert api(rep_a).get("/api/v1/coverage/").status_code == 403
    client.force_login(channel_user)
    page = client.get("/accounts/coverage/")
    assert page.status_code == 200 and "Île-de-France" in page.content.decode()
    client.force_login(rep_a)
    assert client.get("/accounts/coverage/").status_code == 403


def test_stale_filter_on_the_account_list(landscape, channel_user, api):
    names = [a["name"] for a in api(channel_user).get("/api/v1/accounts/?stale=true").json()["results"]]
    assert names == ["Stale"]


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


def test_account_export_is_scoped_filtered_and_formula_safe(landscape, partner_a, channel_user, rep_a, api, client):
    evil = AccountFactory(name='=HYPERLINK("http://evil")', region="bretagne")
    AssignmentFactory(account=evil, partner=partner_a)
    rows = read_csv(api(channel_user).get("/api/v1/accounts/export/?is_select=true&region=bretagne"))
    assert {r["name"] for r in rows} == {"Uncovered BZH", '\'=HYPERLINK("http://evil")'}
    assert next(r for r in rows if r["name"].startswith("'"))["primary_partner"] == partner_a.name
    # a partner user exports exactly its own accounts, whatever the filter says
    mine = read_csv(api(rep_a).get("/api/v1/accounts/export/"))
    assert {r["name"] for r in mine} == {"Active", '\'=HYPERLINK("http://evil")'}
    client.force_login(rep_a)
    assert {r["name"] for r in read_csv(client.get("/accounts/export.csv?region=ile_de_france"))} == {"Active"}


def test_assignment_export_is_scoped(landscape, partner_a, channel_user, rep_a, api, client):
    everything = read_csv(api(channel_user).get("/api/v1/assignments/export/"))
    assert len(everything) == 2
    mine = read_csv(api(rep_a).get("/api/v1/assignments/export/"))
    assert [r["partner_siren"] for r in mine] == [partner_a.siren]
    client.force_login(rep_a)
    assert len(read_csv(client.get("/accounts/assignments/export.csv"))) == 1


def test_the_account_page_shows_every_change_with_who(partner_a, partner_b, channel_user, client):
    account = AccountFactory(name="Maison Dupont")
    assignment_create(
        account=account,
        partner=partner_a,
        role="primary",
        valid_from=date(2026, 1, 1),
        assigned_by=channel_user,
        reason="first",
    )
    assignment_create(
        account=account,
        partner=partner_b,
        role="primary",
        valid_from=date(2026, 3, 1),
        assigned_by=channel_user,
        reason="better fit",
    )
    account.city = "Lyon"
    account.save()
    client.force_login(channel_user)
    html = client.get(f"/accounts/{account.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h2>History</h2>" in html
    assert f"Assignment of {partner_a.name}" in html and f"Partner: {partner_b.name}" in html
    assert "Valid to: — → March 1, 2026" in html and "Role: Primary" in html
    assert "City: Paris → Lyon" in html
    # words, not codes: no field names, no None, no ISO dates, no True/False
    for code in ("valid_to", "partner_id", "None", "2026-03-01", "True", "is_select"):
        assert code not in html.split("<h2>History</h2>")[1], code
    french = client.get(f"/accounts/{account.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Ville : Paris → Lyon" in french and "Attribution de" in french
