"""Read-only figures for the home pages and dashboards."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum

from accounts.models import Account, Assignment, AssignmentRole
from ecosystem.periods import Period
from opportunities.models import OPEN_STAGES, Opportunity, RegistrationStatus, claim_q, confirmed_win_q

ZERO = Decimal("0.00")


def share_for(period_start: date, period_end: date) -> dict:
    """Won amounts in a period: total, through partners (sourced, influenced), and the share."""
    won = Opportunity.objects.filter(confirmed_win_q(), closed_on__gte=period_start, closed_on__lte=period_end)
    sums = won.aggregate(
        total=Sum("amount"),
        sourced=Sum("amount", filter=Q(route="partner_sourced")),
        influenced=Sum("amount", filter=Q(route="partner_influenced")),
    )
    total = sums["total"] or ZERO
    sourced = sums["sourced"] or ZERO
    influenced = sums["influenced"] or ZERO
    partner = sourced + influenced
    share = (partner / total).quantize(Decimal("0.0001")) if total else None
    return {"total": total, "sourced": sourced, "influenced": influenced, "partner": partner, "share": share}


def quarterly_share(last: Period, count: int = 8) -> list[dict]:
    """The share of each of the ``count`` quarters up to ``last``, oldest first."""
    quarters = [last]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return [{"period": q.label, **share_for(q.start, q.end)} for q in reversed(quarters)]


def select_coverage() -> dict:
    """Select accounts and those with an open primary assignment, counted now (see :mod:`insights.figures`)."""
    primary = Assignment.objects.open().filter(account=OuterRef("pk"), role=AssignmentRole.PRIMARY)
    counts = Account.objects.select().aggregate(total=Count("id"), covered=Count("id", filter=Exists(primary)))
    counts["uncovered"] = counts["total"] - counts["covered"]
    return counts


def partner_figures(partner_id: int, today: date) -> dict:
    opportunities = Opportunity.objects.filter(partner_id=partner_id)
    year_start = date(today.year, 1, 1)
    sums = opportunities.aggregate(
        pipeline=Sum("amount", filter=Q(stage__in=OPEN_STAGES)),
        pipeline_count=Count("id", filter=Q(stage__in=OPEN_STAGES)),
        won_ytd=Sum("amount", filter=confirmed_win_q() & Q(closed_on__gte=year_start)),
        won_ytd_count=Count("id", filter=confirmed_win_q() & Q(closed_on__gte=year_start)),
        pending=Count("id", filter=Q(registration_status=RegistrationStatus.PENDING)),
        # Claims awaiting confirmation are shown apart: they are not won revenue yet (SPEC §4.2).
        claimed=Sum("amount", filter=claim_q()),
        claimed_count=Count("id", filter=claim_q()),
    )
    sums["accounts"] = Account.objects.for_partner(partner_id).count()
    sums["pipeline"] = sums["pipeline"] or ZERO
    sums["won_ytd"] = sums["won_ytd"] or ZERO
    sums["claimed"] = sums["claimed"] or ZERO
    return sums
