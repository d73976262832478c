"""Issue 6: the dashboard API on 1,000,000 opportunities, beside the raw ``GROUP BY`` floor.

Seeds 600 partners, 20,000 accounts and 1,000,000 opportunities over eight quarters (direct,
partner-sourced and partner-influenced; won, lost and open), takes a snapshot (timed), then
times ``GET /api/v1/insights/ecosystem-share/`` by quarter and by region — from the snapshot
(what the dashboards read) and live — beside the single ``GROUP BY`` that computes the same
figures straight from the opportunities table; then the coverage, commission-cost and levers
endpoints from the snapshot (and coverage live, beside its one-statement floor).
"""

import random
import time
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.test import Client

from ecosystem.bulk import copy_insert
from ecosystem.choices import ProductLine
from ecosystem.roles import Role
from opportunities.models import Opportunity
from users.models import User

from .harness import Figure, seed_partners_and_accounts

OPPORTUNITIES = 1_000_000
PARTNERS = 600
ACCOUNTS = 20_000
FIRST_DAY, DAYS = date(2025, 1, 1), 730
URL = "/api/v1/insights/ecosystem-share/?from=2025-Q1&to=2026-Q4&group_by={group}"
OTHER_URLS = {
    "coverage": "/api/v1/insights/coverage/?from=2025-Q1&to=2026-Q4",
    "commission-cost": "/api/v1/insights/commission-cost/?from=2025-Q1&to=2026-Q4",
    "levers": "/api/v1/insights/levers/?from=2025-Q1&to=2026-Q4",
}
GOAL_SECONDS = 0.2

FLOOR_SQL = {
    "quarter": """
        SELECT date_trunc('quarter', o.closed_on) AS k, sum(o.amount),
               sum(o.amount) FILTER (WHERE o.route = 'partner_sourced'),
               sum(o.amount) FILTER (WHERE o.route = 'partner_influenced')
        FROM opportunities_opportunity o
        WHERE o.stage = 'won' AND o.closed_on BETWEEN %s AND %s GROUP BY 1 ORDER BY 1""",
    "region": """
        SELECT a.region AS k, sum(o.amount),
               sum(o.amount) FILTER (WHERE o.route = 'partner_sourced'),
               sum(o.amount) FILTER (WHERE o.route = 'partner_influenced')
        FROM opportunities_opportunity o JOIN accounts_account a ON a.id = o.account_id
        WHERE o.stage = 'won' AND o.closed_on BETWEEN %s AND %s GROUP BY 1 ORDER BY 1""",
    "coverage": """
        SELECT count(*),
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM opportunities_opportunity o WHERE o.account_id = a.id
                                              AND o.stage = 'won' AND o.closed_on BETWEEN %s AND %s))
        FROM accounts_account a WHERE a.is_select""",
}


def seed(rng: random.Random) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE opportunities_opportunity, opportunities_historicalopportunity, accounts_assignment, "
            "accounts_account, partners_partner CASCADE"
        )
    partner_ids, account_ids = seed_partners_and_accounts(rng, PARTNERS, ACCOUNTS, "2025-01-01T00:00Z")

    def row():
        route = rng.choices(["direct", "partner_sourced", "partner_influenced"], [55, 30, 15])[0]
        stage = rng.choices(["won", "lost", "registered", "proposal"], [50, 25, 15, 10])[0]
        closed = FIRST_DAY + timedelta(days=rng.randrange(DAYS)) if stage in ("won", "lost") else None
        partner = None if route == "direct" else rng.choice(partner_ids)
        return (
            rng.choice(account_ids), partner, route, rng.choice(ProductLine.values),
            Decimal(rng.randint(1_000_00, 300_000_00)) / 100, stage, closed,
            "approved" if partner else None, False, "", "", "2025-01-01T00:00Z", "2025-01-01T00:00Z",
        )  # fmt: skip

    copy_insert(
        Opportunity,
        ["account_id", "partner_id", "route", "product_line", "amount", "stage", "closed_on", "registration_status",
         "has_conflict", "description", "decision_reason", "created_at", "updated_at"],
        (row() for _ in range(OPPORTUNITIES)),
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def floor_seconds(group: str) -> float:
    timings = []
    with connection.cursor() as cursor:
        for _ in range(3):
            start = time.perf_counter()
            cursor.execute(FLOOR_SQL[group], [date(2025, 1, 1), date(2026, 12, 31)])
            cursor.fetchall()
            timings.append(time.perf_counter() - start)
    return min(timings)


def api_seconds(client: Client, group: str, live: bool, url: str | None = None) -> float:
    url = (url or URL.format(group=group)) + ("&live=1" if live else "")
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content[:500]
    return min(timings)


def run() -> list[Figure]:
    from insights.snapshots import take_snapshot

    seed(random.Random(6))
    manager = User.objects.create_user("bench-manager", password="x", role=Role.MANAGER)
    client = Client()
    client.force_login(manager)
    figures = []
    start = time.perf_counter()
    take_snapshot()
    snapshot = time.perf_counter() - start
    figures.append(
        Figure("snapshot job (1M opportunities)", snapshot, "GROUP BY quarter", floor_seconds("quarter"),
               note="all breakdowns at once")
    )  # fmt: skip
    for group in ("quarter", "region"):
        floor = floor_seconds(group)
        seconds = api_seconds(client, group, live=False)
        verdict = "OK" if seconds < GOAL_SECONDS else "MISSED"
        figures.append(
            Figure(f"share API by {group} (snapshot)", seconds, f"GROUP BY {group}", floor,
                   note=f"goal < {GOAL_SECONDS} s {verdict}")
        )  # fmt: skip
        figures.append(Figure(f"share API by {group} (live, ?live=1)", api_seconds(client, group, True),
                              f"GROUP BY {group}", floor))  # fmt: skip
    coverage_floor = floor_seconds("coverage")
    quarter_floor = floor_seconds("quarter")
    for name, url in OTHER_URLS.items():
        floor_name, floor = ("select accounts with a win", coverage_floor) if name == "coverage" else (
            "GROUP BY quarter", quarter_floor)  # fmt: skip
        seconds = api_seconds(client, "", live=False, url=url)
        verdict = "OK" if seconds < GOAL_SECONDS else "MISSED"
        figures.append(Figure(f"{name} API (snapshot)", seconds, floor_name, floor,
                              note=f"goal < {GOAL_SECONDS} s {verdict}"))  # fmt: skip
    figures.append(Figure("coverage API (live, ?live=1)", api_seconds(client, "", True, OTHER_URLS["coverage"]),
                          "select accounts with a win", coverage_floor))  # fmt: skip
    return figures
