"""Database → the pure calculation's inputs, in bulk (one query each, no per-deal queries)."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Q

from opportunities.models import RegistrationStatus, Stage

from .calculation import Band, Deal, Rule
from .models import Program, ProgramStatus, Quota
from .models import Rule as RuleModel

DEAL_SQL = """
SELECT o.id, o.partner_id, o.amount, o.closed_on, o.product_line, p.tier, p.kind,
       a.sector, a.region, a.is_select, o.registration_status
FROM opportunities_opportunity o
JOIN partners_partner p ON p.id = o.partner_id
JOIN accounts_account a ON a.id = o.account_id
WHERE o.stage = %s AND NOT o.awaiting_confirmation AND o.partner_id IS NOT NULL AND o.closed_on BETWEEN %s AND %s
"""


def load_deals(start: date, end: date, partner_ids: list[int] | None = None) -> list[Deal]:
    """The confirmed won partner deals closed in [start, end], optionally for some partners only.

    A claim (a partner's win not yet confirmed, SPEC §4.2) pays nothing; confirmed after its period
    was approved, it is a late win the next run pays as an adjustment.
    """
    sql, params = DEAL_SQL, [Stage.WON, start, end]
    if partner_ids is not None:
        if not partner_ids:
            return []
        sql += f" AND o.partner_id IN ({', '.join(['%s'] * len(partner_ids))})"
        params += list(partner_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [deal_from_row(row) for row in cursor.fetchall()]


def deal_from_row(row) -> Deal:
    """A row in ``DEAL_SQL``'s column order as the calculation's Deal (SQLite gives strings for some)."""
    return Deal(
        id=row[0],
        partner_id=row[1],
        amount=row[2] if isinstance(row[2], Decimal) else Decimal(str(row[2])),
        closed_on=row[3] if isinstance(row[3], date) else date.fromisoformat(str(row[3])),
        product_line=row[4],
        partner_tier=row[5],
        partner_kind=row[6],
        sector=row[7],
        region=row[8],
        is_select=bool(row[9]),
        registration_approved=row[10] == RegistrationStatus.APPROVED,
    )


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def to_rule(model: RuleModel) -> Rule:
    """A rule row (with its program) as the calculation's Rule; its dates are cut to the program's."""
    program = model.program
    starts = [d for d in (program.valid_from, model.valid_from) if d]
    ends = [d for d in (program.valid_to, model.valid_to) if d]
    select_only = {"yes": True, "no": False}.get(model.select_only)
    return Rule(
        id=model.pk,
        name=model.name,
        priority=model.priority,
        stacking=model.stacking,
        partner_tiers=frozenset(model.partner_tiers),
        partner_kinds=frozenset(model.partner_kinds),
        product_lines=frozenset(model.product_lines),
        sectors=frozenset(model.sectors),
        regions=frozenset(model.regions),
        select_only=select_only,
        min_amount=model.min_amount,
        max_amount=model.max_amount,
        registration_required=model.registration_required,
        kind=model.calculation,
        rate=model.rate,
        flat_amount=model.flat_amount,
        bands=tuple(Band(Decimal(str(f)), Decimal(str(r))) for f, r in model.bands),
        tier_mode=model.tier_mode,
        cap_per_deal=model.cap_per_deal,
        cap_per_period=model.cap_per_period,
        accelerator_threshold=model.accelerator_threshold,
        accelerator_multiplier=model.accelerator_multiplier,
        valid_from=max(starts) if starts else None,
        valid_to=min(ends) if ends else None,
    )


def load_rules(start: date, end: date, *, also_rule_ids=()) -> list[Rule]:
    """Rules of active programs overlapping [start, end], plus the given rules (those that paid a period)."""
    overlapping = Q(program__status=ProgramStatus.ACTIVE, program__valid_from__lte=end) & (
        Q(program__valid_to__isnull=True) | Q(program__valid_to__gte=start)
    )
    if also_rule_ids:
        overlapping |= Q(pk__in=list(also_rule_ids))
    return [to_rule(rule) for rule in RuleModel.objects.select_related("program").filter(overlapping)]


def load_quotas(period: str, partner_ids: list[int] | None = None) -> dict[int, Decimal]:
    quotas = Quota.objects.filter(period=period)
    if partner_ids is not None:
        quotas = quotas.filter(partner_id__in=partner_ids)
    return dict(quotas.values_list("partner_id", "amount"))


def active_programs():
    return Program.objects.filter(status=ProgramStatus.ACTIVE)
