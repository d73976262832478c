"""Issue 3: import the 14,500-row select-account file and bulk-assign 14,500 accounts."""

import random
import time
from datetime import date

from django.db import connection

from accounts.assigning import AssignmentRow, apply_assignments
from accounts.importing import import_accounts
from accounts.models import Account, Assignment
from ecosystem.choices import Region, Sector
from ecosystem.validators import siren_with_check_digit
from partners.models import Partner

from .harness import Figure, best_of, copy_floor

ROWS = 14_500


def account_rows(seed: int = 7) -> list[tuple]:
    rng = random.Random(seed)
    prefixes = rng.sample(range(10_000_000, 99_999_999), ROWS)
    return [
        (
            siren_with_check_digit(str(prefix)),
            f"Société {index:05d} {rng.choice(['SA', 'SAS', 'SARL'])}",
            rng.choice(Sector.values),
            rng.choice(Region.values),
            rng.choice(["Paris", "Lyon", "Lille", "Nantes"]),
            rng.randint(50, 50_000),
            True,
            rng.choice(["low", "medium", "high"]),
        )
        for index, prefix in enumerate(prefixes)
    ]


def as_csv(rows: list[tuple]) -> bytes:
    lines = ["siren,name,sector,region,city,employees,is_select,vendor_awareness"]
    lines += [",".join(str(v).lower() if isinstance(v, bool) else str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _clear():
    with connection.cursor() as cursor:
        for table in (
            "accounts_historicalassignment",
            "accounts_assignment",
            "accounts_historicalaccount",
            "opportunities_historicalopportunity",
            "opportunities_opportunity",
            "accounts_account",
        ):
            cursor.execute(f"TRUNCATE {table} CASCADE")


def run() -> list[Figure]:
    rows = account_rows()
    data = as_csv(rows)
    columns = ["siren", "name", "sector", "region", "city", "employees", "is_select", "vendor_awareness"]
    floor = best_of(3, lambda: copy_floor(Account, columns, data, csv=True))

    def do_import():
        _clear()
        start = time.perf_counter()
        result = import_accounts(data)
        seconds = time.perf_counter() - start
        assert result.created == ROWS, result.as_dict()
        return seconds

    import_seconds = best_of(3, do_import)

    partner = Partner.objects.first() or Partner.objects.create(
        name="Bench partner",
        siren=siren_with_check_digit("12345678"),
        kind="integrator",
        tier="gold",
        joined_on=date(2024, 1, 1),
    )
    account_ids = list(Account.objects.values_list("pk", flat=True))
    assign_rows = [AssignmentRow(pk, partner.pk, "primary", date(2026, 1, 1)) for pk in account_ids]
    assign_floor = best_of(
        3,
        lambda: copy_floor(
            Assignment,
            ["account_id", "partner_id", "role", "valid_from", "reason"],
            [(pk, partner.pk, "primary", date(2026, 1, 1), "") for pk in account_ids],
        ),
    )

    def do_assign():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE accounts_historicalassignment, accounts_assignment")
        start = time.perf_counter()
        result = apply_assignments(assign_rows)
        seconds = time.perf_counter() - start
        assert result.created == len(assign_rows)
        return seconds

    assign_seconds = best_of(3, do_assign)
    assert Assignment.objects.open().count() == ROWS
    return [
        Figure("import 14,500 accounts (check + upsert)", import_seconds, "COPY csv", floor, goal_ratio=10),
        Figure("bulk-assign 14,500 accounts", assign_seconds, "COPY rows", assign_floor),
    ]
