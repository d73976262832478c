"""Headless Chromium renders each dashboard; the charts must have drawn (non-blank canvas pixels).

Uses the shared Chromium of tests/browser/conftest.py and the data set of tests/insights/conftest.py.
Screenshots go to test-artifacts/screenshots/.
"""

import os
from datetime import date
from pathlib import Path

import pytest

from insights.models import Target
from insights.snapshots import take_snapshot
from tests.conftest import PASSWORD
from tests.factories import SecondmentFactory, UserFactory
from tests.insights.conftest import dataset  # noqa: F401 (a fixture)

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

DRAWN = """(id) => {
  const canvas = document.getElementById(id);
  if (!canvas || canvas.width === 0 || canvas.height === 0) return 0;
  const ctx = canvas.getContext('2d');
  const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) painted++; }
  return painted;
}"""


@pytest.fixture
def page(browser_page):
    """The shared Chromium of tests/browser/conftest.py: one Playwright per test process."""
    return browser_page


@pytest.fixture
def figures(dataset):  # noqa: F811
    Target.objects.create(name="50 %", value="0.5", baseline_period="2025-Q1", deadline=date(2026, 12, 31))
    SecondmentFactory(partner=dataset["q"], starts_on=date(2025, 4, 1), ends_on=date(2025, 6, 30))
    take_snapshot()
    return dataset


def test_dashboards_draw_their_charts(page, live_server, figures):
    UserFactory(username="boss", role="manager")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/auth/login/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action$='/auth/login/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = [
        ("dashboard-target", "/dashboard/", "chart-target"),
        ("dashboard-share-region", "/dashboard/share/?group_by=region&from=2025-Q1&to=2025-Q2", "chart-breakdown"),
        ("dashboard-drill-region", "/dashboard/share/bretagne/?from=2025-Q1&to=2025-Q2", "chart-region-partners"),
        ("dashboard-coverage", "/dashboard/coverage/", "chart-coverage"),
        ("dashboard-commission", "/dashboard/commission/", "chart-commission"),
        ("dashboard-levers", "/dashboard/levers/?from=2025-Q1&to=2025-Q4", "chart-secondments"),
    ]
    for name, path, chart_id in pages:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_selector(f"#{chart_id}[data-drawn='1']")
        painted = page.evaluate(DRAWN, chart_id)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        assert painted > 100, f"{path}: the chart {chart_id} drew nothing"
        assert page.locator("table tbody tr").count() >= 1
    assert not [e for e in errors if "Content Security Policy" in e or "Chart" in e], errors
