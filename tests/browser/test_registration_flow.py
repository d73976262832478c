"""End to end in headless Chromium: a partner rep registers, the channel team approves, the rep wins the deal."""

import os
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ecosystem.roles import Role
from opportunities.models import Opportunity

from ..factories import AccountFactory, AssignmentFactory, PartnerFactory, RoadshowFactory, UserFactory
from .conftest import PHONE, login, screenshot

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    partner = PartnerFactory(name="Alpha Intégration")
    rival = PartnerFactory(name="Bravo Services")
    account = AccountFactory(name="Maison Lumière", city="Paris")
    AssignmentFactory(account=account, partner=partner)
    contested = AccountFactory(name="Usine Contestée", city="Lyon")
    AssignmentFactory(account=contested, partner=rival)
    roadshow = RoadshowFactory(title="Lyon AI day", partners=[partner])
    rep = UserFactory(username="rep.alpha", role=Role.PARTNER_REP, partner=partner)
    channel = UserFactory(username="channel.team", role=Role.CHANNEL)
    return {"partner": partner, "account": account, "contested": contested, "roadshow": roadshow, "rep": rep,
            "channel": channel}  # fmt: skip


def test_register_approve_and_win(browser_page, browser_context, live_server, world):
    page = browser_page
    expected_close = (timezone.localdate() + timedelta(days=45)).isoformat()

    # 1. The partner rep logs in and lands on the portal.
    login(page, live_server, "rep.alpha")
    assert page.url.endswith("/portal/")
    screenshot(page, "01-portal-home")

    # 2. A bad amount is refused with a message under the field; nothing is written.
    page.click("#register-opportunity")
    page.wait_for_load_state("networkidle")  # the picker's script (deferred) has set the field up
    page.fill("#id_account", "lumiere")  # the account picker: its own account is suggested first
    page.locator("[role=listbox] [role=option]").first.click()
    assert page.locator("input[name=account]").input_value() == str(world["account"].pk)
    page.select_option("#id_product_line", "ai")
    page.fill("#id_amount", "-5")
    page.fill("#id_expected_close", expected_close)
    page.click(".register-form button[type=submit]")
    assert page.locator("#id_amount-error").is_visible()
    assert page.locator("#id_amount").get_attribute("aria-invalid") == "true"
    screenshot(page, "02-register-field-error")
    assert Opportunity.objects.count() == 0

    # 3. Registered properly (French decimal comma, attended roadshow): pending review.
    page.fill("#id_amount", "125000,50")
    page.select_option("#id_roadshow", str(world["roadshow"].pk))
    page.click(".register-form button[type=submit]")
    page.wait_for_url("**/opportunities/*/")
    opportunity = Opportunity.objects.get()
    assert opportunity.registration_status == "pending" and str(opportunity.amount) == "125000.50"
    assert page.locator("#registration-status .badge.pending").is_visible()
    screenshot(page, "03-opportunity-pending")

    # Going back and submitting the same form again (a retry) creates nothing new.
    page.go_back()
    page.wait_for_load_state()
    if page.locator(".register-form button[type=submit]").count():
        page.click(".register-form button[type=submit]")
        page.wait_for_load_state("networkidle")
    assert Opportunity.objects.count() == 1

    # The search finds any company by name, with its name, SIREN and city only.
    page.goto(f"{live_server.url}/opportunities/register/?q=Contest")
    assert page.locator("#account-results tbody tr").count() == 1
    assert "Bravo" not in page.content()
    screenshot(page, "04-register-account-search")

    # On a phone the form is usable too.
    phone = browser_context(viewport=PHONE).new_page()
    login(phone, live_server, "rep.alpha")
    phone.goto(f"{live_server.url}/opportunities/register/")
    assert phone.locator("#id_amount").is_visible()
    screenshot(phone, "05-register-phone")

    # 4. The channel team approves it from the queue.
    channel = browser_context().new_page()
    login(channel, live_server, "channel.team")
    channel.goto(f"{live_server.url}/opportunities/registrations/")
    row = channel.locator(f"#registration-{opportunity.pk}")
    assert row.is_visible()
    screenshot(channel, "06-channel-queue")
    row.locator(f"input[name='reason-{opportunity.pk}']").fill("Good fit for the select programme")
    row.locator(f"button[value='approve:{opportunity.pk}']").click()
    channel.wait_for_load_state("networkidle")
    assert channel.locator(f"#registration-{opportunity.pk}").count() == 0
    screenshot(channel, "07-channel-queue-after-approval")
    opportunity.refresh_from_db()
    assert opportunity.registration_status == "approved" and opportunity.protected_until
    assert any(world["rep"].email in m.to for m in mail.outbox)

    # 5. The rep sees it approved and moves it to won with the final amount.
    page.goto(f"{live_server.url}/opportunities/{opportunity.pk}/")
    assert page.locator("#registration-status .badge.approved").is_visible()
    screenshot(page, "08-opportunity-approved")
    page.select_option("#id_stage", "won")
    page.fill("#id_closed_on", timezone.localdate().isoformat())
    page.fill("#id_amount", "118000")
    page.click("#move button[type=submit]")
    page.wait_for_load_state("networkidle")
    opportunity.refresh_from_db()
    assert opportunity.stage == "won" and str(opportunity.amount) == "118000.00"
    assert opportunity.closed_on == timezone.localdate()
    # A partner's win is a claim until a booking or the channel team confirms it (SPEC §4.2).
    assert opportunity.awaiting_confirmation and opportunity.claimed_amount == opportunity.amount
    assert page.locator("#stage").inner_text().strip().lower() in (
        "won, awaiting confirmation", "gagnée, en attente de confirmation"
    )  # fmt: skip
    assert page.locator("#claim-status").is_visible()
    history = page.locator("table.history tbody tr")
    assert history.count() >= 3
    assert "rep.alpha" in history.first.inner_text()
    screenshot(page, "09-opportunity-won-with-history")
