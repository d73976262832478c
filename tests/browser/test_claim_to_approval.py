"""Issue 13 end to end in headless Chromium: a partner's claim, the booking that confirms it, the settlement,
the review and the approval — each step through the pages, as each role would do it.

The rep claims a win at 98,500 €; nothing is paid nor counted on the claim. The channel team imports the
order system's booking (27,000 €, naming the registration number): the same opportunity is confirmed at the
booked amount, the difference shown. The channel team runs the quarter's settlement; a manager reviews it
(the total seen, the comparison, the exception acknowledged) and approves it; the statement pays 10 % of the
booked amount, never of the claimed one.
"""

import os
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from commissions.models import PayoutLine, RunStatus, SettlementRun
from ecosystem.periods import period_label, quarter_of
from ecosystem.roles import Role
from opportunities.models import Opportunity

from ..factories import AccountFactory, AssignmentFactory, OpportunityFactory, PartnerFactory, RuleFactory, UserFactory
from .conftest import login, screenshot

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(tmp_path):
    quarter = quarter_of(date.today()).previous()  # over: its settlement may be approved
    partner = PartnerFactory(name="Alpha Intégration", tier="gold")
    account = AccountFactory(name="Maison Lumière", city="Paris")
    AssignmentFactory(account=account, partner=partner)
    rep = UserFactory(username="rep.alpha", role=Role.PARTNER_REP, partner=partner)
    UserFactory(username="channel.team", role=Role.CHANNEL)
    UserFactory(username="finance.manager", role=Role.MANAGER)
    RuleFactory(name="Ten percent", rate=Decimal("0.10"), valid_from=date(2020, 1, 1), product_lines=["ai"])
    RuleFactory(name="AI bonus", rate=Decimal("0.01"), stacking="bonus", product_lines=["ai"])
    deal = OpportunityFactory(
        partner=partner, account=account, product_line="ai", amount=Decimal("27000.00"), stage="proposal",
        registration_status="approved", registered_by=rep, expected_close=quarter.start + timedelta(days=40),
    )  # fmt: skip
    # A win the channel team recorded on a product line no rule pays: an exception the review must show and
    # the approver acknowledge.
    OpportunityFactory(
        partner=partner, account=account, product_line="security", amount=Decimal("5000.00"), stage="won",
        closed_on=quarter.start + timedelta(days=5),
    )  # fmt: skip
    return {"quarter": quarter, "partner": partner, "account": account, "deal": deal, "tmp": tmp_path}


def test_claim_booking_settlement_review_approval(browser_context, live_server, world):
    quarter, deal = world["quarter"], world["deal"]
    closed_on = quarter.start + timedelta(days=20)
    errors: list[str] = []

    def new_page():
        page = browser_context().new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        return page

    # 1. The rep claims the win, at the amount it believes: a claim, awaiting confirmation.
    rep = new_page()
    login(rep, live_server, "rep.alpha")
    rep.goto(f"{live_server.url}/opportunities/{deal.pk}/")
    rep.select_option("#move select[name=stage]", "won")
    rep.fill("#move input[name=closed_on]", closed_on.isoformat())
    rep.fill("#move input[name=amount]", "98500")
    rep.click("#move button[type=submit]")
    rep.wait_for_load_state("networkidle")
    assert "awaiting confirmation" in rep.locator("#stage").inner_text().lower()
    registration_number = rep.locator("#registration-number code").inner_text()
    screenshot(rep, "claim-01-rep-claims")
    claimed = Opportunity.objects.get(pk=deal.pk)
    assert claimed.awaiting_confirmation and claimed.amount == Decimal("98500.00")

    # 2. The channel team imports the booking: it confirms that very opportunity at the booked amount.
    channel = new_page()
    login(channel, live_server, "channel.team")
    bookings = world["tmp"] / "bookings.csv"
    bookings.write_text(
        "external_id,account_siren,partner_siren,route,product_line,amount,closed_on,registration\n"
        f"ERP-1,{world['account'].siren},{world['partner'].siren},partner_sourced,ai,27000.00,"
        f"{closed_on.isoformat()},{registration_number}\n",
        encoding="utf-8",
    )
    channel.goto(f"{live_server.url}/bookings/import/")
    channel.set_input_files("input[name=file]", str(bookings))
    channel.click("form[enctype] button[type=submit]")
    channel.wait_for_load_state("networkidle")
    confirmed = Opportunity.objects.get(pk=deal.pk)
    assert not confirmed.awaiting_confirmation and confirmed.amount == Decimal("27000.00")
    assert Opportunity.objects.filter(account=world["account"], product_line="ai").count() == 1  # no second one
    channel.goto(f"{live_server.url}/opportunities/{deal.pk}/")
    difference = channel.locator("#claim-difference").inner_text()
    assert "98,500.00" in difference and "27,000.00" in difference
    screenshot(channel, "claim-02-booking-confirms")

    # 3. The channel team runs the quarter's settlement (tasks run in this process in the tests).
    channel.goto(f"{live_server.url}/commissions/settlements/")
    channel.fill("#run-settlement input[name=period]", quarter.label)
    channel.click("#run-settlement button[type=submit]")
    channel.wait_for_load_state("networkidle")
    run = SettlementRun.objects.get(period=quarter.label)
    assert run.status == RunStatus.COMPUTED and run.run_by.username == "channel.team"
    line = PayoutLine.objects.get(run=run, rule__name="Ten percent")
    assert line.payout == Decimal("2700.00")  # 10 % of the booked amount, not of the claim

    # 4. A manager reviews the run and approves it, confirming the total they saw.
    manager = new_page()
    login(manager, live_server, "finance.manager")
    manager.goto(f"{live_server.url}/commissions/settlements/{run.pk}/")
    manager.click("#review-and-approve")
    manager.wait_for_load_state("networkidle")
    for section in ("#review-comparison", "#review-total", "#review-lines"):
        assert manager.locator(section).count() == 1, section
    screenshot(manager, "claim-03-review")
    manager.fill("input[name=confirmed_total]", "1")  # a total that is not the run's: refused
    manager.click("#approve-button")
    manager.wait_for_load_state("networkidle")
    assert manager.locator("#error-confirmed_total").count() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.COMPUTED
    assert manager.locator("#review-exceptions").count() == 1 and run.exception_count == 1
    manager.fill("input[name=confirmed_total]", str(run.total))
    manager.click("#approve-button")  # the exception not acknowledged: refused
    manager.wait_for_load_state("networkidle")
    assert manager.locator("#error-acknowledge_exceptions").count() == 1
    manager.fill("input[name=confirmed_total]", str(run.total))
    manager.check("input[name=acknowledge_exceptions]")
    manager.click("#approve-button")
    manager.wait_for_load_state("networkidle")
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED and run.approved_by.username == "finance.manager"
    assert "approved" in manager.locator("#run-status").inner_text().lower()
    screenshot(manager, "claim-04-approved")

    # 5. The rep reads its statement: the booked amount's commission, approved.
    rep.goto(f"{live_server.url}/commissions/statements/")
    with translation.override("en"):
        named = period_label(quarter)  # the statement list names the quarter ("Q3 2026"), in the rep's English
    rep.click(f"text={named}")
    rep.wait_for_load_state("networkidle")
    assert "2,970.00" in rep.content()  # 2,700 + the 1 % bonus on 27,000
    # A refused form answers 400 by design (the page shown again with its errors): Chromium logs that load.
    refused = "the server responded with a status of 400"
    assert [error for error in errors if refused not in error] == [], errors
