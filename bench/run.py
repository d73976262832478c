"""``make bench``: run every benchmark on PostgreSQL and print each figure beside its raw-SQL floor.

Uses ``BENCH_DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432/ecosystem_bench), a
database of its own that it drops and recreates, so no real data is touched.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ecosystem_bench")
    if not url.startswith("postgres"):
        print("make bench needs PostgreSQL: set BENCH_DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    os.environ["DATABASE_URL"] = url
    os.environ.pop("CELERY_BROKER_URL", None)  # jobs run in-process: the figures time the work itself
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecosystem.settings.base")

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)

    from bench import accounts_bench, bookings_bench, insights_bench, payments_bench, search_bench, settlement_bench

    scenarios = [
        ("Accounts (issue 3)", accounts_bench.run),
        ("Settlement (issue 5)", settlement_bench.run),
        ("Insights (issue 6)", insights_bench.run),
        ("Payments (issue 15)", payments_bench.run),
        ("Search (issue 14)", search_bench.run),
        ("Bookings confirming claims (issue 13)", bookings_bench.run),
    ]
    only = set(sys.argv[1:])
    print(f"Benchmarks on {parsed.hostname}:{parsed.port or 5432}/{name} — best of 3 where repeated\n")
    for title, run in scenarios:
        if only and not any(word.lower() in title.lower() for word in only):
            continue
        print(f"== {title}")
        for figure in run():
            print("  " + figure.line())
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
