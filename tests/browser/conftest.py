"""Shared fixtures of the browser tests: headless Debian Chromium driven by Playwright's sync API.

``browser_page`` gives a fresh page (own cookies) against pytest-django's ``live_server``;
``login(page, live_server, username, password)`` logs in through the real login form;
``screenshot(page, name)`` saves a full-page PNG under ``test-artifacts/screenshots/``.

Without ``/usr/bin/chromium`` the tests skip with the reason, unless ``REQUIRE_BROWSER=1``
(CI with Chromium installed), where a missing browser is a failure.
"""

import os
from pathlib import Path

import pytest

from ..conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _unavailable(reason: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session."""
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in requirements-dev.txt
        _unavailable("the playwright package is not installed (pip install -r requirements-dev.txt)")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_context(chromium):
    """``browser_context(viewport=..., locale=...)`` → a new isolated context (closed after the test)."""
    contexts = []

    def make(viewport=DESKTOP, locale="en-GB"):
        context = chromium.new_context(viewport=viewport, locale=locale)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def browser_page(browser_context, live_server):
    """A desktop-sized page in its own context (cookies), in English."""
    return browser_context().new_page()


def login(page, live_server, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form and wait for the role's start page."""
    page.goto(f"{live_server.url}/auth/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action$='/auth/login/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/auth/login/" not in page.url, f"login of {username} failed: still on {page.url}"


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
