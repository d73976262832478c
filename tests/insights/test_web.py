from datetime import date

import pytest

from insights.models import Target
from insights.snapshots import take_snapshot

PAGES = [
    "/dashboard/",
    "/dashboard/share/",
    "/dashboard/share/?group_by=region&from=2025-Q1&to=2025-Q2",
    "/dashboard/share/bretagne/?from=2025-Q1&to=2025-Q2",
    "/dashboard/coverage/",
    "/dashboard/commission/",
    "/dashboard/levers/",
]


@pytest.mark.parametrize("path", PAGES)
def test_dashboards_render_for_internal_roles(dataset, client, manager_user, channel_user, path):
    Target.objects.create(name="50 %", value="0.5", baseline_period="2025-Q1", deadline=date(2026, 12, 31))
    for user in (manager_user, channel_user):
        client.force_login(user)
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.content.decode()
        assert 'id="chart-data"' in body
        assert "<script>" not in body  # nothing inline runs (CSP script-src 'self')


@pytest.mark.parametrize("path", [*PAGES, "/bookings/import/"])
def test_partners_get_403_on_dashboards(db, client, rep_a, path):
    client.force_login(rep_a)
    assert client.get(path).status_code == 403


def test_region_drill_down_links_partner_then_accounts(dataset, client, manager_user):
    client.force_login(manager_user)
    page = client.get("/dashboard/share/?group_by=region&from=2025-Q1&to=2025-Q2").content.decode()
    assert "/dashboard/share/bretagne/" in page
    partners = client.get("/dashboard/share/bretagne/?from=2025-Q1&to=2025-Q2").content.decode()
    assert "Silver Q" in partners
    accounts = client.get(
        f"/dashboard/share/bretagne/?from=2025-Q1&to=2025-Q2&partner={dataset['q'].pk}"
    ).content.decode()
    assert "Bretel" in accounts


def test_csv_export_of_a_table_is_formula_safe(dataset, client, manager_user):
    dataset["q"].name = "=cmd()"
    dataset["q"].save()
    client.force_login(manager_user)
    response = client.get("/dashboard/share/bretagne/?from=2025-Q1&to=2025-Q2&export=partners-bretagne")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    assert "'=cmd()" in text and "150.00" in text
    response = client.get("/dashboard/share/?group_by=region&from=2025-Q1&to=2025-Q2&export=share-by-region")
    assert "Bretagne,400.00" in b"".join(response.streaming_content).decode()


def test_bad_filter_shows_an_error_not_a_crash(db, client, manager_user):
    client.force_login(manager_user)
    response = client.get("/dashboard/share/?from=2026-Q4&to=2025-Q1")
    assert response.status_code == 200
    assert "from" in response.content.decode()


def test_snapshot_button(db, client, manager_user, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client.force_login(manager_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/dashboard/snapshot/")
    assert response.status_code == 302
    from insights.snapshots import current_run

    assert current_run() is not None


def test_dashboard_reads_snapshot(dataset, client, manager_user):
    take_snapshot()
    client.force_login(manager_user)
    assert "snapshot" in client.get("/dashboard/share/?from=2025-Q1&to=2025-Q2").content.decode()


def test_target_page_gives_the_snapshot_time_in_words(dataset, client, manager_user, settings):
    settings.LANGUAGE_CODE = "en"
    Target.objects.create(name="50 %", value="0.5", baseline_period="2025-Q1", deadline=date(2026, 12, 31))
    take_snapshot()
    client.force_login(manager_user)
    page = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Figures of the snapshot computed at" in page
    assert "T" not in page.split("Figures of the snapshot computed at", 1)[1].split(".", 1)[0]  # not ISO text
