"""Timing helpers and the report table shared by the benchmark scenarios."""

import time
from contextlib import contextmanager
from dataclasses import dataclass

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
