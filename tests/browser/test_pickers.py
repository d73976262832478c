"""The type-ahead pickers in headless Chromium: the channel team types part of a partner's name, picks it
with the keyboard and submits; picks an attendee with the mouse; in French and in English, on a desktop
and on a phone; without any console error (the CSP forbids inline scripts: the widget is a static file)."""

import os

import pytest

from accounts.models import Assignment
from ecosystem.roles import Role

from ..factories import AccountFactory, PartnerFactory, RoadshowFactory, UserFactory
from .conftest import PHONE, login, screenshot

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    alpha = PartnerFactory(name="Alpha Intégration")
    PartnerFactory(name="Alpine Réseaux")
    PartnerFactory(name="Bravo Services")
    for index in range(30):
        PartnerFactory(name=f"Partenaire {index:02d}")
    return {
        "alpha": alpha,
        "account": AccountFactory(name="Maison Lumière"),
        "roadshow": RoadshowFactory(title="Lille IA"),
        "channel": UserFactory(username="channel.team", role=Role.CHANNEL),
    }


def _watch_console(page):
    """Console errors and uncaught exceptions of the page (the browser's own favicon request aside)."""
    errors = []

    def on_console(message):
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_type_a_partner_name_pick_it_with_the_keyboard_and_submit(browser_context, live_server, world, locale):
    page = browser_context(locale=locale).new_page()
    errors = _watch_console(page)
    login(page, live_server, "channel.team")
    page.goto(f"{live_server.url}/accounts/{world['account'].pk}/")
    page.click("main details summary")
    box = page.locator("#id_partner")
    assert box.get_attribute("role") == "combobox"
    assert page.locator("input[name=partner]").get_attribute("type") == "hidden"
    box.fill("alp")  # lower case: "Alpha Intégration" and "Alpine Réseaux" are both suggested
    options = page.locator("[role=listbox] [role=option]")
    options.first.wait_for()
    assert options.count() == 2 and "Bravo" not in page.locator("[role=listbox]").inner_text()
    assert box.get_attribute("aria-expanded") == "true"
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    box.press("Enter")  # picks, does not submit
    assert box.input_value() == f"Alpha Intégration ({world['alpha'].siren})"
    assert page.locator("input[name=partner]").input_value() == str(world["alpha"].pk)
    assert not Assignment.objects.exists()
    screenshot(page, f"picker-assign-{locale}")
    page.locator("form[action$='/assign/'] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assignment = Assignment.objects.get()
    assert assignment.partner == world["alpha"] and assignment.account == world["account"]
    assert errors == []


def test_pick_an_attendee_with_the_mouse_on_a_phone(browser_context, live_server, world):
    page = browser_context(viewport=PHONE).new_page()
    errors = _watch_console(page)
    login(page, live_server, "channel.team")
    page.goto(f"{live_server.url}/partners/roadshows/{world['roadshow'].pk}/")
    box = page.locator("#add-attendee [role=combobox]")
    box.fill("bravo serv")
    option = page.locator("#add-attendee [role=option]")
    option.first.wait_for()
    assert option.count() == 1
    option.first.click()
    assert box.input_value().startswith("Bravo Services (")
    screenshot(page, "picker-attendee-phone")
    page.locator("#add-attendee button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert [p.name for p in world["roadshow"].partners.all()] == ["Bravo Services"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # Typing a SIREN without picking submits it as it is.
    box = page.locator("#add-attendee [role=combobox]")
    box.fill(world["alpha"].siren)
    box.press("Escape")
    page.locator("#add-attendee button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert {p.name for p in world["roadshow"].partners.all()} == {"Bravo Services", "Alpha Intégration"}
    assert errors == []
