"""The ecosystem's share of won business (SPEC §5), computed from opportunities or from a snapshot.

Only confirmed wins count (``stage = won`` and confirmed, SPEC §4.2, dated by ``closed_on``); claims
awaiting confirmation, lost and open deals never do, so each euro is counted once.
Share = (partner sourced + partner influenced) / won amount of every route, direct included.

The same breakdown runs on two sources with one shape:

* :class:`LiveSource`: a GROUP BY over ``Opportunity`` joined to its account and partner;
* :class:`SnapshotSource`: a GROUP BY over the :class:`~insights.models.ShareCell` cube of the
  current snapshot (one row per quarter × region × sector × product line × tier × select).

Filters: ``region``, ``sector`` and ``product_line`` narrow every deal; ``tier`` narrows only
the partner amounts (the total stays the whole business, so the share stays a share of it).
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncQuarter

from accounts.models import Account, Assignment
from ecosystem.periods import Period, quarter_of
from opportunities.models import OPEN_STAGES, Opportunity, Route, confirmed_win_q

ZERO = Decimal("0.00")
SHARE_PLACES = Decimal("0.0001")
GROUP_BYS = ("quarter", "region", "sector", "product_line", "tier", "select")
FILTERS = ("region", "sector", "tier", "product_line")
DIRECT_TIER = ""  # the tier key of direct business


def ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(SHARE_PLACES) if whole else None


def money(value) -> Decimal:
    return Decimal(value or 0).quantize(ZERO)


def quarter_label(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def make_row(key, total, sourced, influenced, count=0) -> dict:
    total, sourced, influenced = (money(value) for value in (total, sourced, influenced))
    partner = sourced + influenced
    return {
        "key": key,
        "total": total,
        "sourced": sourced,
        "influenced": influenced,
        "partner": partner,
        "direct": total - partner,
        "share": ratio(partner, total),
        "won_count": count or 0,
    }


class Source:
    """One source of won amounts for the breakdown query: its rows, date field and group keys."""

    name = ""
    keys: dict = {}

    def base(self, start: date, end: date):
        raise NotImplementedError

    def sums(self, tier: str | None) -> dict:
        raise NotImplementedError


class LiveSource(Source):
    name = "live"
    keys = {
        "quarter": TruncQuarter("closed_on"),
        "region": F("account__region"),
        "sector": F("account__sector"),
        "product_line": F("product_line"),
        "tier": Coalesce(F("partner__tier"), Value(DIRECT_TIER)),
        "select": F("account__is_select"),
    }

    def base(self, start, end):
        return Opportunity.objects.filter(confirmed_win_q(), closed_on__gte=start, closed_on__lte=end)

    def sums(self, tier):
        partner_filter = Q(partner__tier=tier) if tier else Q()
        return {
            "total": Sum("amount"),
            "sourced": Sum("amount", filter=Q(route=Route.PARTNER_SOURCED) & partner_filter),
            "influenced": Sum("amount", filter=Q(route=Route.PARTNER_INFLUENCED) & partner_filter),
            "count": Count("id"),
        }


class SnapshotSource(Source):
    name = "snapshot"
    keys = {
        "quarter": F("quarter_start"),
        "region": F("region"),
        "sector": F("sector"),
        "product_line": F("product_line"),
        "tier": F("tier"),
        "select": F("is_select"),
    }

    def __init__(self, run_id: int):
        self.run_id = run_id

    def base(self, start, end):
        from .models import ShareCell

        # A cell holds a whole quarter: the range is widened to whole quarters.
        return ShareCell.objects.filter(
            run_id=self.run_id, quarter_start__gte=quarter_of(start).start, quarter_start__lte=end
        )

    def sums(self, tier):
        if tier:
            return {
                "total": Sum("total"),
                "sourced": Sum("sourced", filter=Q(tier=tier)),
                "influenced": Sum("influenced", filter=Q(tier=tier)),
                "count": Sum("won_count"),
            }
        return {
            "total": Sum("total"),
            "sourced": Sum("sourced"),
            "influenced": Sum("influenced"),
            "count": Sum("won_count"),
        }


LIVE = LiveSource()

FILTER_FIELDS = {
    "live": {"region": "account__region", "sector": "account__sector", "product_line": "product_line"},
    "snapshot": {"region": "region", "sector": "sector", "product_line": "product_line"},
}


def _key_text(group_by: str, value) -> str:
    if group_by == "quarter":
        return quarter_label(value) if isinstance(value, date) else str(value)
    if group_by == "select":
        return "select" if value else "other"
    if group_by == "tier":
        return value or "direct"
    return value


def breakdown(source: Source, start: date, end: date, group_by: str = "quarter", filters: dict | None = None) -> dict:
    """Rows of the share by ``group_by`` over ``[start, end]``, with the overall totals. One query."""
    if group_by not in GROUP_BYS:
        raise ValueError(f"unknown group_by '{group_by}'")
    filters = {name: value for name, value in (filters or {}).items() if value}
    queryset = source.base(start, end)
    narrow = {FILTER_FIELDS[source.name][name]: value for name, value in filters.items() if name != "tier"}
    if narrow:
        queryset = queryset.filter(**narrow)
    sums = source.sums(filters.get("tier"))
    grouped = queryset.annotate(group_key=source.keys[group_by]).values("group_key").annotate(**sums)
    rows = [
        make_row(
            _key_text(group_by, item["group_key"]), item["total"], item["sourced"], item["influenced"], item["count"]
        )
        for item in grouped.order_by("group_key")
    ]
    if group_by == "tier" and filters.get("tier"):
        rows = [row for row in rows if row["key"] == filters["tier"]]
    if group_by == "quarter":
        rows.sort(key=lambda row: row["key"])
    else:
        rows.sort(key=lambda row: (-(row["partner"]), str(row["key"])))
    grand_total = sum((row["total"] for row in rows), ZERO)
    if group_by == "tier":
        # A tier's share is its partner revenue against the whole business of the period.
        everything = source.base(start, end).filter(**narrow).aggregate(total=sums["total"])["total"] or ZERO
        for row in rows:
            row["total_all"] = everything
            row["share"] = ratio(row["partner"], everything)
        grand_total = everything
    totals = make_row(
        "total",
        grand_total,
        sum((row["sourced"] for row in rows), ZERO),
        sum((row["influenced"] for row in rows), ZERO),
        sum(row["won_count"] for row in rows),
    )
    return {"rows": rows, "totals": totals}


def quarterly_series(source: Source, first: Period, last: Period, filters: dict | None = None) -> list[dict]:
    """Every quarter from ``first`` to ``last``, oldest first, quarters without business included."""
    from ecosystem.periods import quarters_between

    found = {row["key"]: row for row in breakdown(source, first.start, last.end, "quarter", filters)["rows"]}
    return [found.get(q.label) or make_row(q.label, ZERO, ZERO, ZERO) for q in quarters_between(first, last)]


# --- Drill-down: region → partners → accounts (live, narrow enough to stay fast) -------------


def partners_of_region(start: date, end: date, region: str, filters: dict | None = None) -> list[dict]:
    queryset = Opportunity.objects.filter(
        confirmed_win_q(), closed_on__gte=start, closed_on__lte=end, account__region=region, partner__isnull=False
    )
    queryset = _narrow_live(queryset, filters)
    rows = (
        queryset.values("partner_id", "partner__name", "partner__tier")
        .annotate(
            sourced=Sum("amount", filter=Q(route=Route.PARTNER_SOURCED)),
            influenced=Sum("amount", filter=Q(route=Route.PARTNER_INFLUENCED)),
            count=Count("id"),
        )
        .order_by("partner__name")
    )
    result = [
        {
            "partner_id": r["partner_id"],
            "partner": r["partner__name"],
            "tier": r["partner__tier"],
            "sourced": money(r["sourced"]),
            "influenced": money(r["influenced"]),
            "partner_total": (money(r["sourced"])) + (money(r["influenced"])),
            "won_count": r["count"],
        }
        for r in rows
    ]
    result.sort(key=lambda row: (-row["partner_total"], row["partner"]))
    return result


def accounts_of_partner(start: date, end: date, region: str, partner_id: int, filters: dict | None = None) -> list:
    queryset = Opportunity.objects.filter(
        confirmed_win_q(), closed_on__gte=start, closed_on__lte=end, account__region=region, partner_id=partner_id
    )
    queryset = _narrow_live(queryset, filters)
    rows = (
        queryset.values("account_id", "account__name", "account__siren", "account__is_select")
        .annotate(amount=Sum("amount"), count=Count("id"))
        .order_by("-amount", "account__name")
    )
    return [
        {
            "account_id": r["account_id"],
            "account": r["account__name"],
            "siren": r["account__siren"],
            "is_select": r["account__is_select"],
            "amount": money(r["amount"]),
            "won_count": r["count"],
        }
        for r in rows
    ]


def _narrow_live(queryset, filters):
    filters = filters or {}
    for name in ("sector", "product_line"):
        if filters.get(name):
            queryset = queryset.filter(**{FILTER_FIELDS["live"][name]: filters[name]})
    if filters.get("tier"):
        queryset = queryset.filter(partner__tier=filters["tier"])
    return queryset


# --- Coverage of the select accounts -----------------------------------------------------------


def select_coverage(start: date, end: date, filters: dict | None = None) -> dict:
    """Select accounts: how many, assigned (open assignment), with an open opportunity, with a won deal."""
    filters = filters or {}
    accounts = Account.objects.filter(is_select=True)
    if filters.get("region"):
        accounts = accounts.filter(region=filters["region"])
    if filters.get("sector"):
        accounts = accounts.filter(sector=filters["sector"])
    assigned = Assignment.objects.filter(valid_to__isnull=True, account=OuterRef("pk"))
    open_opps = Opportunity.objects.filter(stage__in=OPEN_STAGES, account=OuterRef("pk"))
    won = Opportunity.objects.filter(
        confirmed_win_q(), account=OuterRef("pk"), closed_on__gte=start, closed_on__lte=end
    )
    if filters.get("product_line"):
        open_opps = open_opps.filter(product_line=filters["product_line"])
        won = won.filter(product_line=filters["product_line"])
    counts = accounts.aggregate(
        total=Count("id"),
        assigned=Count("id", filter=Exists(assigned)),
        with_open_opportunity=Count("id", filter=Exists(open_opps)),
        with_won_deal=Count("id", filter=Exists(won)),
    )
    return _with_ratios(counts)


def snapshot_coverage(run_id: int, start: date, end: date, filters: dict | None = None) -> dict:
    """:func:`select_coverage` from a snapshot's coverage cells: two sums over small tables.

    The won-deal range is widened to whole quarters, as the share cells are.
    """
    from .models import CoverageCell, CoverageWinCell

    filters = filters or {}
    line = filters.get("product_line") or ""
    narrow = {name: filters[name] for name in ("region", "sector") if filters.get(name)}
    counts = CoverageCell.objects.filter(run_id=run_id, product_line=line, **narrow).aggregate(
        total=Sum("total"), assigned=Sum("assigned"), with_open_opportunity=Sum("with_open")
    )
    first, last = quarter_of(start).start, quarter_of(end).start
    won = CoverageWinCell.objects.filter(
        Q(previous__isnull=True) | Q(previous__lt=first),
        run_id=run_id,
        product_line=line,
        quarter__gte=first,
        quarter__lte=last,
        **narrow,
    ).aggregate(accounts=Sum("accounts"))
    counts = {name: value or 0 for name, value in counts.items()}
    counts["with_won_deal"] = won["accounts"] or 0
    return _with_ratios(counts)


def _with_ratios(counts: dict) -> dict:
    total = counts["total"]
    for name in ("assigned", "with_open_opportunity", "with_won_deal"):
        counts[f"{name}_ratio"] = ratio(counts[name], total)
    return counts


# --- Commission cost against partner revenue ---------------------------------------------------


def commission_by_period(labels: list[str] | None = None) -> dict[str, Decimal]:
    """Commission of approved or paid settlements by the deals' period (every period for ``None``)."""
    from commissions.models import LOCKED_STATUSES, PayoutLine

    lines = PayoutLine.objects.filter(run__status__in=LOCKED_STATUSES, attempt=F("run__committed_attempt"))
    if labels is not None:
        lines = lines.filter(deal_period__in=labels)
    return dict(lines.values("deal_period").annotate(total=Sum("payout")).values_list("deal_period", "total"))


def preliminary_commission_by_period(labels: list[str] | None = None) -> dict[str, Decimal]:
    """Commission of computed settlements not approved yet, by the deals' period: a preliminary figure."""
    from commissions.models import PayoutLine, RunStatus

    lines = PayoutLine.objects.filter(run__status=RunStatus.COMPUTED, attempt=F("run__committed_attempt"))
    if labels is not None:
        lines = lines.filter(deal_period__in=labels)
    return dict(lines.values("deal_period").annotate(total=Sum("payout")).values_list("deal_period", "total"))


def commission_cost(
    first: Period,
    last: Period,
    source: Source | None = None,
    paid: dict | None = None,
    preliminary: dict | None = None,
) -> list:
    """Per quarter: commission of approved or paid settlements (the deals' quarter) / partner revenue.

    A quarter whose commission is (partly) in a computed settlement not approved yet counts it too, and
    its row says so (``preliminary``): the cost of a computed quarter is its run's figure, never 0 %.

    ``source`` gives the partner revenue (live by default); ``paid`` and ``preliminary`` the commission
    by period (a snapshot's copy), else they are summed from the payout lines now.
    """
    from ecosystem.periods import quarters_between

    labels = [q.label for q in quarters_between(first, last)]
    if paid is None:
        paid = commission_by_period(labels)
    if preliminary is None:
        preliminary = preliminary_commission_by_period(labels)
    revenue = {row["key"]: row["partner"] for row in quarterly_series(source or LIVE, first, last)}
    rows = []
    for label in labels:
        unapproved = preliminary.get(label)
        commission = (paid.get(label) or ZERO) + (unapproved or ZERO)
        partner_revenue = revenue.get(label, ZERO)
        rows.append(
            {
                "period": label,
                "commission": commission,
                "partner_revenue": partner_revenue,
                "cost_ratio": ratio(commission, partner_revenue),
                "preliminary": unapproved is not None,
            }
        )
    return rows


# --- Levers: secondments and roadshows ---------------------------------------------------------


def secondment_effect(start: date | None = None, end: date | None = None, today: date | None = None) -> list[dict]:
    """Each secondment (started in the range): the partner's won revenue during the days of it already
    over (up to yesterday) against the same number of days just before it.

    A secondment with no day over yet (it starts today or later) has nothing to compare: its change is
    ``None`` and ``baseline`` is false ("no baseline yet"), never a −100 %; so is one with no revenue in the
    days before it (nothing to measure a change against).
    """
    from django.utils import timezone

    from partners.models import Secondment

    today = today or timezone.localdate()

    secondments = Secondment.objects.select_related("partner").order_by("starts_on", "id")
    if start:
        secondments = secondments.filter(starts_on__gte=start)
    if end:
        secondments = secondments.filter(starts_on__lte=end)
    secondments = list(secondments)
    if not secondments:
        return []
    sums = {}
    for s in secondments:
        measured_end = min(s.ends_on, today - timedelta(days=1))
        days = max((measured_end - s.starts_on).days + 1, 0)
        before_start = s.starts_on - timedelta(days=days)
        sums[f"during_{s.pk}"] = Sum(
            "amount", filter=Q(partner_id=s.partner_id, closed_on__gte=s.starts_on, closed_on__lte=measured_end)
        )
        sums[f"before_{s.pk}"] = Sum(
            "amount",
            filter=Q(partner_id=s.partner_id, closed_on__gte=before_start, closed_on__lt=s.starts_on),
        )
    partner_ids = {s.partner_id for s in secondments}
    figures = Opportunity.objects.filter(confirmed_win_q(), partner_id__in=partner_ids).aggregate(**sums)
    rows = []
    for s in secondments:
        during, before = figures[f"during_{s.pk}"] or ZERO, figures[f"before_{s.pk}"] or ZERO
        baseline = s.starts_on < today and before != ZERO
        rows.append(
            {
                "secondment_id": s.pk,
                "partner_id": s.partner_id,
                "partner": s.partner.name,
                "expert": s.expert_name,
                "starts_on": s.starts_on,
                "ends_on": s.ends_on,
                "before": before,
                "during": during,
                "change": during - before,
                "change_ratio": ratio(during - before, before) if baseline else None,
                "baseline": baseline,
            }
        )
    return rows


def roadshow_effect(start: date | None = None, end: date | None = None) -> list[dict]:
    """Each roadshow (held in the range): pipeline still open and wins of the deals it sourced."""
    queryset = Opportunity.objects.filter(roadshow__isnull=False)
    if start:
        queryset = queryset.filter(roadshow__date__gte=start)
    if end:
        queryset = queryset.filter(roadshow__date__lte=end)
    rows = (
        queryset.values("roadshow_id", "roadshow__title", "roadshow__city", "roadshow__date")
        .annotate(
            pipeline=Sum("amount", filter=Q(stage__in=OPEN_STAGES)),
            pipeline_count=Count("id", filter=Q(stage__in=OPEN_STAGES)),
            won=Sum("amount", filter=confirmed_win_q()),
            won_count=Count("id", filter=confirmed_win_q()),
        )
        .order_by("roadshow__date", "roadshow_id")
    )
    return [
        {
            "roadshow_id": r["roadshow_id"],
            "roadshow": r["roadshow__title"],
            "city": r["roadshow__city"],
            "date": r["roadshow__date"],
            "pipeline": money(r["pipeline"]),
            "pipeline_count": r["pipeline_count"],
            "won": money(r["won"]),
            "won_count": r["won_count"],
        }
        for r in rows
    ]


def levers(start: date | None = None, end: date | None = None) -> dict:
    return levers_of(secondment_effect(start, end), roadshow_effect(start, end))


def levers_of(secondments: list[dict], roadshows: list[dict], start: date | None = None, end=None) -> dict:
    """The levers' rows (narrowed to secondments starting, roadshows held, in the range) and totals.

    A row does not depend on the range, only whether it is shown: a snapshot keeps every row
    and narrows them here, giving what :func:`levers` computes live for the range.
    """

    def within(day: date) -> bool:
        return (start is None or day >= start) and (end is None or day <= end)

    secondments = [row for row in secondments if within(row["starts_on"])]
    roadshows = [row for row in roadshows if within(row["date"])]
    return {
        "secondments": secondments,
        "secondments_total": {
            "before": sum((r["before"] for r in secondments), ZERO),
            "during": sum((r["during"] for r in secondments), ZERO),
        },
        "roadshows": roadshows,
        "roadshows_total": {
            "pipeline": sum((r["pipeline"] for r in roadshows), ZERO),
            "won": sum((r["won"] for r in roadshows), ZERO),
        },
    }


# --- A partner's own figures (portal) ----------------------------------------------------------


def partner_quarterly(partner_id: int, first: Period, last: Period) -> list[dict]:
    """One partner's won revenue, open pipeline (by expected close) and approved commission by quarter."""
    from commissions.models import LOCKED_STATUSES, PayoutLine
    from ecosystem.periods import quarters_between

    quarters = quarters_between(first, last)
    labels = [q.label for q in quarters]
    mine = Opportunity.objects.filter(partner_id=partner_id)
    won = dict(
        mine.filter(confirmed_win_q(), closed_on__gte=first.start, closed_on__lte=last.end)
        .annotate(q=TruncQuarter("closed_on"))
        .values("q")
        .annotate(total=Sum("amount"))
        .values_list("q", "total")
    )
    pipeline = dict(
        mine.filter(stage__in=OPEN_STAGES, expected_close__gte=first.start, expected_close__lte=last.end)
        .annotate(q=TruncQuarter("expected_close"))
        .values("q")
        .annotate(total=Sum("amount"))
        .values_list("q", "total")
    )
    commission = dict(
        PayoutLine.objects.filter(
            partner_id=partner_id,
            run__status__in=LOCKED_STATUSES,
            attempt=F("run__committed_attempt"),
            deal_period__in=labels,
        )
        .values("deal_period")
        .annotate(total=Sum("payout"))
        .values_list("deal_period", "total")
    )
    won = {quarter_label(k) if isinstance(k, date) else str(k): v for k, v in won.items()}
    pipeline = {quarter_label(k) if isinstance(k, date) else str(k): v for k, v in pipeline.items()}
    return [
        {
            "period": label,
            "won": won.get(label) or ZERO,
            "pipeline": pipeline.get(label) or ZERO,
            "commission": commission.get(label) or ZERO,
        }
        for label in labels
    ]
