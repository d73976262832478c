"""The calculation of SPEC §4 run by PostgreSQL, for settlement at scale.

:mod:`commissions.calculation` is the reference: pure Python, readable, tested by hand and by
property. Settling a quarter through it means building, computing and copying half a million
Python objects; here PostgreSQL does that work set-based, in one statement per chunk of
partners:

- it matches every won deal of the chunk against every rule (the conditions, amounts and dates
  of :meth:`calculation.Rule.mismatch`), keeps the best ``base`` rule per deal (highest priority,
  then lowest id) and every ``bonus`` rule, exactly as :func:`calculation.choose`;
- for ``percent`` and ``flat`` rules without a period cap it computes the line — amount × rate
  or the flat amount, the quota accelerator (naming the quota and the attainment), the cap per
  deal, rounding half-up to the cent — and the same explanation parts, and inserts the lines
  straight into the ledger;
- it returns the (deal, rule) pairs of the other rules (tiered bands and period caps depend on
  the partner's other deals in closing order) and the deals no rule pays: Python finishes those
  with :func:`calculation.group_lines` and :func:`calculation.calculate`.

An approved period's corrections (SPEC §4.1, re-settle and diff) reuse the same matching and pricing:
:func:`adjust_chunk` joins what the chunk's deals are owed now with what was paid, in one statement.

``tests/commissions/test_sql_calculation.py`` checks that both give the same lines, payouts and
explanation parts, on hand-written cases and on generated ones.
"""

import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from opportunities.models import RegistrationStatus, Stage

from . import calculation
from .line_rows import LINE_COLUMN_LIST, stored_parts
from .loading import deal_from_row

RULE_TABLE = """
CREATE TEMPORARY TABLE settle_rule (
    id bigint PRIMARY KEY, name text NOT NULL, priority integer NOT NULL, bonus boolean NOT NULL,
    tiers text[], kinds text[], product_lines text[], sectors text[], regions text[],
    select_only boolean, registration_required boolean NOT NULL, min_amount numeric, max_amount numeric,
    valid_from date, valid_to date,
    in_sql boolean NOT NULL, kind text NOT NULL, rate numeric, flat_amount numeric, cap_per_deal numeric,
    accelerator_threshold numeric, accelerator_multiplier numeric, per_deal boolean NOT NULL,
    compact_parts jsonb NOT NULL
) ON COMMIT DROP
"""

RULE_COLUMNS = (
    "id", "name", "priority", "bonus", "tiers", "kinds", "product_lines", "sectors", "regions", "select_only",
    "registration_required", "min_amount", "max_amount", "valid_from", "valid_to", "in_sql", "kind", "rate",
    "flat_amount", "cap_per_deal", "accelerator_threshold", "accelerator_multiplier", "per_deal",
    "compact_parts",
)  # fmt: skip


def _insert(cursor, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if rows:
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows)


def _cents(expression: str) -> str:
    """SQL for :func:`calculation.cents`: ``'1234.50'``."""
    return f"round({expression}, 2)::text"


def _percent(expression: str) -> str:
    """SQL for :func:`calculation.percent`: ``0.075`` → ``'7.5'``."""
    return f"trim_scale({expression} * 100)::text"


def _text(expression: str) -> str:
    """A figure as a JSON string in SQL (figures are digits, a dot and a sign: nothing to escape)."""
    return f"""'"' || {expression} || '"'"""


#: A commission line's parts (:meth:`calculation.PayoutLine.parts`) as SQL: JSON text concatenated and cast
#: once, which costs a third less than nesting jsonb_build_object calls.
COMMISSION_PARTS = (
    """('{"kind": "commission", "rule": ' || to_json(name)::text || ', "steps": ['"""
    """ || CASE WHEN kind = 'percent' THEN '{"kind": "percent", "base": ' || """
    + _text(_cents("amount")) + """ || ', "rate": ' || """ + _text(_percent("rate"))
    + """ || ', "value": ' || """ + _text(_cents("raw")) + """ || '}'"""
    """ ELSE '{"kind": "flat", "value": ' || """ + _text(_cents("raw")) + """ || '}' END"""
    """ || CASE WHEN multiplier IS NULL THEN '' ELSE ', {"kind": "accelerator", "multiplier": ' || """
    + _text("trim_scale(multiplier)::text") + """ || ', "quota": ' || """ + _text(_cents("quota"))
    + """ || ', "won": ' || """ + _text(_cents("won")) + """ || ', "attainment": ' || """
    + _text("round(div(2000 * won + quota, 2 * quota) / 10, 1)::text") + """ || ', "threshold": ' || """
    + _text(_percent("threshold")) + """ || ', "value": ' || """ + _text(_cents("value")) + """ || '}' END"""
    """ || CASE WHEN over_cap THEN ', {"kind": "deal_cap", "cap": ' || """ + _text(_cents("cap_per_deal"))
    + """ || '}' ELSE '' END || ']}')::jsonb"""
)

#: What the ledger stores (:mod:`.line_parts`): a line whose steps its columns say — a percent, capped per deal
#: or not, or an uncapped flat amount, without accelerator — stores its rule's ``{"kind": "commission", "rule":
#: name}``, made once per rule (``compact_parts``); the others, all of COMMISSION_PARTS.
LINE_PARTS = (
    "CASE WHEN multiplier IS NULL AND (kind = 'percent' OR NOT over_cap) THEN compact_parts ELSE "
    + COMMISSION_PARTS
    + " END"
)


DEAL_COLUMNS = (
    "id, partner_id, amount, closed_on, product_line, tier, kind, sector, region, is_select, registration_status"
)

#: The chunk's deals matched to their rules and priced: ``capped`` has a row per line PostgreSQL computes
#: (``chosen`` also holds the deals of the rules Python computes, ``matched`` every deal some rule pays).
LINES_CTES = """
WITH deal AS MATERIALIZED (
    SELECT o.id, o.partner_id, o.amount, o.closed_on, o.product_line, p.tier, p.kind, a.sector, a.region,
           a.is_select, coalesce(o.registration_status, '') AS registration_status,
           {won} AS won
    FROM opportunities_opportunity o
    JOIN partners_partner p ON p.id = o.partner_id
    JOIN accounts_account a ON a.id = o.account_id
    -- Confirmed wins only: a partner's claim pays nothing until a booking or the channel team confirms it.
    WHERE o.stage = %(won)s AND NOT o.awaiting_confirmation AND o.partner_id = ANY(%(partners)s)
      AND o.closed_on BETWEEN %(start)s AND %(end)s
),
-- What many deals share (partner, product, account) is matched once per combination, not per deal.
signature AS (
    SELECT DISTINCT {signature} FROM deal
),
-- Per combination, the base rules in precedence order (rank 1 first): a deal takes the first whose
-- per-deal conditions (amounts, dates within the period) it meets, so no base rule ranked below the
-- first one without such conditions can ever be chosen — those are cut here, once per combination.
signature_ranked AS (
    SELECT s.*, r.id AS rule_id, r.bonus, r.per_deal,
           row_number() OVER (PARTITION BY s.signature_key, r.bonus ORDER BY r.priority DESC, r.id) AS rank
    FROM (SELECT signature.*, row_number() OVER () AS signature_key FROM signature) s
    JOIN settle_rule r ON {static_conditions}
),
signature_rule AS MATERIALIZED (
    SELECT * FROM (
        SELECT signature_ranked.*,
               min(rank) FILTER (WHERE NOT bonus AND NOT per_deal) OVER (PARTITION BY signature_key) AS last_rank
        FROM signature_ranked
    ) ranked
    WHERE bonus OR last_rank IS NULL OR rank <= last_rank
),
matched AS MATERIALIZED (
    SELECT d.id, d.partner_id, d.amount, d.won, r.id AS rule_id, r.priority, r.bonus, r.in_sql
    FROM deal d
    JOIN signature_rule s ON {signature_join}
    JOIN settle_rule r ON r.id = s.rule_id
    WHERE (r.min_amount IS NULL OR d.amount >= r.min_amount)
      AND (r.max_amount IS NULL OR d.amount <= r.max_amount)
      AND (r.valid_from IS NULL OR d.closed_on >= r.valid_from)
      AND (r.valid_to IS NULL OR d.closed_on <= r.valid_to)
),
chosen AS (
    {chosen_base}
    UNION ALL
    SELECT * FROM matched WHERE bonus
),
priced AS (
    SELECT c.partner_id, c.id, c.rule_id, c.amount, r.name, r.compact_parts, r.kind, r.cap_per_deal,
           c.won, {quota} AS quota,
           r.accelerator_threshold AS threshold,
           CASE WHEN r.kind = 'percent' THEN coalesce(r.rate, 0) END AS rate,
           CASE WHEN r.kind = 'percent' THEN c.amount * coalesce(r.rate, 0) ELSE coalesce(r.flat_amount, 0) END
               AS raw,
           CASE WHEN r.accelerator_threshold IS NOT NULL AND r.accelerator_multiplier IS NOT NULL
                     AND {quota} > 0 AND c.won >= r.accelerator_threshold * {quota}
                THEN r.accelerator_multiplier END AS multiplier
    FROM chosen c
    JOIN settle_rule r ON r.id = c.rule_id
    {quota_join}
    WHERE c.in_sql
),
accelerated AS (
    SELECT priced.*, CASE WHEN multiplier IS NULL THEN raw ELSE raw * multiplier END AS value FROM priced
),
capped AS (
    SELECT accelerated.*, coalesce(cap_per_deal IS NOT NULL AND value > cap_per_deal, false) AS over_cap
    FROM accelerated
)
"""

SETTLE_SQL = (
    LINES_CTES
    + f""",
written AS (
    INSERT INTO commissions_payoutline ({LINE_COLUMN_LIST})
    SELECT %(run)s, %(attempt)s, partner_id, id, rule_id, 'commission', %(period)s, amount, rate, multiplier,
           CASE WHEN over_cap THEN 'deal' ELSE '' END,
           round(CASE WHEN over_cap THEN cap_per_deal ELSE value END, 2),
           {LINE_PARTS},
           NULL
    FROM capped
    RETURNING partner_id, payout
)
SELECT 'written', NULL::bigint, partner_id, sum(payout), NULL::date, NULL, NULL, NULL, NULL, NULL, NULL::boolean,
       NULL, NULL::numeric, count(*)
FROM written GROUP BY partner_id
{{python_rows}}
UNION ALL
SELECT 'unpaid', d.{DEAL_COLUMNS.replace(", ", ", d.")}, d.won, NULL
FROM deal d WHERE NOT EXISTS (SELECT 1 FROM matched m WHERE m.id = d.id)
"""
)

#: The deals of the chunk that rules computed in Python pay (tiers, period caps), each with its rule.
PYTHON_ROWS = f"""
SELECT d.{DEAL_COLUMNS.replace(", ", ", d.")}, d.won, c.rule_id
FROM chosen c JOIN deal d ON d.id = c.id WHERE NOT c.in_sql
"""
PYTHON_ROWS_SQL = LINES_CTES + PYTHON_ROWS


#: rule condition → (the deal's column, the condition in SQL on a signature ``s`` and a rule ``r``)
SIGNATURE_COLUMNS = {
    "partner_tiers": ("tier", "(r.tiers IS NULL OR s.tier = ANY(r.tiers))"),
    "partner_kinds": ("kind", "(r.kinds IS NULL OR s.kind = ANY(r.kinds))"),
    "product_lines": ("product_line", "(r.product_lines IS NULL OR s.product_line = ANY(r.product_lines))"),
    "sectors": ("sector", "(r.sectors IS NULL OR s.sector = ANY(r.sectors))"),
    "regions": ("region", "(r.regions IS NULL OR s.region = ANY(r.regions))"),
    "select_only": ("is_select", "(r.select_only IS NULL OR r.select_only = s.is_select)"),
    "registration_required": (
        "registration_status",
        "(NOT r.registration_required OR s.registration_status = %(approved)s)",
    ),
}


def specialized(sql: str, rules: list[calculation.Rule], start, end) -> str:
    """LINES_CTES (in ``sql``) cut to what the rules need: the signature to the columns some rule conditions on
    (few combinations); the sort that picks each deal's base rule only when a base rule has per-deal conditions
    (without, the ranking per combination leaves one candidate per deal); the partner's won amount and quota
    only when a rule has an accelerator."""
    used = [
        SIGNATURE_COLUMNS[rule_field]
        for rule_field in SIGNATURE_COLUMNS
        if any(calculation.conditions_on(rule, rule_field) for rule in rules)
    ]
    if any(rule.stacking != "bonus" and per_deal_conditions(rule, start, end) for rule in rules):
        chosen_base = "(SELECT DISTINCT ON (id) * FROM matched WHERE NOT bonus ORDER BY id, priority DESC, rule_id)"
    else:
        chosen_base = "SELECT * FROM matched WHERE NOT bonus"
    accelerated = any(
        rule.accelerator_threshold is not None and rule.accelerator_multiplier is not None for rule in rules
    )
    quota_join = "LEFT JOIN commissions_quota q ON q.partner_id = c.partner_id AND q.period = %(period)s"
    # Without rules computed in Python, ``chosen`` is read once: PostgreSQL then streams it instead of storing it.
    python_rows = "" if all(computed_in_sql(rule) for rule in rules) else "UNION ALL SELECT 'python', " + (
        PYTHON_ROWS.strip().removeprefix("SELECT ")
    )
    return (
        sql.replace("{signature}", ", ".join(column for column, _ in used) or "true AS any_deal")
        .replace("{static_conditions}", " AND ".join(condition for _, condition in used) or "true")
        .replace("{signature_join}", " AND ".join(f"s.{column} = d.{column}" for column, _ in used) or "true")
        .replace("{chosen_base}", chosen_base)
        .replace("{won}", "sum(o.amount) OVER (PARTITION BY o.partner_id)" if accelerated else "NULL::numeric")
        .replace("{quota}", "q.amount" if accelerated else "NULL::numeric")
        .replace("{quota_join}", quota_join if accelerated else "")
        .replace("{python_rows}", python_rows)
    )


def per_deal_conditions(rule: calculation.Rule, start, end) -> bool:
    """Whether some deal of the period [start, end] may fail the rule on its own amount or date."""
    return (
        rule.min_amount is not None
        or rule.max_amount is not None
        or (rule.valid_from is not None and rule.valid_from > start)
        or (rule.valid_to is not None and rule.valid_to < end)
    )


def computed_in_sql(rule: calculation.Rule) -> bool:
    """Whether PostgreSQL computes this rule's lines: each depends on its own deal only."""
    return rule.kind in ("percent", "flat") and rule.cap_per_period is None


def _rule_row(rule: calculation.Rule, start, end) -> tuple:
    def condition(values):
        return sorted(values) or None

    compact = json.dumps({"kind": "commission", "rule": rule.name})

    return (
        rule.id, rule.name, rule.priority, rule.stacking == "bonus", condition(rule.partner_tiers),
        condition(rule.partner_kinds), condition(rule.product_lines), condition(rule.sectors),
        condition(rule.regions), rule.select_only, rule.registration_required, rule.min_amount, rule.max_amount,
        rule.valid_from, rule.valid_to, computed_in_sql(rule), rule.kind, rule.rate, rule.flat_amount,
        rule.cap_per_deal, rule.accelerator_threshold, rule.accelerator_multiplier,
        per_deal_conditions(rule, start, end), compact,
    )  # fmt: skip


@dataclass
class ChunkResult:
    written: dict[int, tuple[Decimal, int]]  # the lines PostgreSQL inserted: partner → (total, count)
    lines: list[calculation.PayoutLine]  # lines of the rules computed in Python, still to insert
    exceptions: list[calculation.DealException]


def _prepare(cursor, rules: list[calculation.Rule], start, end) -> None:
    """The chunk's transaction-scoped settings and rule table."""
    cursor.execute("SET LOCAL work_mem = '64MB'")  # the sort of DISTINCT ON stays in memory
    cursor.execute("DROP TABLE IF EXISTS pg_temp.settle_rule")
    cursor.execute(RULE_TABLE)
    _insert(cursor, "settle_rule", RULE_COLUMNS, [_rule_row(rule, start, end) for rule in rules])


def _parameters(*, period_label: str, start, end, partner_ids: list[int], run_id: int, attempt: int) -> dict:
    return {
        "approved": RegistrationStatus.APPROVED, "won": Stage.WON, "partners": list(partner_ids),
        "start": start, "end": end, "period": period_label, "run": run_id, "attempt": attempt,
    }  # fmt: skip


def _python_lines(
    rows: list[tuple], rules: list[calculation.Rule], quotas: dict[int, Decimal]
) -> list[calculation.PayoutLine]:
    """The lines of the rules Python computes, from ``(deal columns…, partner's won, rule id)`` rows."""
    groups: dict[tuple[int, int], list[calculation.Deal]] = defaultdict(list)
    won: dict[int, Decimal] = {}
    for *deal_row, partner_won, rule_id in rows:
        deal = deal_from_row(deal_row)
        won[deal.partner_id] = partner_won
        groups[(int(rule_id), deal.partner_id)].append(deal)
    by_id = {rule.id: rule for rule in rules}
    lines = []
    for (rule_id, partner_id), deals in sorted(groups.items()):
        rule = by_id[rule_id]
        deals.sort(key=lambda d: d.order_key)
        acceleration = calculation.accelerator(rule, won[partner_id], quotas.get(partner_id))
        lines.extend(calculation.group_lines(rule, partner_id, deals, acceleration))
    return lines


def settle_chunk(
    *,
    run_id: int,
    attempt: int,
    period_label: str,
    start,
    end,
    partner_ids: list[int],
    rules: list[calculation.Rule],
    quotas: dict[int, Decimal],
) -> ChunkResult:
    """Write the chunk's commission lines into the ledger; return the rest for Python. Call inside a transaction."""
    if not partner_ids:
        return ChunkResult({}, [], [])
    with connection.cursor() as cursor:
        _prepare(cursor, rules, start, end)
        cursor.execute(
            specialized(SETTLE_SQL, rules, start, end),
            _parameters(
                period_label=period_label, start=start, end=end, partner_ids=partner_ids, run_id=run_id,
                attempt=attempt,
            ),
        )  # fmt: skip
        rows = cursor.fetchall()
    written: dict[int, tuple[Decimal, int]] = {}
    python_rows, unpaid = [], []
    for tag, *row in rows:
        if tag == "written":
            written[row[1]] = (row[2], int(row[-1]))
        elif tag == "python":
            python_rows.append(row)
        else:
            unpaid.append(deal_from_row(row[:-2]))
    lines = _python_lines(python_rows, rules, quotas)
    exceptions = calculation.calculate(unpaid, rules, quotas).exceptions if unpaid else []
    return ChunkResult(written, lines, exceptions)


# --- Adjustments of approved periods -------------------------------------------------------------

#: The chunk's partners' lines of the approved runs, one partner at a time through the ledger's (run, attempt,
#: partner) index: joined plainly, the planner reads every line of the approved run and keeps the chunk's (a
#: scan of the whole quarter per chunk) whenever its statistics predate the run's lines — and they always do
#: right after a settlement has written them. OFFSET 0 keeps the subquery run per partner. (Lines of an
#: approved run are those of its committed attempt: the others are deleted when an attempt is committed.)
PAID_LINES = """
    commissions_settlementrun r
    CROSS JOIN unnest(%(partners)s::bigint[]) AS chunk (partner_id)
    CROSS JOIN LATERAL (
        SELECT l.* FROM commissions_payoutline l
        WHERE l.run_id = r.id AND l.attempt = r.committed_attempt AND l.partner_id = chunk.partner_id
        OFFSET 0
    ) l
"""


#: The lines of the rules Python computes (tiers, period caps) that the chunk's deals are owed now.
OWED_PYTHON_TABLE = """
CREATE TEMPORARY TABLE owed_python (
    partner_id bigint NOT NULL, opportunity_id bigint NOT NULL, rule_id bigint NOT NULL,
    base_amount numeric NOT NULL, rate numeric, accelerator numeric, capped text NOT NULL, payout numeric NOT NULL,
    parts jsonb NOT NULL
) ON COMMIT DROP
"""
OWED_PYTHON_COLUMNS = (
    "partner_id", "opportunity_id", "rule_id", "base_amount", "rate", "accelerator", "capped", "payout", "parts"
)

#: Re-settle and diff in one statement: the lines the chunk's deals are owed now (LINES_CTES, as the ledger
#: would get them, and Python's) fully joined with what approved runs paid, by deal, rule and partner — a line
#: owed and paid differently is adjusted, owed and never paid is newly owed, paid and no longer owed is
#: clawed back. The owed lines are never written anywhere; only the few that differ become ledger lines.
ADJUST_SQL = (
    LINES_CTES
    + f""",
owed AS (
    SELECT partner_id, id AS opportunity_id, rule_id, amount AS base_amount, rate, multiplier AS accelerator,
           CASE WHEN over_cap THEN 'deal' ELSE '' END AS capped,
           round(CASE WHEN over_cap THEN cap_per_deal ELSE value END, 2) AS payout,
           {LINE_PARTS} AS parts
    FROM capped
    UNION ALL
    SELECT {", ".join(OWED_PYTHON_COLUMNS)} FROM owed_python
),
paid AS MATERIALIZED (
    SELECT l.opportunity_id, l.rule_id, l.partner_id, sum(l.payout) AS total,
           coalesce(min(l.id) FILTER (WHERE l.kind = 'commission'), min(l.id)) AS original_id
    FROM {PAID_LINES}
    WHERE r.status = ANY(%(locked)s) AND l.deal_period = %(period)s AND l.kind = ANY(%(kinds)s)
    GROUP BY l.opportunity_id, l.rule_id, l.partner_id
),
diff AS (
    SELECT coalesce(o.partner_id, p.partner_id) AS partner_id,
           coalesce(o.opportunity_id, p.opportunity_id) AS opportunity_id, coalesce(o.rule_id, p.rule_id) AS rule_id,
           o.opportunity_id IS NOT NULL AS is_owed, p.opportunity_id IS NOT NULL AS was_paid,
           o.base_amount, o.rate, o.accelerator, o.capped, o.parts, o.payout AS owed,
           coalesce(p.total, 0) AS already, p.original_id
    FROM owed o
    FULL JOIN paid p ON p.opportunity_id = o.opportunity_id AND p.rule_id = o.rule_id AND p.partner_id = o.partner_id
),
written AS (
INSERT INTO commissions_payoutline ({LINE_COLUMN_LIST})
SELECT %(run)s, %(attempt)s, partner_id, opportunity_id, rule_id, 'adjustment', %(period)s,
       coalesce(base_amount, 0), rate, accelerator, coalesce(capped, ''), coalesce(owed, 0) - already,
       CASE WHEN is_owed
            THEN jsonb_build_object('kind', 'adjustment', 'period', %(period)s::text,
                                    'change', CASE WHEN was_paid THEN 'changed' ELSE 'newly_owed' END,
                                    'owed', {_cents("owed")}, 'paid', {_cents("already")},
                                    'difference', {_cents("owed - already")}, 'now', parts)
            ELSE jsonb_build_object('kind', 'clawback', 'period', %(period)s::text, 'paid', {_cents("already")})
       END,
       original_id
FROM diff
WHERE coalesce(owed, 0) <> already
RETURNING partner_id, payout
)
SELECT partner_id, sum(payout), count(*) FROM written GROUP BY partner_id
"""
)


def paid_rule_ids(period_label: str, partner_ids: list[int], locked_statuses: list[str]) -> set[int | None]:
    """The rules that paid the chunk's partners for a period in approved runs."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT l.rule_id FROM {PAID_LINES} "
            "WHERE r.status = ANY(%(locked)s) AND l.deal_period = %(period)s",
            {"partners": list(partner_ids), "locked": list(locked_statuses), "period": period_label},
        )
        return {rule_id for (rule_id,) in cursor.fetchall()}


def adjust_chunk(
    *,
    run_id: int,
    attempt: int,
    period_label: str,
    start,
    end,
    partner_ids: list[int],
    rules: list[calculation.Rule],
    quotas: dict[int, Decimal],
    locked_statuses: list[str],
    diffed_kinds: list[str],
) -> dict[int, tuple[Decimal, int]]:
    """Write the adjustment lines of an approved period for the chunk: what its deals are owed now
    (computed as :func:`settle_chunk` computes them) minus what was paid, line by line — paired by
    deal, rule and partner, so a deal that moved is clawed back from the partner paid and added for
    the one owed, whatever chunk each is in — and a clawback for every paid line no longer owed.
    Only lines of ``diffed_kinds`` are compared; the parts are those the reference path writes
    (:func:`.settlement.adjustment_parts`). Call inside a transaction;
    returns, per partner, the total and count of the lines written."""
    if not partner_ids:
        return {}
    parameters = _parameters(
        period_label=period_label, start=start, end=end, partner_ids=partner_ids, run_id=run_id, attempt=attempt
    )
    with connection.cursor() as cursor:
        _prepare(cursor, rules, start, end)
        cursor.execute("DROP TABLE IF EXISTS pg_temp.owed_python")
        cursor.execute(OWED_PYTHON_TABLE)
        if not all(computed_in_sql(rule) for rule in rules):
            cursor.execute(specialized(PYTHON_ROWS_SQL, rules, start, end), parameters)
            lines = _python_lines(cursor.fetchall(), rules, quotas)
            _insert(
                cursor, "owed_python", OWED_PYTHON_COLUMNS,
                [
                    (line.partner_id, line.deal_id, line.rule_id, line.base_amount, line.rate, line.accelerator,
                     line.capped, line.payout, json.dumps(stored_parts(line)))
                    for line in lines
                ],
            )  # fmt: skip
        cursor.execute(
            specialized(ADJUST_SQL, rules, start, end),
            {**parameters, "locked": list(locked_statuses), "kinds": list(diffed_kinds)},
        )
        return {partner_id: (total, count) for partner_id, total, count in cursor.fetchall()}
