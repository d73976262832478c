"""Spreadsheet downloads (``ecosystem/xlsx.py``): labels as headers, typed cells, a total row, text never a formula."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from ecosystem.xlsx import Column, workbook_bytes


def read(data: bytes):
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def cells(data: bytes):
    return list(load_workbook(io.BytesIO(data)).active.iter_rows())


COLUMNS = [
    Column("Account"),
    Column("Product line", labels={"hybrid_cloud": "Hybrid cloud (Red Hat)"}),
    Column("Amount (€)", "money", total=True),
    Column("Share", "percent"),
    Column("Deals", "integer", total=True),
    Column("Closed on", "date"),
]


def test_typed_cells_labels_and_a_total_row():
    rows = [
        ["Maison A", "hybrid_cloud", Decimal("1234.50"), Decimal("0.4215"), 3, date(2026, 10, 2)],
        ["Usine B", "ai", "-5000.00", None, 1, "2026-11-30"],
    ]
    with translation.override("en"):
        table = read(workbook_bytes(COLUMNS, rows, title="Won deals"))
    assert table[0] == ("Account", "Product line", "Amount (€)", "Share", "Deals", "Closed on")
    first, second, total = table[1], table[2], table[3]
    assert first[1] == "Hybrid cloud (Red Hat)" and second[1] == "ai"  # a label where known, else the value
    assert first[2] == 1234.5 and second[2] == -5000  # amounts are numbers, negative ones too, never text
    assert first[3] == pytest.approx(0.4215) and first[4] == 3
    assert first[5].date() == date(2026, 10, 2) and second[5].date() == date(2026, 11, 30)
    assert total == ("Total", None, -3765.5, None, 4, None)


def test_formats_and_text_that_looks_like_a_formula():
    rows = [["=HYPERLINK(\"http://evil\")", "+33 1 23", Decimal("10"), Decimal("0.5"), 1, date(2026, 1, 1)]]
    sheet = cells(workbook_bytes(COLUMNS, rows, title="x"))
    hostile, phone, amount, share, deals, closed = sheet[1]
    # text, never a formula, prefixed as in the CSV exports (SPEC §4.1)
    assert hostile.data_type == "s" and hostile.value == '\'=HYPERLINK("http://evil")'
    assert phone.data_type == "s" and phone.value == "'+33 1 23"
    assert amount.number_format == "#,##0.00" and share.number_format == "0.00%"
    assert deals.number_format == "#,##0" and closed.number_format == "dd/mm/yyyy"
    assert sheet[0][0].font.bold


def test_the_total_row_is_labelled_in_the_readers_language():
    with translation.override("en"):
        columns = [Column("Account"), Column("Amount", "money", total=True)]
        table = read(workbook_bytes(columns, [["A", Decimal("1")], ["B", Decimal("2.5")]], title="t"))
    assert table[-1] == ("Total", 3.5)


@pytest.mark.django_db
def test_a_dashboard_table_downloads_as_xlsx(client, manager_user):
    client.force_login(manager_user)
    page = client.get("/dashboard/share/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "format=xlsx" in page.content.decode()
    table = page.context["sections"][0][1]
    response = client.get(f"/dashboard/share/?export={table.name}&format=xlsx", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows = read(response.content)
    assert rows[0] == tuple(str(column.label) for column in table.columns)
    from audit.models import AuditEvent

    assert AuditEvent.objects.filter(kind="export", detail__export=table.name).exists()
