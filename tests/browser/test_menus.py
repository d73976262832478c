"""The channel team's grouped menu in headless Chromium, at 1366 px and at 390 px, in French and English:
a group opens on a click and shows its links, opening another closes it, nothing scrolls sideways, the
current page's group is marked, and every menu link stays inside ``.main-nav``."""

import os

import pytest

from ecosystem.roles import Role

from ..factories import UserFactory
from .conftest import PHONE, login, screenshot

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1366, "height": 900}
NO_SIDEWAYS = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366", "390"])
@pytest.mark.parametrize("locale, commissions", [("fr-FR", "Commissions"), ("en-GB", "Commissions")])
def test_open_a_group_and_follow_a_link(browser_context, live_server, viewport, locale, commissions):
    UserFactory(username="channel.menu", role=Role.CHANNEL)
    page = browser_context(viewport=viewport, locale=locale).new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, live_server, "channel.menu")
    page.goto(f"{live_server.url}/commissions/settlements/")
    current = page.locator(".main-nav .menu-group.current summary")
    assert current.inner_text().strip() == commissions
    settlements = page.locator('.main-nav a[href="/commissions/settlements/"]')
    assert not settlements.is_visible()  # folded until asked
    current.click()
    settlements.wait_for(state="visible")
    screenshot(page, f"menu-open-{viewport['width']}-{locale}")
    assert page.evaluate(NO_SIDEWAYS), screenshot(page, f"menu-{viewport['width']}-{locale}")
    # Opening another group closes this one (one menu group open at a time).
    page.locator(".main-nav .menu-group summary").last.click()
    page.locator('.main-nav a[href="/audit/"]').wait_for(state="visible")
    assert not settlements.is_visible()
    assert page.evaluate(NO_SIDEWAYS), screenshot(page, f"menu-admin-{viewport['width']}-{locale}")
    page.locator('.main-nav a[href="/audit/"]').click()
    page.wait_for_url("**/audit/")
    assert page.locator(".main-nav .menu-group.current summary").inner_text().strip() in ("Administration",)
    assert not errors, errors
