"""Coverage, commission cost and levers: the snapshot gives what the live queries give (issue 6).

On the hand-built data set of ``conftest.py`` plus, for coverage, four more select accounts
whose winning quarters have gaps (so a range can fall between two wins):

* A1 (Île-de-France, industry): wins 2025-Q1 (ai, twice), 2025-Q3 (ai); open ai deal; primary to P.
* A3 (Bretagne, banking): wins 2024-Q4 (ai), 2025-Q1 (data), 2025-Q2 (security), 2025-Q4 (data);
  its primary ended, a secondary to Q is open.
* A4 (Bretagne, industry): no win; an open security deal (direct); primary to P for years,
  and P logged nothing on it: stale.
* A5 (Île-de-France, banking): wins 2025-Q2 (data and automation); a lost deal; no assignment.
* A2 (Bretagne, banking) is not a select account: never counted.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.coverage import coverage_rows, coverage_table
from accounts.models import Account
from ecosystem.periods import parse_period, quarters_between
from insights import figures, share
from insights.figures import Query
from insights.models import CoverageCell, CoverageWinCell, SnapshotRun
from insights.snapshots import current_run, take_snapshot
from opportunities.models import Route, Stage
from tests.factories import (
    AccountFactory,
    AssignmentFactory,
    DirectOpportunityFactory,
    OpportunityFactory,
    PartnerFactory,
    ProgramFactory,
    RoadshowFactory,
    RuleFactory,
    SecondmentFactory,
    won,
)

D = Decimal
QUARTERS = [q.label for q in quarters_between(parse_period("2024-Q4"), parse_period("2026-Q1"))]
RANGES = [(a, b) for i, a in enumerate(QUARTERS) for b in QUARTERS[i:]]
COVERAGE_FILTERS = [
    {},
    {"region": "bretagne"},
    {"sector": "banking"},
    {"product_line": "data"},
    {"product_line": "security", "region": "bretagne"},
    {"region": "ile_de_france", "sector": "banking", "product_line": "automation"},
    {"region": "guyane"},  # no account there
]


def query(first: str, last: str, filters=None, live=False) -> Query:
    return Query(first=parse_period(first), last=parse_period(last), filters=filters or {}, live=live)


@pytest.fixture
def landscape(dataset):
    a1, p, q = dataset["a1"], dataset["p"], dataset["q"]
    AssignmentFactory(account=a1, partner=p, valid_from=date(2025, 1, 1))
    a3 = AccountFactory(name="Armor Banque", region="bretagne", sector="banking")
    AssignmentFactory(account=a3, partner=p, valid_from=date(2024, 1, 1), valid_to=date(2025, 6, 30))
    AssignmentFactory(account=a3, partner=q, role="secondary", valid_from=date(2025, 7, 1))
    won(q, 10, date(2024, 11, 5), account=a3)
    won(q, 20, date(2025, 2, 5), account=a3, product_line="data")
    DirectOpportunityFactory(
        account=a3, amount=D("30"), stage=Stage.WON, closed_on=date(2025, 5, 5), product_line="security"
    )
    won(q, 40, date(2025, 12, 1), account=a3, product_line="data")
    a4 = AccountFactory(name="Brest Industrie", region="bretagne", sector="industry")
    AssignmentFactory(account=a4, partner=p, valid_from=timezone.localdate() - timedelta(days=400))
    DirectOpportunityFactory(account=a4, amount=D("60"), stage=Stage.REGISTERED, product_line="security")
    a5 = AccountFactory(name="Seine Assurances", region="ile_de_france", sector="banking")
    won(p, 70, date(2025, 4, 2), account=a5, product_line="data")
    won(q, 80, date(2025, 6, 2), account=a5, product_line="automation", route=Route.PARTNER_INFLUENCED)
    OpportunityFactory(partner=p, account=a5, stage=Stage.LOST, closed_on=date(2025, 8, 1))
    return {**dataset, "a3": a3, "a4": a4, "a5": a5}


# --- Coverage -----------------------------------------------------------------------------------


def test_coverage_hand_computed_from_the_snapshot(landscape):
    take_snapshot()
    result = figures.coverage(query("2025-Q1", "2025-Q2"))
    assert result["source"] == "snapshot"
    assert {k: result[k] for k in ("total", "assigned", "with_open_opportunity", "with_won_deal")} == {
        "total": 4,  # A1, A3, A4, A5
        "assigned": 3,  # A1 (primary), A3 (secondary), A4 (primary)
        "with_open_opportunity": 2,  # A1, A4
        "with_won_deal": 3,  # A1 (Q1), A3 (Q1, Q2), A5 (Q2)
    }
    assert result["with_won_deal_ratio"] == D("0.7500")
    # A3 won in 2025-Q2 and 2025-Q4, not in 2025-Q3: only A1 won in Q3.
    assert figures.coverage(query("2025-Q3", "2025-Q3"))["with_won_deal"] == 1
    assert figures.coverage(query("2025-Q3", "2025-Q4"))["with_won_deal"] == 2
    # Data deals: A3 in 2025-Q1 and Q4, A5 in Q2; none in Q3.
    assert figures.coverage(query("2025-Q3", "2025-Q3", {"product_line": "data"}))["with_won_deal"] == 0
    assert figures.coverage(query("2025-Q2", "2025-Q4", {"product_line": "data"}))["with_won_deal"] == 2
    assert figures.coverage(query("2025-Q1", "2025-Q4", {"product_line": "security"}))["with_open_opportunity"] == 1


@pytest.mark.parametrize("filters", COVERAGE_FILTERS)
def test_coverage_snapshot_equals_live_for_every_range(landscape, filters):
    run = take_snapshot()
    for first, last in RANGES:
        start, end = parse_period(first).start, parse_period(last).end
        live = share.select_coverage(start, end, filters)
        assert share.snapshot_coverage(run.pk, start, end, filters) == live, (first, last, filters)


def test_coverage_counts_by_region_and_sector_from_the_snapshot(landscape):
    take_snapshot()
    today = timezone.localdate()
    snapshot = figures.coverage_by()
    for group_by in ("region", "sector"):
        live = coverage_table(Account.objects.select(), group_by, today)
        assert coverage_rows(snapshot[group_by], group_by) == live
    assert figures.select_accounts_coverage() == {
        "total": 4,
        "covered": 2,
        "uncovered": 2,
        "source": "snapshot",
        "computed_at": current_run().computed_at.isoformat(),
    }


def test_the_win_steps_are_few(landscape):
    run = take_snapshot()
    # A3's any-line steps: (none → 2024-Q4), (2024-Q4 → 2025-Q1), (2025-Q1 → 2025-Q2), (2025-Q2 → 2025-Q4).
    steps = CoverageWinCell.objects.filter(run=run, product_line="", region="bretagne", sector="banking")
    assert sorted((s.previous or date.min, s.quarter) for s in steps) == [
        (date.min, date(2024, 10, 1)),
        (date(2024, 10, 1), date(2025, 1, 1)),
        (date(2025, 1, 1), date(2025, 4, 1)),
        (date(2025, 4, 1), date(2025, 10, 1)),
    ]
    # Every line of every region × sector with a select account, plus "" for any line.
    assert CoverageCell.objects.filter(run=run, product_line="").count() == 4


# --- Commission cost ----------------------------------------------------------------------------


@pytest.fixture
def paid(dataset):
    """2025-Q1 settled and approved (5 % of 100 = 5.00); 2025-Q2 computed but not approved: counted, marked
    preliminary (issue 14: the cost of a computed quarter is its run's figure, not 0 %)."""
    from tests.commissions.helpers import approved, computed

    RuleFactory(program=ProgramFactory(valid_from=date(2025, 1, 1)), rate=D("0.05"))
    approved("2025-Q1")
    computed("2025-Q2")
    return dataset


def test_commission_cost_hand_computed_from_the_snapshot(paid):
    take_snapshot()
    result = figures.commission_cost(query("2025-Q1", "2025-Q3"))
    assert result["source"] == "snapshot"
    rows = [
        (r["period"], r["commission"], r["partner_revenue"], r["cost_ratio"], r["preliminary"]) for r in result["rows"]
    ]
    assert rows == [
        ("2025-Q1", D("5.00"), D("100"), D("0.0500"), False),
        ("2025-Q2", D("5.00"), D("100"), D("0.0500"), True),
        ("2025-Q3", D("0"), D("777"), D("0.0000"), False),
    ]


@pytest.mark.parametrize("first, last", [("2024-Q4", "2025-Q2"), ("2025-Q1", "2025-Q1"), ("2025-Q2", "2026-Q1")])
def test_commission_cost_snapshot_equals_live(paid, first, last):
    take_snapshot()
    snap = figures.commission_cost(query(first, last))
    live = figures.commission_cost(query(first, last, live=True))
    assert snap["source"] == "snapshot" and live["source"] == "live"
    assert snap["rows"] == live["rows"]


def test_a_snapshot_never_mixes_two_states(paid):
    """Approving a settlement after the snapshot changes the live figures, not the snapshot's."""
    from tests.commissions.helpers import approved

    take_snapshot()
    before = figures.commission_cost(query("2025-Q1", "2025-Q3"))["rows"]
    approved("2025-Q3")
    assert figures.commission_cost(query("2025-Q1", "2025-Q3"))["rows"] == before
    live = figures.commission_cost(query("2025-Q1", "2025-Q3", live=True))["rows"]
    assert live[2]["commission"] == D("38.85")  # 5 % of 777
    take_snapshot()
    assert figures.commission_cost(query("2025-Q1", "2025-Q3"))["rows"] == live


# --- Levers -------------------------------------------------------------------------------------


@pytest.fixture
def levers(dataset):
    p, q = dataset["p"], dataset["q"]
    SecondmentFactory(partner=q, starts_on=date(2025, 4, 1), ends_on=date(2025, 6, 30))
    SecondmentFactory(partner=p, starts_on=date(2025, 7, 1), ends_on=date(2025, 7, 31))
    early = RoadshowFactory(title="Rennes", date=date(2025, 2, 1), partners=[p])
    late = RoadshowFactory(title="Lyon", date=date(2025, 9, 1), partners=[q])
    OpportunityFactory(partner=p, roadshow=early, amount=D("300"), stage=Stage.PROPOSAL)
    OpportunityFactory(partner=p, roadshow=early, amount=D("40"), stage=Stage.WON, closed_on=date(2025, 4, 1))
    OpportunityFactory(partner=q, roadshow=late, amount=D("9"), stage=Stage.LOST, closed_on=date(2025, 10, 1))
    return dataset


def test_levers_hand_computed_from_the_snapshot(levers):
    take_snapshot()
    result = figures.levers(query("2025-Q2", "2025-Q2"))
    assert result["source"] == "snapshot"
    # Q's secondment (Q2): during 100, the 91 days before 50; P's (July) is outside the range.
    [row] = result["secondments"]
    assert (row["before"], row["during"], row["change"], row["change_ratio"]) == (D("50"), D("100"), D("50"), D("1"))
    assert row["starts_on"] == date(2025, 4, 1)
    assert result["roadshows"] == [] and result["roadshows_total"] == {"pipeline": D("0"), "won": D("0")}
    year = figures.levers(query("2025-Q1", "2025-Q4"))
    assert [r["roadshow"] for r in year["roadshows"]] == ["Rennes", "Lyon"]
    assert year["roadshows_total"] == {"pipeline": D("300"), "won": D("40")}
    # P's July secondment: during it P won 777 (2025-07-01); the 31 days before, nothing.
    assert year["secondments_total"] == {"before": D("50"), "during": D("877")}


@pytest.mark.parametrize("first, last", [*RANGES[::3], ("2025-Q1", "2025-Q4")])
def test_levers_snapshot_equals_live(levers, first, last):
    take_snapshot()
    snap = figures.levers(query(first, last))
    live = figures.levers(query(first, last, live=True))
    assert snap.pop("source") == "snapshot" and live.pop("source") == "live"
    snap.pop("computed_at"), live.pop("computed_at")
    assert snap == live


# --- Where the figures come from ------------------------------------------------------------------


def test_without_a_snapshot_or_with_an_older_one_the_figures_are_live(landscape):
    q = query("2025-Q1", "2025-Q2")
    assert figures.coverage(q)["source"] == "live"
    run = take_snapshot()
    assert figures.coverage(q)["source"] == "snapshot"
    # A generation written before coverage was snapshotted holds no coverage: live again.
    SnapshotRun.objects.filter(pk=run.pk).update(extras={})
    assert figures.coverage(q)["source"] == "live"
    assert figures.levers(q)["source"] == "live" and figures.commission_cost(q)["source"] == "live"
    assert figures.select_accounts_coverage()["source"] == "live" and figures.coverage_by() is None


def test_old_generations_take_their_coverage_cells_with_them(landscape):
    first = take_snapshot()
    take_snapshot()
    third = take_snapshot()
    assert not CoverageCell.objects.filter(run_id=first.pk).exists()
    assert not CoverageWinCell.objects.filter(run_id=first.pk).exists()
    assert CoverageCell.objects.filter(run_id=third.pk).exists()


# --- Pages and API read the snapshot: as many queries whatever the data ------------------------

PAGES = [
    "/dashboard/coverage/?from=2025-Q1&to=2025-Q4",
    "/dashboard/coverage/?from=2025-Q1&to=2025-Q4&region=bretagne&product_line=data",
    "/dashboard/commission/?from=2025-Q1&to=2025-Q4",
    "/dashboard/levers/?from=2025-Q1&to=2025-Q4",
    "/dashboard/levers/?from=2025-Q1&to=2025-Q4&export=roadshows",
    "/api/v1/insights/coverage/?from=2025-Q1&to=2025-Q4",
    "/api/v1/insights/commission-cost/?from=2025-Q1&to=2025-Q4",
    "/api/v1/insights/levers/?from=2025-Q1&to=2025-Q4",
    "/api/v1/coverage/?group_by=sector",
    "/accounts/coverage/",
    "/workspace/",
]


def query_counts(client) -> dict:
    counts = {}
    for path in PAGES:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200, (path, response.content[:300])
        counts[path] = len(captured.captured_queries)
    return counts


def grow(dataset, n: int) -> None:
    """More of everything the three dashboards and the coverage pages count."""
    for i in range(n):
        partner = PartnerFactory(tier="platinum")
        account = AccountFactory(region="occitanie" if i % 2 else "bretagne", sector="retail")
        AssignmentFactory(account=account, partner=partner, valid_from=date(2024, 1, 1))
        won(partner, 100 + i, date(2025, 1 + i % 12, 3), account=account, product_line="data")
        OpportunityFactory(partner=partner, account=account, stage=Stage.QUALIFIED)
        SecondmentFactory(partner=partner, starts_on=date(2025, 3, 1), ends_on=date(2025, 5, 31))
        show = RoadshowFactory(date=date(2025, 5, 1), partners=[partner])
        OpportunityFactory(partner=partner, roadshow=show, stage=Stage.PROPOSAL, account=account)


def test_pages_and_api_read_the_snapshot_in_as_many_queries_whatever_the_data(landscape, client, channel_user):
    client.force_login(channel_user)
    take_snapshot()
    small = query_counts(client)
    grow(landscape, 12)
    take_snapshot()
    large = query_counts(client)
    assert large == small
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    page = client.get("/dashboard/levers/?from=2025-Q1&to=2025-Q4", **english).content.decode()
    assert "Figures of the snapshot computed at" in page and "?from=2025-Q1&amp;to=2025-Q4&amp;live=1" in page
    for path in ("/workspace/", "/accounts/coverage/"):
        assert "Figures of the snapshot computed at" in client.get(path, **english).content.decode()
        assert "Live figures, computed for this page." in client.get(path + "?live=1", **english).content.decode()


def test_api_says_where_its_figures_come_from(landscape, manager_user, api):
    take_snapshot()
    client = api(manager_user)
    for path in ("/api/v1/insights/coverage/", "/api/v1/insights/commission-cost/", "/api/v1/insights/levers/"):
        params = {"from": "2025-Q1", "to": "2025-Q4", "region": "bretagne"}
        snap = client.get(path, params).json()
        live = client.get(path, {**params, "live": "1"}).json()
        assert snap.pop("source") == "snapshot" and live.pop("source") == "live", path
        assert snap.pop("computed_at") and live.pop("computed_at") is None
        assert snap == live, path
    snap = client.get("/api/v1/coverage/", {"group_by": "region"}).json()
    live = client.get("/api/v1/coverage/", {"group_by": "region", "live": "1"}).json()
    assert (snap.pop("source"), live.pop("source")) == ("snapshot", "live")
    snap.pop("computed_at"), live.pop("computed_at")
    assert snap == live


def test_csv_export_from_the_snapshot_equals_the_live_one(landscape, levers, client, manager_user):
    take_snapshot()
    client.force_login(manager_user)
    for path in (
        "/dashboard/coverage/?from=2025-Q1&to=2025-Q3&export=coverage",
        "/dashboard/commission/?from=2025-Q1&to=2025-Q3&export=commission-cost",
        "/dashboard/levers/?from=2025-Q1&to=2025-Q4&export=secondments",
        "/dashboard/levers/?from=2025-Q1&to=2025-Q4&export=roadshows",
    ):
        snap = b"".join(client.get(path).streaming_content)
        live = b"".join(client.get(path + "&live=1").streaming_content)
        assert snap == live and len(snap.splitlines()) > 1, path
