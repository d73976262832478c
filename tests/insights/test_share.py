from datetime import date
from decimal import Decimal

import pytest

from ecosystem.periods import parse_period
from insights import figures, share
from insights.figures import Query
from insights.snapshots import current_run, take_snapshot

D = Decimal
START, END = date(2025, 1, 1), date(2025, 6, 30)


def rows_by_key(result):
    return {row["key"]: row for row in result["rows"]}


def test_quarterly_share_hand_computed(dataset):
    rows = share.quarterly_series(share.LIVE, parse_period("2025-Q1"), parse_period("2025-Q2"))
    assert [(r["key"], r["total"], r["sourced"], r["influenced"], r["share"]) for r in rows] == [
        ("2025-Q1", D("200"), D("50"), D("50"), D("0.5000")),
        ("2025-Q2", D("350"), D("100"), D("0"), D("0.2857")),
    ]


def test_lost_open_and_out_of_range_never_count(dataset):
    totals = share.breakdown(share.LIVE, START, END, "quarter")["totals"]
    assert totals["total"] == D("550")
    assert totals["partner"] == D("200")
    assert totals["share"] == D("0.3636")
    assert totals["won_count"] == 5


def test_breakdowns_hand_computed(dataset):
    region = rows_by_key(share.breakdown(share.LIVE, START, END, "region"))
    assert region["ile_de_france"]["total"] == D("150") and region["ile_de_france"]["share"] == D("0.3333")
    assert region["bretagne"]["total"] == D("400") and region["bretagne"]["share"] == D("0.3750")
    select = rows_by_key(share.breakdown(share.LIVE, START, END, "select"))
    assert select["select"]["share"] == D("0.3333") and select["other"]["share"] == D("0.3750")
    sector = rows_by_key(share.breakdown(share.LIVE, START, END, "sector"))
    assert sector["banking"]["partner"] == D("150")
    line = rows_by_key(share.breakdown(share.LIVE, START, END, "product_line"))
    assert line["data"]["total"] == D("400") and line["ai"]["total"] == D("150")
    tier = rows_by_key(share.breakdown(share.LIVE, START, END, "tier"))
    # A tier's share: its partner revenue against all the business of the range (550).
    assert tier["gold"]["partner"] == D("50") and tier["gold"]["share"] == D("0.0909")
    assert tier["silver"]["partner"] == D("150") and tier["silver"]["share"] == D("0.2727")
    assert tier["direct"]["partner"] == D("0") and tier["direct"]["total"] == D("350")


def test_filters(dataset):
    bretagne = rows_by_key(share.breakdown(share.LIVE, START, END, "quarter", {"region": "bretagne"}))
    assert bretagne["2025-Q1"]["share"] == D("1.0000")
    assert bretagne["2025-Q2"]["share"] == D("0.2857")
    # A tier filter narrows the partner amounts only: the total stays the whole business.
    gold = rows_by_key(share.breakdown(share.LIVE, START, END, "quarter", {"tier": "gold"}))
    assert gold["2025-Q1"]["total"] == D("200") and gold["2025-Q1"]["share"] == D("0.2500")
    assert gold["2025-Q2"]["share"] == D("0.0000")


@pytest.mark.parametrize("group_by", share.GROUP_BYS)
@pytest.mark.parametrize("filters", [{}, {"region": "bretagne"}, {"tier": "silver"}, {"product_line": "data"}])
def test_snapshot_equals_live(dataset, group_by, filters):
    run = take_snapshot()
    live = share.breakdown(share.LIVE, START, END, group_by, filters)
    snap = share.breakdown(share.SnapshotSource(run.pk), START, END, group_by, filters)
    assert snap == live


def test_figures_read_the_snapshot_when_there_is_one(dataset):
    query = Query(first=parse_period("2025-Q1"), last=parse_period("2025-Q2"))
    assert figures.ecosystem_share(query)["source"] == "live"
    take_snapshot()
    snap = figures.ecosystem_share(query)
    assert snap["source"] == "snapshot"
    live = figures.ecosystem_share(Query(first=query.first, last=query.last, live=True))
    assert live["source"] == "live"
    assert snap["rows"] == live["rows"] and snap["totals"] == live["totals"]


def test_a_new_generation_replaces_the_old_atomically(dataset):
    first = take_snapshot()
    second = take_snapshot()
    third = take_snapshot()
    assert current_run() == third
    from insights.models import ShareCell, SnapshotRun

    # Readers only read the current generation; the previous one is kept, older ones removed.
    assert set(SnapshotRun.objects.values_list("pk", flat=True)) == {second.pk, third.pk}
    assert not ShareCell.objects.filter(run_id=first.pk).exists()
    assert third.cell_count == ShareCell.objects.filter(run=third).count() > 0


def test_coverage(dataset):
    from tests.factories import AssignmentFactory

    AssignmentFactory(account=dataset["a1"], partner=dataset["p"])
    coverage = share.select_coverage(START, END)
    # A1 is the only select account: assigned, with an open opportunity, with a won deal.
    assert coverage["total"] == 1
    assert coverage["assigned"] == 1 and coverage["with_open_opportunity"] == 1 and coverage["with_won_deal"] == 1


def test_levers(dataset):
    from opportunities.models import Stage
    from tests.factories import OpportunityFactory, RoadshowFactory, SecondmentFactory

    SecondmentFactory(partner=dataset["q"], starts_on=date(2025, 4, 1), ends_on=date(2025, 6, 30))
    rows = share.secondment_effect()
    # During (Q2): 100; the same 91 days before: 50 (2025-01-15).
    assert rows[0]["during"] == D("100") and rows[0]["before"] == D("50") and rows[0]["change"] == D("50")
    show = RoadshowFactory(partners=[dataset["p"]])
    OpportunityFactory(partner=dataset["p"], roadshow=show, amount=D("300"), stage=Stage.PROPOSAL)
    OpportunityFactory(partner=dataset["p"], roadshow=show, amount=D("40"), stage=Stage.WON, closed_on=date(2025, 4, 1))
    OpportunityFactory(partner=dataset["p"], roadshow=show, amount=D("9"), stage=Stage.LOST, closed_on=date(2025, 4, 1))
    roadshows = share.roadshow_effect()
    assert roadshows[0]["pipeline"] == D("300") and roadshows[0]["won"] == D("40") and roadshows[0]["won_count"] == 1


def test_drill_down(dataset):
    partners = share.partners_of_region(START, END, "bretagne")
    assert [(r["partner"], r["partner_total"]) for r in partners] == [("Silver Q", D("150"))]
    accounts = share.accounts_of_partner(START, END, "bretagne", dataset["q"].pk)
    assert [(r["account"], r["amount"]) for r in accounts] == [("Bretel", D("150"))]
