"""Timing helpers and the report table shared by the benchmark scenarios."""

import random
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from django.db import connection


@dataclass
class Figure:
    name: str
    seconds: float
    floor_name: str
    floor_seconds: float
    goal_ratio: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor_seconds if self.floor_seconds else float("inf")

    def line(self) -> str:
        goal = ""
        if self.goal_ratio is not None:
            goal = f"  goal ≤ {self.goal_ratio:g}× {'OK' if self.ratio <= self.goal_ratio else 'MISSED'}"
        return (
            f"{self.name:<44} {self.seconds:8.3f} s   floor ({self.floor_name}) {self.floor_seconds:8.3f} s"
            f"   ratio {self.ratio:6.2f}×{goal}{('  ' + self.note) if self.note else ''}"
        )


@contextmanager
def timer():
    box = {}
    start = time.perf_counter()
    yield box
    box["seconds"] = time.perf_counter() - start


def best_of(runs: int, work) -> float:
    """The fastest of ``runs`` timings of ``work()`` (which prepares its own state)."""
    timings = []
    for _ in range(runs):
        timings.append(work())
    return min(timings)


def copy_floor(model, columns: list[str], payload: bytes | list[tuple], *, csv: bool = False) -> float:
    """Seconds to COPY the same rows into a fresh table shaped like ``model``'s (columns, indexes,
    constraints): the raw-SQL floor for a bulk write. ``payload`` is CSV bytes (parsed by the
    server) or tuples."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor")
        cursor.execute(f'CREATE TABLE bench_floor (LIKE "{table}" INCLUDING ALL)')
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
                cursor.execute(f"ALTER TABLE bench_floor ALTER COLUMN {field.column} SET DEFAULT now()")
        options = " WITH (FORMAT csv, HEADER true)" if csv else ""
        start = time.perf_counter()
        with cursor.copy(f"COPY bench_floor ({', '.join(columns)}) FROM STDIN{options}") as copy:
            if csv:
                copy.write(payload)
            else:
                for row in payload:
                    copy.write_row(row)
        seconds = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_floor")
    return seconds


TIERS = ["silver", "gold", "platinum"]
KINDS = ["integrator", "reseller", "distributor", "isv", "msp"]


def seed_partners_and_accounts(rng: random.Random, partners: int, accounts: int, created_at: str):
    """COPY ``partners`` partners and ``accounts`` accounts (40 % select) with valid SIRENs; their ids."""
    from accounts.models import Account
    from ecosystem.bulk import copy_insert
    from ecosystem.choices import Region, Sector
    from ecosystem.validators import siren_with_check_digit
    from partners.models import Partner

    prefixes = rng.sample(range(10_000_000, 99_999_999), partners + accounts)
    copy_insert(
        Partner,
        ["name", "siren", "kind", "tier", "regions", "specialisations", "status", "joined_on", "capacity"],
        [
            (f"P{i}", siren_with_check_digit(str(prefixes[i])), rng.choice(KINDS), rng.choice(TIERS), "[]", "[]",
             "active", date(2020, 1, 1), 50)
            for i in range(partners)
        ],
    )  # fmt: skip
    copy_insert(
        Account,
        ["name", "siren", "sector", "region", "city", "employees", "is_select", "vendor_awareness", "created_at",
         "updated_at"],
        [
            (f"A{i}", siren_with_check_digit(str(prefixes[partners + i])), rng.choice(Sector.values),
             rng.choice(Region.values), "Paris", 100, rng.random() < 0.4, "low", created_at, created_at)
            for i in range(accounts)
        ],
    )  # fmt: skip
    return list(Partner.objects.values_list("pk", flat=True)), list(Account.objects.values_list("pk", flat=True))
