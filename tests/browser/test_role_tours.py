"""Each role's pages in headless Chromium, in French and English, at 1366 px and at 390 px.

On the demo data set (small scale, settled), every role logs in and walks its menu and, from each
list, the first object's page. On every page: the server answers 200, nothing scrolls sideways (a
wide table scrolls inside its own box), no JavaScript error reaches the console, and no internal
code is shown where a label belongs (a choice code such as ``hauts_de_france`` or ``partner_rep``, a
raw ISO timestamp, a period code such as ``2026-Q4``, Python's ``True``/``False``/``None``). Failures are
collected over the whole tour and reported together, each with the role, language, width and page.
"""

import os
import re
from urllib.parse import urljoin, urlparse

import pytest
from django.apps import apps
from django.db import models as db_models

from demo.load import PASSWORD, load_demo

from .conftest import screenshot

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ["channel", "manager", "partner.admin", "partner.rep"]
LANGUAGES = ["fr", "en"]
WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
#: Pages a tour does not follow: they act (log out, switch language) or are not the product's own pages.
SKIPPED = re.compile(r"^/(auth/logout|i18n/|api/|admin/|static/|media/)|\.(csv|xlsx|pdf|xml)(\?|$)|/export")
MAX_DETAIL_PAGES = 12

ISO_MOMENT = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
#: A period code (``2026-Q4``, ``2026-10``) where people read "Q4 2026", "October 2026".
PERIOD_CODE = re.compile(r"(?<![\w-])\d{4}-(?:Q[1-4]|0[1-9]|1[0-2])(?![\w-])")
#: A form's hint of what to type, "(2026-Q3, 2026-07)": the codes are what the field takes.
PERIOD_HINT = re.compile(r"\(\d{4}-(?:Q[1-4]|\d\d)(?:,\s*\d{4}-(?:Q[1-4]|\d\d))*\)")
PYTHON_WORDS = re.compile(r"(?<![\w-])(True|False|None)(?![\w-])")

PAGE_FACTS = """() => ({
  scrollWidth: document.documentElement.scrollWidth,
  clientWidth: document.documentElement.clientWidth,
  text: document.body.innerText,
  links: Array.from(document.querySelectorAll('.main-nav a[href]')).map((a) => a.getAttribute('href')),
  firstRows: Array.from(document.querySelectorAll('main table tbody tr:first-child a[href]'))
    .map((a) => a.getAttribute('href')),
})"""


def internal_codes() -> set[str]:
    """Every choice code of the project's models that cannot pass for a word (it has an underscore)."""
    codes = set()
    for model in apps.get_models():
        if model._meta.app_label in {"admin", "auth", "contenttypes", "sessions", "django_celery_beat"}:
            continue
        for field in model._meta.get_fields():
            choices = getattr(field, "choices", None) or getattr(getattr(field, "base_field", None), "choices", None)
            if isinstance(field, db_models.Field) and choices:
                codes |= {str(value) for value, _label in choices if "_" in str(value)}
    return codes


def codes_in(text: str, codes: set[str]) -> list[str]:
    found = sorted(code for code in codes if re.search(rf"(?<![\w.-]){re.escape(code)}(?![\w-])", text))
    found += ISO_MOMENT.findall(text)[:3]
    found += [f"period {code}" for code in PERIOD_CODE.findall(PERIOD_HINT.sub("", text))[:3]]
    found += [f"Python {word}" for word in PYTHON_WORDS.findall(text)[:3]]
    return found


@pytest.fixture
def demo_data(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return load_demo(seed=7, scale=0.02, settle=True)


def _tour(context, live_server, role: str, label: str, codes: set[str], problems: list[str]) -> int:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/auth/login/")
    page.fill("input[name=username]", role)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action$='/auth/login/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/auth/login/" not in page.url, f"{label}: login failed"

    to_visit, seen, details = [urlparse(page.url).path], set(), 0
    while to_visit:
        path = to_visit.pop(0)
        if path in seen:
            continue
        seen.add(path)
        errors.clear()
        response = page.goto(urljoin(live_server.url, path))
        page.wait_for_load_state("networkidle")
        where = f"{label} {path}"
        if response is None or response.status != 200:
            problems.append(f"{where}: answered {response.status if response else 'nothing'}")
            continue
        facts = page.evaluate(PAGE_FACTS)
        if facts["scrollWidth"] > facts["clientWidth"] + 1:
            problems.append(f"{where}: scrolls sideways ({facts['scrollWidth']} px wide in {facts['clientWidth']})")
            screenshot(page, f"tour-{label.replace(' ', '-')}-{path.strip('/').replace('/', '_') or 'home'}")
        if found := codes_in(facts["text"], codes):
            problems.append(f"{where}: shows codes {found[:6]}")
        if errors:
            problems.append(f"{where}: console errors {errors[:3]}")
        for link in facts["links"]:
            if link.startswith("/") and not SKIPPED.search(link):
                to_visit.append(link.split("#")[0])
        for link in facts["firstRows"][:1]:
            if link.startswith("/") and not SKIPPED.search(link) and details < MAX_DETAIL_PAGES:
                details += 1
                to_visit.append(link.split("#")[0])
    page.close()
    return len(seen)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_walks_its_pages_at_both_widths(browser_context, live_server, demo_data, role, language):
    codes = internal_codes()
    assert {"hauts_de_france", "partner_rep", "hybrid_cloud"} <= codes
    problems: list[str] = []
    visited = 0
    for width_name, viewport in WIDTHS.items():
        context = browser_context(viewport=viewport, locale=language)
        context.set_extra_http_headers({"Accept-Language": language})
        visited += _tour(context, live_server, role, f"{role} {language} {width_name}", codes, problems)
        context.close()
    assert visited >= len(WIDTHS) * 5, f"only {visited} pages visited"
    assert not problems, f"{len(problems)} problems on {visited} pages:\n" + "\n".join(problems)
