"""The accounts and assignments spreadsheets (.xlsx) beside their CSV: labels in the reader's language, typed
cells, scoped exactly as the CSV, a constant number of queries."""

import io
from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from ecosystem.xlsx import CONTENT_TYPE
from tests.conftest import api_client_for
from tests.factories import AccountFactory, AssignmentFactory


def sheet(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == CONTENT_TYPE and response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    return book.active


def rows(response):
    return list(sheet(response).iter_rows(values_only=True))


@pytest.fixture
def shared(partner_a, partner_b):
    """A luxury account in Bretagne that A covers as secondary under B's primary, and one account of B only."""
    account = AccountFactory(name="Maison Shared", sector="luxury", region="bretagne", employees=1200)
    AssignmentFactory(account=account, partner=partner_b, role="primary", valid_from=date(2026, 3, 2))
    AssignmentFactory(account=account, partner=partner_a, role="secondary", valid_from=date(2026, 4, 1))
    AssignmentFactory(account=AccountFactory(name="Only B"), partner=partner_b)
    return account


def test_internal_accounts_spreadsheet_in_french(client, channel_user, shared, partner_b):
    client.force_login(channel_user)
    ws = sheet(client.get("/accounts/export.xlsx?search=Shared", HTTP_ACCEPT_LANGUAGE="fr"))
    table = list(ws.iter_rows(values_only=True))
    assert ws.freeze_panes == "A2"
    assert table[0][:4] == ("SIREN", "Compte", "Secteur", "Région") and len(table[0]) == 10
    row = dict(zip(table[0], table[1], strict=True))
    assert row["Secteur"] == "Luxe" and row["Région"] == "Bretagne"  # labels, not luxury / bretagne
    assert row["Effectif"] == 1200 and isinstance(row["Effectif"], int)  # a number, not text
    assert row[table[0][6]] == "oui"  # is_select as a word
    assert partner_b.name in table[1]  # the primary partner, for the channel team
    assert len(table) == 2  # the list's filter applies: no total row (no amounts)
    cell = ws.cell(row=2, column=6)
    assert cell.data_type == "n" and cell.number_format == "#,##0"


def test_partner_accounts_spreadsheet_is_scoped_like_its_csv(client, rep_a, shared, partner_b):
    client.force_login(rep_a)
    table = rows(client.get("/accounts/export.xlsx", HTTP_ACCEPT_LANGUAGE="en"))
    csv = b"".join(client.get("/accounts/export.csv").streaming_content).decode().lstrip("\ufeff").splitlines()
    assert len(table) == len(csv) == 2  # the shared account only, never "Only B"
    assert table[0][-1] == "Your role" and table[1][-1] == "Secondary"
    assert partner_b.name not in str(table) and partner_b.siren not in str(table)  # never who else covers it
    api = api_client_for(rep_a)
    assert rows(api.get("/api/v1/accounts/export-xlsx/")) == table
    # another partner's id in a filter answers like an id that does not exist
    other, missing = (client.get(f"/accounts/export.xlsx?partner={pk}") for pk in (partner_b.pk, 999999))
    assert (other.status_code, other.content) == (missing.status_code, missing.content)


def test_assignments_spreadsheet_has_dates_and_role_labels(client, channel_user, shared):
    client.force_login(channel_user)
    ws = sheet(client.get("/accounts/assignments/export.xlsx", HTTP_ACCEPT_LANGUAGE="fr"))
    table = list(ws.iter_rows(values_only=True))
    assert table[0][4] == "Rôle"
    by_role = {row[4]: row for row in table[1:] if row[1] == "Maison Shared"}
    assert set(by_role) == {"Principal", "Secondaire"}
    assert by_role["Principal"][5] == datetime(2026, 3, 2) and by_role["Principal"][6] is None
    assert ws.cell(row=2, column=6).number_format == "dd/mm/yyyy"
    api = api_client_for(channel_user)
    assert len(rows(api.get("/api/v1/assignments/export-xlsx/"))) == len(table)


def test_partner_assignments_spreadsheet_holds_its_own_only(rep_a, shared, partner_a):
    table = rows(api_client_for(rep_a).get("/api/v1/assignments/export-xlsx/"))
    assert len(table) == 2 and table[1][3] == partner_a.name


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_spreadsheets_make_a_constant_number_of_queries(client, channel_user, rep_a, partner_a, partner_b):
    for _ in range(2):
        AssignmentFactory(account=AccountFactory(), partner=partner_a)
    client.force_login(channel_user)
    few = {url: _queries(client, url) for url in ("/accounts/export.xlsx", "/accounts/assignments/export.xlsx")}
    client.force_login(rep_a)
    few_partner = _queries(client, "/accounts/export.xlsx")
    for index in range(30):
        AssignmentFactory(account=AccountFactory(), partner=partner_a if index % 2 else partner_b)
    client.force_login(channel_user)
    assert {url: _queries(client, url) for url in few} == few
    client.force_login(rep_a)
    assert _queries(client, "/accounts/export.xlsx") == few_partner
