"""Spreadsheet formulas in exports (SPEC §4.1, §6): a text cell starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return is prefixed with ``'``; numbers and dates the product writes stay as
they are (``-5000.00`` stays a negative number). Every export goes through ``ecosystem.csvio``:
statements, the finance export, accounts, assignments (and the dashboards' tables)."""

import csv
import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.utils.translation import gettext_lazy

from accounts.services import assignment_create
from commissions import settlement
from commissions.models import LineKind, Statement
from ecosystem.csvio import iter_csv_lines, safe_cell
from opportunities.models import Stage

from .commissions.helpers import approved, run_for
from .factories import AccountFactory, PartnerFactory, RuleFactory, UserFactory, won

HOSTILE = ["=HYPERLINK(1)", "+33 1 23", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_a_spreadsheet_would_run_is_prefixed(text):
    assert safe_cell(text) == "'" + text


def test_a_lazy_label_is_text_too():
    assert safe_cell(gettext_lazy("=1+2")) == "'=1+2"


@pytest.mark.parametrize(
    ("value", "written"),
    [(D("-5000.00"), "-5000.00"), (-3, "-3"), (-0.5, "-0.5"), (date(2026, 7, 1), "2026-07-01"), (None, "")],
)
def test_numbers_and_dates_stay_as_they_are(value, written):
    assert safe_cell(value) == written


def test_a_row():
    lines = list(iter_csv_lines(["name", "payout"], [["=1+2", D("-5000.00")], ["Maison, Lyon", D("12.50")]]))
    assert lines == ["name,payout\r\n", "'=1+2,-5000.00\r\n", '"Maison, Lyon",12.50\r\n']


def read(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(body)))


@pytest.mark.django_db
def test_statement_and_finance_exports_keep_a_clawback_a_number(client, api, channel_user, admin_a, partner_a):
    RuleFactory(name="-Rule", rate=D("0.05"))
    deal = won(partner_a, "100000.00", date(2026, 7, 15), account=AccountFactory(name="=cmd|' /C calc'!A0"))
    approved("2026-Q3", runner=channel_user)
    deal.stage = Stage.LOST
    deal.save()
    q4 = run_for("2026-Q4", channel_user)
    settlement.settle_now(q4.pk)
    settlement.settlement_approve(run=q4, user=UserFactory(role="manager"))
    statement = Statement.objects.current().get(run=q4, partner=partner_a)
    assert statement.total == D("-5000.00")
    client.force_login(channel_user)
    exports = {
        # The calculation is said in the reader's language: English here.
        "statement (API)": api(admin_a).get(f"/api/v1/statements/{statement.pk}/export/", HTTP_ACCEPT_LANGUAGE="en"),
        "statement (page)": client.get(f"/commissions/statements/{statement.pk}/export.csv", HTTP_ACCEPT_LANGUAGE="en"),
        "finance (API)": api(channel_user).get(f"/api/v1/settlements/{q4.pk}/export/", HTTP_ACCEPT_LANGUAGE="en"),
        "finance (page)": client.get(f"/commissions/settlements/{q4.pk}/export.csv", HTTP_ACCEPT_LANGUAGE="en"),
    }
    for name, response in exports.items():
        (row,) = read(response)
        assert row["payout"] == "-5000.00", name  # a number: no quote in front
        assert row["amount"] == "0.00", name
        assert row["account"] == "'=cmd|' /C calc'!A0", name
        assert row["rule"] == "'-Rule", name
        assert row["calculation"].startswith("Clawback for 2026-Q3"), name
    assert q4.lines.get().kind == LineKind.ADJUSTMENT


@pytest.mark.django_db
def test_account_and_assignment_exports(client, api, channel_user):
    partner = PartnerFactory(name="@partner")
    account = AccountFactory(name="+account", city="-city")
    assignment_create(
        account=account, partner=partner, role="primary", valid_from=date(2026, 1, 1),
        assigned_by=channel_user, reason="=reason",
    )  # fmt: skip
    client.force_login(channel_user)
    for response in (client.get("/accounts/export.csv"), api(channel_user).get("/api/v1/accounts/export/")):
        (row,) = read(response)
        assert (row["name"], row["city"], row["primary_partner"]) == ("'+account", "'-city", "'@partner")
        assert row["employees"] == "500"
    for response in (
        client.get("/accounts/assignments/export.csv"),
        api(channel_user).get("/api/v1/assignments/export/"),
    ):
        (row,) = read(response)
        assert (row["account"], row["partner"], row["reason"]) == ("'+account", "'@partner", "'=reason")
        assert row["valid_from"] == "2026-01-01"
