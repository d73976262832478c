"""Honest figures on the dashboards (issue 14 item 4): a quarter not over yet is marked "to date", a
computed but unapproved run's commission is shown as preliminary (not 0 %), and a secondment's change is a
percentage only where there is something to compare it with ("no baseline yet", never −100 %)."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from ecosystem.periods import quarter_of
from insights import share
from tests.commissions.helpers import approved, computed

from ..factories import PartnerFactory, ProgramFactory, RuleFactory, SecondmentFactory, won

pytestmark = pytest.mark.django_db


def test_a_secondment_that_started_today_has_no_baseline_yet(client, manager_user):
    today = timezone.localdate()
    partner = PartnerFactory(name="Nova")
    won(partner, 1000, today - timedelta(days=3))  # won before it: a −100 % if today counted as a day of it
    SecondmentFactory(partner=partner, starts_on=today, ends_on=today + timedelta(days=60))
    [row] = share.secondment_effect()
    assert row["change_ratio"] is None and row["baseline"] is False and row["during"] == D("0")
    client.force_login(manager_user)
    quarter = quarter_of(today).label
    page = client.get(f"/dashboard/levers/?from={quarter}&to={quarter}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "no baseline yet" in page
    assert "-100" not in page and "−100" not in page


def test_a_secondment_under_way_compares_its_days_over_with_as_many_days_before():
    today = timezone.localdate()
    partner = PartnerFactory(name="Nova")
    starts = today - timedelta(days=10)
    won(partner, 100, starts - timedelta(days=5))  # in the 10 days before
    won(partner, 300, starts - timedelta(days=20))  # before those 10 days: not the baseline
    won(partner, 150, starts + timedelta(days=2))  # during, already over
    SecondmentFactory(partner=partner, starts_on=starts, ends_on=today + timedelta(days=80))
    [row] = share.secondment_effect()
    assert (row["before"], row["during"], row["change_ratio"], row["baseline"]) == (D("100"), D("150"), D("0.5"), True)


def test_an_unapproved_run_shows_its_commission_as_preliminary(dataset, client, manager_user):
    RuleFactory(program=ProgramFactory(valid_from=date(2025, 1, 1)), rate=D("0.05"))
    approved("2025-Q1")
    computed("2025-Q2")
    rows = {r["period"]: r for r in share.commission_cost(*map(quarter_of, (date(2025, 1, 1), date(2025, 6, 1))))}
    assert (rows["2025-Q1"]["commission"], rows["2025-Q1"]["preliminary"]) == (D("5.00"), False)
    assert (rows["2025-Q2"]["commission"], rows["2025-Q2"]["cost_ratio"], rows["2025-Q2"]["preliminary"]) == (
        D("5.00"),
        D("0.0500"),
        True,
    )
    client.force_login(manager_user)
    page = client.get("/dashboard/commission/?from=2025-Q1&to=2025-Q2", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "preliminary (run not approved yet)" in page and "approved or paid" in page
    assert "Q2 2025" in page and ">2025-Q2<" not in page


def test_a_quarter_not_over_yet_is_marked_to_date(dataset, client, manager_user):
    today = timezone.localdate()
    current = quarter_of(today)
    client.force_login(manager_user)
    page = client.get(
        f"/dashboard/commission/?from={current.label}&to={current.label}", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    quarter = f"Q{(today.month - 1) // 3 + 1} {today.year}"
    assert f"{quarter} to date (through {today.day} {today:%b})" in page
    past = current.previous()
    page = client.get(f"/dashboard/commission/?from={past.label}&to={past.label}", HTTP_ACCEPT_LANGUAGE="en")
    assert "to date" not in page.content.decode()
