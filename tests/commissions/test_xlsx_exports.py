"""Statement and settlement spreadsheets (.xlsx) beside their CSV: labels, amounts as numbers, a total row of
the payouts, scoped exactly as the CSV, a constant number of queries."""

import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from commissions.models import Statement
from ecosystem.xlsx import CONTENT_TYPE
from tests.conftest import api_client_for

from ..factories import RuleFactory, won
from .helpers import Q3_DAY, approved


def sheet(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == CONTENT_TYPE and response["Content-Disposition"].endswith('.xlsx"')
    return load_workbook(io.BytesIO(response.content)).active


@pytest.fixture
def q3(users, partner_a, partner_b):
    RuleFactory(rate=D("0.1"), product_lines=["ai", "security"])
    won(partner_a, "1000.00", Q3_DAY)
    won(partner_a, "2345.67", Q3_DAY, product_line="security")
    won(partner_b, "2000.00", Q3_DAY)
    return approved(runner=users["channel"], approver=users["manager"])


def test_statement_spreadsheet_in_french(client, users, q3, partner_a):
    statement = Statement.objects.get(run=q3, partner=partner_a)
    client.force_login(users["partner_admin"])
    page = client.get(f"/commissions/statements/{statement.pk}/").content.decode()
    assert f"/commissions/statements/{statement.pk}/export.xlsx" in page  # the link beside the CSV's
    ws = sheet(client.get(f"/commissions/statements/{statement.pk}/export.xlsx", HTTP_ACCEPT_LANGUAGE="fr"))
    table = list(ws.iter_rows(values_only=True))
    assert ws.freeze_panes == "A2" and len(table[0]) == 10
    assert table[0][1] == "Partenaire" and table[0][5] == "Gamme de produits"
    lines = table[1:-1]
    assert {line[5] for line in lines} == {"IA (watsonx, Granite, Orchestrate)", "Sécurité"}  # labels, not codes
    payouts = sorted(line[9] for line in lines)
    assert payouts == [100, pytest.approx(234.57)]  # numbers, rounded to the cent
    assert table[-1][0] == "Total" and table[-1][9] == pytest.approx(float(statement.total))
    assert ws.cell(row=2, column=10).number_format == "#,##0.00" and ws.cell(row=2, column=10).data_type == "n"


def test_statement_spreadsheet_is_scoped_like_its_csv(client, users, q3, partner_a, partner_b):
    mine = Statement.objects.get(run=q3, partner=partner_a)
    theirs = Statement.objects.get(run=q3, partner=partner_b)
    for role in ("partner_rep", "partner_admin"):
        client.force_login(users[role])
        assert client.get(f"/commissions/statements/{theirs.pk}/export.xlsx").status_code == 404
        api = api_client_for(users[role])
        assert api.get(f"/api/v1/statements/{theirs.pk}/export-xlsx/").status_code == 404
        table = list(sheet(api.get(f"/api/v1/statements/{mine.pk}/export-xlsx/")).iter_rows(values_only=True))
        assert len(table) == 4 and partner_b.name not in str(table)


def test_settlement_spreadsheet_for_finance(client, users, q3, partner_a, partner_b):
    client.force_login(users["manager"])
    page = client.get(f"/commissions/settlements/{q3.pk}/").content.decode()
    assert f"/commissions/settlements/{q3.pk}/export.xlsx" in page
    table = list(sheet(client.get(f"/commissions/settlements/{q3.pk}/export.xlsx")).iter_rows(values_only=True))
    assert {row[1] for row in table[1:-1]} == {partner_a.name, partner_b.name}
    assert table[-1][0] == "Total" and table[-1][9] == pytest.approx(float(q3.total))
    api = api_client_for(users["channel"])
    assert len(list(sheet(api.get(f"/api/v1/settlements/{q3.pk}/export-xlsx/")).iter_rows())) == len(table)
    client.force_login(users["partner_admin"])
    assert client.get(f"/commissions/settlements/{q3.pk}/export.xlsx").status_code == 403
    assert api_client_for(users["partner_admin"]).get(f"/api/v1/settlements/{q3.pk}/export-xlsx/").status_code == 403


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_spreadsheets_make_a_constant_number_of_queries(client, users, partner_a):
    RuleFactory(rate=D("0.1"), product_lines=["ai"])
    won(partner_a, "1000.00", Q3_DAY)
    small = approved("2026-Q3", runner=users["channel"], approver=users["manager"])
    for _ in range(12):
        won(partner_a, "1000.00", Q3_DAY.replace(month=10))
    large = approved("2026-Q4", runner=users["channel"], approver=users["manager"])
    client.force_login(users["manager"])
    statement = {run: Statement.objects.get(run=run, partner=partner_a).pk for run in (small, large)}
    assert _queries(client, f"/commissions/statements/{statement[small]}/export.xlsx") == _queries(
        client, f"/commissions/statements/{statement[large]}/export.xlsx"
    )
    assert _queries(client, f"/commissions/settlements/{small.pk}/export.xlsx") == _queries(
        client, f"/commissions/settlements/{large.pk}/export.xlsx"
    )
