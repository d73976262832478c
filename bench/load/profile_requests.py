"""Per-request cost of what the load test's partner reps ask for: wall time, SQL queries, SQL vs Python.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecosystem_load DEBUG=false \\
        .venv/bin/python bench/load/profile_requests.py [-n 30] [--users 10] [--only api-opps] [--profile api-opps]
        [--sql api-opps]

For each endpoint of ``bench/load/locustfile.py`` (the four API lists with a token, the three
pages with a session), requests go through Django's test ``Client`` as the ``load.rep.*`` users
that ``bench/load/prepare.py`` created (run it, or ``make load``, first), cycling over the first
``--users`` of them (several partners, as under load). It prints, per endpoint:

- ``median ms``: the median wall time of ``-n`` plain requests (no instrumentation);
- ``cpu ms``: the median CPU time of this (the web) process over the same requests, which
  a busy machine disturbs less than wall time (the database's own CPU is not in it);
- ``queries``: the SQL statements of one request (``CaptureQueriesContext``; the most frequent
  count over the instrumented runs);
- ``sql ms`` / ``python ms``: over a few instrumented requests, the median time spent in the
  database driver and the rest (wall minus SQL);
- ``db ms`` (PostgreSQL): the SELECTs of those requests run again under ``EXPLAIN ANALYZE``,
  planning plus execution time summed per request (median): the database's own work, warm,
  without connection set-up or waiting for a CPU.

As under gunicorn, each request ends with ``close_old_connections()`` (the test client leaves it
out), so with ``CONN_MAX_AGE=0`` every request pays for opening a database connection.

``--profile NAME`` prints the top of a ``cProfile`` of that endpoint (cumulative time);
``--sql NAME`` prints the SQL statements of one request. The machine is shared: compare medians
and query counts, never one timing. The users' own tokens are used; the page sessions are fresh
ones made here (as prepare.py makes them), so the load test's sessions in var/load/users.csv are
left untouched.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecosystem.settings.base")
os.environ.setdefault("DEBUG", "false")

ENDPOINTS = {
    "api-opps": ("/api/v1/opportunities/", "token"),
    "api-assign": ("/api/v1/assignments/", "token"),
    "api-stmts": ("/api/v1/statements/", "token"),
    "api-accounts": ("/api/v1/accounts/?is_select=true", "token"),
    "portal": ("/portal/", "session"),
    "accounts": ("/accounts/", "session"),
    "opps": ("/opportunities/", "session"),
}


def _clients(count: int):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from users.models import User

    users = list(User.objects.filter(username__startswith="load.rep.").order_by("username")[:count])
    if not users:
        sys.exit("No load.rep.* user: run bench/load/prepare.py against this database first.")
    tokens = dict(Token.objects.filter(user__in=users).values_list("user_id", "key"))
    clients = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        # As in the locustfile, the API calls carry the session cookie too (one browser-like client).
        token_client = Client(HTTP_AUTHORIZATION=f"Token {tokens[user.pk]}")
        token_client.cookies["sessionid"] = session.session_key
        session_client = Client()
        session_client.cookies["sessionid"] = session.session_key
        clients.append({"token": token_client, "session": session_client, "session_key": session.session_key})
    return clients


def _get(client, url):
    from django.db import close_old_connections

    response = client.get(url)
    if response.status_code != 200:
        sys.exit(f"{url}: HTTP {response.status_code} {getattr(response, 'url', '')}")
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    # What the end of a request does under gunicorn (the test client leaves it out): with
    # CONN_MAX_AGE=0 the connection is closed and the next request opens a new one.
    close_old_connections()
    return response


def _explained_ms(connection, queries) -> float:
    """Planning + execution time of the SELECTs, as PostgreSQL reports them (0 elsewhere)."""
    if connection.vendor != "postgresql":
        return 0.0
    total = 0.0
    with connection.cursor() as cursor:
        for query in queries:
            if query["sql"].lstrip().upper().startswith("SELECT"):
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"])
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                total += plan[0]["Planning Time"] + plan[0]["Execution Time"]
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=30, help="plain requests per endpoint (default 30)")
    parser.add_argument("--users", type=int, default=10, help="load.rep users to cycle over (default 10)")
    parser.add_argument("--instrumented", type=int, default=7, help="requests with query capture (default 7)")
    parser.add_argument("--only", action="append", choices=list(ENDPOINTS), help="endpoints to measure")
    parser.add_argument("--profile", choices=list(ENDPOINTS), help="print a cProfile of this endpoint")
    parser.add_argument("--sql", choices=list(ENDPOINTS), help="print the SQL of one request to this endpoint")
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clients = _clients(args.users)
    try:
        names = args.only or list(ENDPOINTS)
        heads = f"{'median ms':>9} {'cpu ms':>7} {'queries':>7} {'sql ms':>7} {'python ms':>9} {'db ms':>6}"
        print(f"{'endpoint':<14} {heads}")
        for name in names:
            url, kind = ENDPOINTS[name]
            for c in clients:  # warm up: imports, templates, the connection
                _get(c[kind], url)
            walls, cpus = [], []
            for i in range(args.n):
                client = clients[i % len(clients)][kind]
                start, start_cpu = time.perf_counter(), time.process_time()
                _get(client, url)
                walls.append(time.perf_counter() - start)
                cpus.append(time.process_time() - start_cpu)
            counts, sqls, pythons, dbs = Counter(), [], [], []
            for i in range(args.instrumented):
                client = clients[i % len(clients)][kind]
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    _get(client, url)
                    wall = time.perf_counter() - start
                sql = sum(float(q["time"]) for q in captured.captured_queries)
                counts[len(captured.captured_queries)] += 1
                sqls.append(sql)
                pythons.append(wall - sql)
                dbs.append(_explained_ms(connection, captured.captured_queries))
            print(
                f"{name:<14} {statistics.median(walls) * 1000:>9.1f} {statistics.median(cpus) * 1000:>7.1f} "
                f"{counts.most_common(1)[0][0]:>7} "
                f"{statistics.median(sqls) * 1000:>7.1f} {statistics.median(pythons) * 1000:>9.1f} "
                f"{statistics.median(dbs):>6.1f}",
                flush=True,
            )
        if args.sql:
            url, kind = ENDPOINTS[args.sql]
            with CaptureQueriesContext(connection) as captured:
                _get(clients[0][kind], url)
            print(f"\nSQL of {url}:")
            for q in captured.captured_queries:
                print(f"  [{float(q['time']) * 1000:6.1f} ms] {q['sql']}")
        if args.profile:
            url, kind = ENDPOINTS[args.profile]
            profiler = cProfile.Profile()
            profiler.enable()
            for i in range(10):
                _get(clients[i % len(clients)][kind], url)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(
                int(os.environ.get("PROFILE_LINES", "45"))
            )
            print(f"\ncProfile of 10 × {url}:\n{out.getvalue()}")
    finally:
        Session.objects.filter(session_key__in=[c["session_key"] for c in clients]).delete()


if __name__ == "__main__":
    main()
