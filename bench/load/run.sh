#!/usr/bin/env bash
# Bounded load test on 127.0.0.1: gunicorn serving the project against DATABASE_URL (a seeded
# PostgreSQL), 200 partner reps from locust, report in var/load/. Usage: make load [USERS=200 TIME=60s]
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${DATABASE_URL:?set DATABASE_URL to a seeded PostgreSQL database (manage.py seed_demo)}"
USERS="${USERS:-200}"; TIME="${TIME:-60s}"; PORT="${PORT:-8001}"; WORKERS="${WORKERS:-5}"
mkdir -p var/load
.venv/bin/python bench/load/prepare.py "$USERS"
export DEBUG=false TOKEN_THROTTLE_RATE=1000000/min LOG_LEVEL=WARNING
.venv/bin/python manage.py collectstatic --no-input --verbosity 0
.venv/bin/gunicorn ecosystem.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" --threads 2 --keep-alive 10 \
  --log-level warning > var/load/gunicorn.log 2>&1 &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
.venv/bin/locust -f bench/load/locustfile.py --headless -u "$USERS" -r 20 -t "$TIME" \
  --host "http://127.0.0.1:$PORT" --csv var/load/result --only-summary 2>&1 | tee var/load/summary.txt
