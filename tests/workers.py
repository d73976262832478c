"""A real Celery worker in a subprocess, against the test database and the CI broker.

Used by the tests marked ``worker``: they run when ``CELERY_BROKER_URL`` is set and the
database is PostgreSQL (CI), and are skipped otherwise.
"""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / "test-artifacts" / "workers"

needs_real_worker = pytest.mark.skipif(
    not str(settings.CELERY_BROKER_URL or "").startswith("redis") or connection.vendor != "postgresql",
    reason="needs CELERY_BROKER_URL (Redis) and PostgreSQL, as in CI",
)


def test_database_url() -> str:
    db = connection.settings_dict
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def purge_queue() -> None:
    from ecosystem.celery import app

    app.control.purge()


class Worker:
    def __init__(self, process: subprocess.Popen, log: Path):
        self.process = process
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and any child): no cleanup, no ack."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@contextmanager
def celery_worker(name: str, *, env: dict | None = None, broker_url: str | None = None, timeout: float = 60):
    """Start ``celery worker --pool=solo`` and wait until it is ready; stop it on exit."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{name}-{int(time.time() * 1000)}.log"
    environment = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": broker_url or settings.CELERY_BROKER_URL,
        "DJANGO_SETTINGS_MODULE": "ecosystem.settings.base",
        **(env or {}),
    }
    environment.pop("CELERY_RESULT_BACKEND", None)
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "ecosystem",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{name}@%h",
            ],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = Worker(process, log)
    deadline = time.monotonic() + timeout
    while "ready." not in worker.output():
        if process.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            pytest.fail(f"the Celery worker did not start:\n{worker.output()[-4000:]}")
        time.sleep(0.1)
    try:
        yield worker
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.05, what: str = "condition", worker=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    detail = f"\nworker log:\n{worker.output()[-4000:]}" if worker else ""
    pytest.fail(f"timed out waiting for {what}{detail}")
