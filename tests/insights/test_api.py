from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights.models import Target
from insights.snapshots import take_snapshot
from tests.factories import AccountFactory, DirectOpportunityFactory, won

URL = "/api/v1/insights/ecosystem-share/"


def test_share_by_region_as_decimal_strings(dataset, manager_user, api):
    response = api(manager_user).get(URL, {"from": "2025-Q1", "to": "2025-Q2", "group_by": "region"})
    assert response.status_code == 200, response.content
    body = response.json()
    rows = {row["key"]: row for row in body["rows"]}
    assert rows["bretagne"]["share"] == "0.3750"
    assert rows["bretagne"]["total"] == "400.00"
    assert body["totals"]["share"] == "0.3636"
    assert body["source"] == "live"


def test_share_by_quarter_from_snapshot(dataset, channel_user, api):
    take_snapshot()
    body = api(channel_user).get(URL, {"from": "2025-Q1", "to": "2025-Q2"}).json()
    assert body["source"] == "snapshot"
    assert [(r["key"], r["share"]) for r in body["rows"]] == [("2025-Q1", "0.5000"), ("2025-Q2", "0.2857")]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"from": "2026-Q1", "to": "2025-Q1"}, "from"),
        ({"group_by": "colour"}, "group_by"),
        ({"from": "2025-Q5"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"region": "atlantis"}, "region"),
        ({"tier": "bronze"}, "tier"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(db, manager_user, api, params, field):
    response = api(manager_user).get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    "path",
    [
        URL,
        "/api/v1/insights/target-progress/",
        "/api/v1/insights/coverage/",
        "/api/v1/insights/commission-cost/",
        "/api/v1/insights/levers/",
    ],
)
def test_partners_get_403_anonymous_401(db, rep_a, admin_a, api, path):
    assert api(rep_a).get(path).status_code == 403
    assert api(admin_a).get(path).status_code == 403
    assert api(None).get(path).status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/insights/target-progress/",
        "/api/v1/insights/coverage/",
        "/api/v1/insights/commission-cost/",
        "/api/v1/insights/levers/",
    ],
)
def test_other_insights_endpoints_answer(dataset, manager_user, api, path):
    Target.objects.create(name="50 %", value="0.5", baseline_period="2025-Q1", deadline=date(2026, 12, 31))
    response = api(manager_user).get(path, {"from": "2025-Q1", "to": "2025-Q2"})
    assert response.status_code == 200, response.content


def test_partner_cannot_take_a_snapshot(db, rep_a, api):
    assert api(rep_a).post("/api/v1/insights/snapshots/").status_code == 403


def test_target_progress(dataset, manager_user, api):
    target = Target.objects.create(name="50 %", value="0.5", baseline_period="2025-Q1", deadline=date(2025, 12, 31))
    body = api(manager_user).get("/api/v1/insights/target-progress/", {"target": target.pk}).json()
    result = body["results"][0]
    assert result["labels"][:2] == ["2025-Q1", "2025-Q2"]
    assert result["target"] == "0.5000"
    assert result["series"][0]["share"] == "0.5000"
    assert result["on_track"] in (True, False)


@pytest.mark.parametrize("group_by", ["quarter", "region"])
def test_query_count_is_constant(dataset, manager_user, api, group_by):
    take_snapshot()
    client = api(manager_user)
    params = {"from": "2025-Q1", "to": "2025-Q4", "group_by": group_by}
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL, params).status_code == 200
    for index in range(20):
        account = AccountFactory(region=["normandie", "occitanie", "grand_est"][index % 3])
        DirectOpportunityFactory(account=account, stage="won", closed_on=date(2025, 8, 1))
        won(dataset["p"], 10 + index, date(2025, 9, 1), account=account)
    take_snapshot()
    with CaptureQueriesContext(connection) as large:
        assert client.get(URL, params).status_code == 200
    assert len(large) == len(small) <= 3
