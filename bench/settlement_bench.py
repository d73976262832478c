"""Issue 5: settle one quarter of 250,000 won partner deals with 60 rules, beside a one-statement floor.

The floor is a single ``INSERT … SELECT`` that writes the very lines the settlement writes — each
deal's best base rule picked with ``DISTINCT ON`` (percent rules on tier, product line and select
flag) and every bonus rule it meets — into a table shaped like the ledger (its columns, indexes and
constraints, as every floor of bench/harness.py): the least any settlement must do. The job does
more (tiers, caps, accelerators, explanations, statements, exceptions, the chunks' bookkeeping),
so the ratio is the price of that.

The adjustment of an approved quarter has its own floor (ADJUST_FLOOR_SQL): the same lines computed
again and fully joined with what was paid, only the differences written.

Until 2026-12-02 the floor of every figure was the base lines only (half of them) into a five-column
table, which is not the same work; each figure's note still gives its ratio to that former floor.
"""

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection

from commissions import settlement
from commissions.models import PayoutLine, Program, Rule, SettlementRun
from ecosystem.bulk import copy_insert
from ecosystem.choices import ProductLine
from opportunities.models import Opportunity

from .harness import TIERS, Figure, seed_partners_and_accounts

DEALS = 250_000
PARTNERS = 600
ACCOUNTS = 20_000
RULES = 60
QUARTER = ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30))


def seed(rng: random.Random) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE commissions_payoutline, commissions_statement, commissions_settlementexception, "
            "commissions_settlementchunk, commissions_settlementrun, commissions_rule, commissions_historicalrule, "
            "commissions_program, opportunities_opportunity, accounts_assignment, accounts_account, "
            "partners_partner CASCADE"
        )
    partner_ids, account_ids = seed_partners_and_accounts(rng, PARTNERS, ACCOUNTS, "2026-01-01T00:00Z")
    start, days = QUARTER[1], (QUARTER[2] - QUARTER[1]).days
    copy_insert(
        Opportunity,
        ["account_id", "partner_id", "route", "product_line", "amount", "stage", "closed_on", "registration_status",
         "has_conflict", "description", "decision_reason", "created_at", "updated_at"],
        [
            (rng.choice(account_ids), rng.choice(partner_ids), "partner_sourced", rng.choice(ProductLine.values),
             Decimal(rng.randint(1_000_00, 500_000_00)) / 100, "won", start + timedelta(days=rng.randint(0, days)),
             "approved", False, "", "", "2026-07-01T00:00Z", "2026-07-01T00:00Z")
            for _ in range(DEALS)
        ],
    )  # fmt: skip
    program = Program.objects.create(name="Bench", valid_from=date(2026, 1, 1), status="active")
    rules = []
    for i in range(RULES):
        # 54 base percent rules on (tier, product line, select) and 6 bonus rules.
        tier, line = TIERS[i % 3], ProductLine.values[(i // 3) % 6]
        select = "yes" if (i // 18) % 2 == 0 else "any"
        bonus = i >= 54
        rules.append(
            Rule(
                program=program, name=f"R{i}", priority=i % 7, stacking="bonus" if bonus else "base",
                partner_tiers=[] if bonus else [tier], product_lines=[line], select_only=select,
                calculation="percent", rate=Decimal("0.01") if bonus else Decimal(3 + i % 5) / 100,
            )
        )  # fmt: skip
    Rule.objects.bulk_create(rules)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


#: The won deals of the quarter joined with the rules of one stacking (``{stacking}``) whose conditions they meet.
MATCHES = """
FROM opportunities_opportunity o
JOIN partners_partner p ON p.id = o.partner_id
JOIN accounts_account a ON a.id = o.account_id
JOIN commissions_rule r ON r.stacking = '{stacking}'
  AND (r.partner_tiers = '[]'::jsonb OR r.partner_tiers ? p.tier)
  AND (r.product_lines = '[]'::jsonb OR r.product_lines ? o.product_line)
  AND (r.select_only = 'any' OR (r.select_only = 'yes') = a.is_select)
WHERE o.stage = 'won' AND o.partner_id IS NOT NULL AND o.closed_on BETWEEN %(start)s AND %(end)s
"""

#: Each deal's best base rule and every bonus rule it meets.
LINES = (
    "(SELECT DISTINCT ON (o.id) o.id, o.partner_id, o.amount, r.id AS rule_id, r.rate"
    + MATCHES.format(stacking="base")
    + "ORDER BY o.id, r.priority DESC, r.id)\nUNION ALL\nSELECT o.id, o.partner_id, o.amount, r.id, r.rate"
    + MATCHES.format(stacking="bonus")
)

#: The lines, as ledger lines.
FLOOR_SQL = f"""
INSERT INTO bench_lines (run_id, attempt, partner_id, opportunity_id, rule_id, kind, deal_period, base_amount, rate,
                         capped, payout, explanation_parts)
SELECT 0, 1, partner_id, id, rule_id, 'commission', %(period)s, amount, rate, '', round(amount * rate, 2), '{{}}'
FROM ({LINES}) line
"""

#: The floor used until 2026-12-02: the base lines only, into a five-column table.
OLD_FLOOR_SQL = (
    "INSERT INTO bench_lines (opportunity_id, partner_id, rule_id, payout)\n"
    "SELECT DISTINCT ON (o.id) o.id, o.partner_id, r.id, round(o.amount * r.rate, 2)"
    + MATCHES.format(stacking="base")
    + "ORDER BY o.id, r.priority DESC, r.id"
)


LEDGER_SHAPED = f'CREATE TABLE bench_lines (LIKE "{PayoutLine._meta.db_table}" INCLUDING ALL)'
OLD_FLOOR_TABLE = (
    "CREATE TABLE bench_lines (id bigserial primary key, opportunity_id bigint, partner_id bigint, "
    "rule_id bigint, payout numeric(14,2))"
)


def floor(sql: str, *, table: str = LEDGER_SHAPED, runs: int = 3) -> tuple[float, int]:
    """The fastest of ``runs`` timings of ``sql`` writing into a fresh ``bench_lines`` (``table``), and how many
    lines it wrote."""
    timings, lines = [], 0
    with connection.cursor() as cursor:
        for _ in range(runs):
            cursor.execute("DROP TABLE IF EXISTS bench_lines")
            cursor.execute(table)
            start = time.perf_counter()
            cursor.execute(sql, {"period": QUARTER[0], "start": QUARTER[1], "end": QUARTER[2]})
            timings.append(time.perf_counter() - start)
            lines = cursor.rowcount
        cursor.execute("DROP TABLE bench_lines")
    return min(timings), lines


WORKER_PROCESSES = 2


def _broker() -> str | None:
    """The broker for the Celery figure (BENCH_BROKER_URL, default Redis db 12), or None if unreachable."""
    url = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/12")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return None
    return url


def _database_url() -> str:
    db = settings.DATABASES["default"]
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{db.get('USER') or 'postgres'}@{host}:{port}/{db['NAME']}"


def celery_seconds(broker: str) -> float:
    """Settle through the real job: settle_run on a Celery worker of WORKER_PROCESSES processes, its
    partner chunks in parallel, from the moment the task is sent to the run being computed."""
    env = {
        **os.environ, "DATABASE_URL": _database_url(), "CELERY_BROKER_URL": broker,
        "DJANGO_SETTINGS_MODULE": "ecosystem.settings.base", "LOG_LEVEL": "WARNING",
    }  # fmt: skip
    env.pop("CELERY_RESULT_BACKEND", None)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as log:

        def output() -> str:
            return Path(log.name).read_text(errors="replace")

        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "ecosystem", "worker", "--pool=prefork",
             f"--concurrency={WORKER_PROCESSES}", "--loglevel=INFO", "--without-gossip", "--without-mingle",
             "-n", "bench@%h", "--purge"],
            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while "ready." not in output():
                if worker.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the bench's Celery worker did not start:\n" + output()[-3000:])
                time.sleep(0.1)
            SettlementRun.objects.all().delete()
            run_ = SettlementRun.objects.create(period=QUARTER[0], period_start=QUARTER[1], period_end=QUARTER[2])
            # The sender is a fresh process with the broker configured; its Django start-up is not the job's.
            send = (
                "import time, django; django.setup(); from commissions.tasks import settle_run; "
                f"sent = time.time(); settle_run.delay({run_.pk}); print(sent)"
            )
            sender = subprocess.run(
                [sys.executable, "-c", send], cwd=root, env=env, check=True, capture_output=True, text=True
            )
            start = float(sender.stdout.strip().splitlines()[-1])
            while True:
                status = SettlementRun.objects.filter(pk=run_.pk).values_list("status", flat=True).get()
                if status in ("computed", "failed"):
                    break
                if time.time() - start > 600:
                    raise RuntimeError("the settlement did not finish in 10 minutes")
                time.sleep(0.05)
            seconds = time.time() - start
            if status != "computed":
                raise RuntimeError("the settlement failed:\n" + output()[-3000:])
            return seconds
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)


#: Re-settle the approved quarter and diff: the floor's lines fully joined with what the approved runs paid, by
#: deal, rule and partner, the differences written as ledger lines.
ADJUST_FLOOR_SQL = (
    """
INSERT INTO bench_lines (run_id, attempt, partner_id, opportunity_id, rule_id, kind, deal_period, base_amount, rate,
                         capped, payout, explanation_parts)
SELECT 0, 1, coalesce(owed.partner_id, paid.partner_id), coalesce(owed.id, paid.opportunity_id),
       coalesce(owed.rule_id, paid.rule_id), 'adjustment', %(period)s, coalesce(owed.amount, 0), owed.rate, '',
       coalesce(owed.payout, 0) - coalesce(paid.total, 0), '{}'
FROM (
    SELECT id, partner_id, amount, rule_id, rate, round(amount * rate, 2) AS payout FROM ("""
    + LINES
    + """) line
) owed
FULL JOIN (
    SELECT l.opportunity_id, l.rule_id, l.partner_id, sum(l.payout) AS total
    FROM commissions_payoutline l
    JOIN commissions_settlementrun r ON r.id = l.run_id AND l.attempt = r.committed_attempt
    WHERE r.status IN ('approved', 'paid') AND l.deal_period = %(period)s
    GROUP BY l.opportunity_id, l.rule_id, l.partner_id
) paid ON paid.opportunity_id = owed.id AND paid.rule_id = owed.rule_id AND paid.partner_id = owed.partner_id
WHERE coalesce(owed.payout, 0) <> coalesce(paid.total, 0)
"""
)


def adjustments_figure(old_floor: float) -> Figure:
    """Approve the quarter, lose 1 % of its deals, settle the next quarter: every deal of the approved
    quarter is computed again and diffed against what was paid (adjustments and clawbacks)."""
    from django.contrib.auth import get_user_model

    SettlementRun.objects.all().delete()
    users = get_user_model().objects
    channel = users.get_or_create(username="bench-channel", defaults={"role": "channel"})[0]
    run_ = SettlementRun.objects.create(
        period=QUARTER[0], period_start=QUARTER[1], period_end=QUARTER[2], run_by=channel
    )
    settlement.settle_now(run_.pk)
    run_.refresh_from_db()
    manager = users.get_or_create(username="bench-manager", defaults={"role": "manager"})[0]
    settlement.settlement_approve(run=run_, user=manager)  # four eyes: the channel user ran it
    lost = list(Opportunity.objects.filter(closed_on__range=QUARTER[1:]).values_list("pk", flat=True)[: DEALS // 100])
    Opportunity.objects.filter(pk__in=lost).update(stage="lost")
    floor_time, floor_lines = floor(ADJUST_FLOOR_SQL)
    timings = []
    for _ in range(2):
        SettlementRun.objects.filter(period="2026-Q4").delete()
        following = SettlementRun.objects.create(
            period="2026-Q4", period_start=date(2026, 10, 1), period_end=date(2026, 12, 31)
        )
        start = time.perf_counter()
        settlement.settle_now(following.pk)
        timings.append(time.perf_counter() - start)
    following.refresh_from_db()
    if following.line_count != floor_lines:
        raise RuntimeError(f"the adjustment wrote {following.line_count} lines, its floor {floor_lines}")
    seconds = min(timings)
    return Figure(
        "next quarter: adjust the approved one (in-process)", seconds, "re-settle FULL JOIN paid", floor_time,
        goal_ratio=3,
        note=f"{following.line_count:,} adjustment lines (clawbacks of {len(lost):,} lost deals); "
        f"{seconds / old_floor:.2f}× the former floor",
    )  # fmt: skip


def run() -> list[Figure]:
    rng = random.Random(11)
    seed(rng)
    floor_time, floor_lines = floor(FLOOR_SQL)
    old_floor = floor(OLD_FLOOR_SQL, table=OLD_FLOOR_TABLE)[0]
    timings = []
    for _ in range(2):
        SettlementRun.objects.all().delete()
        run_ = SettlementRun.objects.create(period=QUARTER[0], period_start=QUARTER[1], period_end=QUARTER[2])
        start = time.perf_counter()
        settlement.settle_now(run_.pk)
        timings.append(time.perf_counter() - start)
    run_.refresh_from_db()
    lines = PayoutLine.objects.filter(run=run_).count()
    if lines != floor_lines:
        raise RuntimeError(f"the settlement wrote {lines} lines, its floor {floor_lines}: not the same work")
    print(f"  (the former floor, base lines only into a five-column table: {old_floor:.3f} s)")
    figures = [
        Figure(
            f"settle {DEALS:,} deals × {RULES} rules (in-process)", min(timings), "INSERT…SELECT lines", floor_time,
            goal_ratio=3, note=f"{lines:,} lines, {run_.exception_count:,} exceptions, one chunk after another; "
            f"{min(timings) / old_floor:.2f}× the former floor",
        )
    ]  # fmt: skip
    broker = _broker()
    if broker is None:
        print("  (no Redis at BENCH_BROKER_URL: the Celery figure is skipped)")
    else:
        seconds = min(celery_seconds(broker) for _ in range(2))
        figures.append(
            Figure(
                f"settle {DEALS:,} deals × {RULES} rules (Celery job)", seconds, "INSERT…SELECT lines", floor_time,
                goal_ratio=3,
                note=f"{WORKER_PROCESSES} worker processes, chunks in parallel, task sent → run computed; "
                f"{seconds / old_floor:.2f}× the former floor",
            )
        )  # fmt: skip
    figures.append(adjustments_figure(old_floor))
    return figures
