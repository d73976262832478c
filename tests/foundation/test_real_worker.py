"""Jobs really go through the broker to a real Celery worker process (CI: PostgreSQL + Redis).

A ``celery -A ecosystem worker --pool=solo --concurrency=1`` subprocess runs with this test
process's environment, except that ``DATABASE_URL`` names the test database (and
``MEDIA_ROOT`` the test's upload folder). Jobs are enqueued through the project's own
services and the test polls their rows until the worker has finished them.

Skipped, with the reason, unless ``CELERY_BROKER_URL`` is a Redis URL and the database is
PostgreSQL; tests/conftest.py turns such a skip into a failure when CI sets the broker.
"""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from accounts.importing import ACCOUNT_COLUMNS
from accounts.models import Account
from accounts.tasks import import_accounts_task
from commissions.models import RunStatus, SettlementRun
from commissions.settlement import settlement_request
from ecosystem.celery import app as celery_app
from jobs.imports import start_import_job
from jobs.models import Job, JobState

from ..factories import RuleFactory, next_siren, won

ROOT = Path(settings.BASE_DIR)
START_TIMEOUT = 60
JOB_TIMEOUT = 60


def why_no_real_worker() -> str | None:
    broker = str(getattr(settings, "CELERY_BROKER_URL", "") or "")
    if not broker.startswith(("redis://", "rediss://")):
        return f"needs CELERY_BROKER_URL=redis://… (it is {broker!r}: tasks run in-process here)"
    if connection.vendor != "postgresql":
        return (
            f"needs PostgreSQL in DATABASE_URL (it is {connection.vendor}): "
            "a worker process cannot reach this test database"
        )
    return None


real_worker = pytest.mark.skipif(why_no_real_worker() is not None, reason=why_no_real_worker() or "")


def worker_database_url() -> str:
    """DATABASE_URL naming the database this test runs on (``test_…``), for the worker process."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{host}{port}/{quote(db['NAME'], safe='')}"


class Worker:
    def __init__(self, process, stdout: Path, stderr: Path):
        self.process, self.stdout, self.stderr = process, stdout, stderr

    def log(self) -> str:
        return "".join(p.read_text(errors="replace") for p in (self.stdout, self.stderr) if p.exists())

    def describe(self) -> str:
        err = self.stderr.read_text(errors="replace") if self.stderr.exists() else ""
        out = self.stdout.read_text(errors="replace") if self.stdout.exists() else ""
        return f"--- worker stderr ---\n{err[-6000:]}\n--- worker stdout ---\n{out[-2000:]}"


@contextmanager
def celery_worker(tmp_path: Path, *, env: dict | None = None, timeout: float = START_TIMEOUT):
    """Start a real worker and wait until it is ready; terminate it on exit. A worker that cannot
    start fails the test with its stderr."""
    environment = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "ecosystem.settings.base"),
        **(env or {}),
    }
    celery = Path(sys.executable).with_name("celery")
    command = [str(celery)] if celery.exists() else [sys.executable, "-m", "celery"]
    command += [
        "-A", "ecosystem", "worker", "--pool=solo", "--concurrency=1", "--loglevel=INFO",
        "--without-gossip", "--without-mingle", "-n", f"foundation-{os.getpid()}-{time.monotonic_ns()}@%h",
    ]  # fmt: skip
    stdout, stderr = tmp_path / "worker.out", tmp_path / "worker.err"
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=out, stderr=err)
    worker = Worker(process, stdout, stderr)
    try:
        deadline = time.monotonic() + timeout
        while " ready." not in worker.log():
            if process.poll() is not None:
                pytest.fail(
                    f"the Celery worker exited with code {process.returncode} before it was ready.\n"
                    f"command: {' '.join(command)}\n{worker.describe()}",
                    pytrace=False,
                )
            if time.monotonic() > deadline:
                message = f"the Celery worker was not ready after {timeout:.0f} s.\n{worker.describe()}"
                pytest.fail(message, pytrace=False)
            time.sleep(0.1)
        yield worker
    finally:
        if process.poll() is None:
            process.terminate()  # warm shutdown: the current task finishes, nothing is lost
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def poll(read, *, done, failed, what: str, worker: Worker, timeout: float = JOB_TIMEOUT):
    """Re-read a row until ``done(row)``; fail with the row and the worker's log on ``failed(row)`` or timeout."""
    deadline = time.monotonic() + timeout
    while True:
        row = read()
        if done(row):
            return row
        if failed(row):
            pytest.fail(f"{what} failed: {row!r}\n{worker.describe()}", pytrace=False)
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not finished after {timeout:.0f} s: {row!r}\n{worker.describe()}", pytrace=False)
        if worker.process.poll() is not None:
            pytest.fail(f"the worker died while running {what}\n{worker.describe()}", pytrace=False)
        time.sleep(0.2)


def assert_not_eager():
    assert settings.CELERY_TASK_ALWAYS_EAGER is False, "CELERY_TASK_ALWAYS_EAGER is on: tasks would run in-process"
    assert celery_app.conf.task_always_eager is False, "the Celery app runs tasks eagerly in this test"


def accounts_csv(count: int) -> bytes:
    lines = [",".join(ACCOUNT_COLUMNS)]
    lines += [f"{next_siren()},Worker Client {i},industry,ile_de_france,Paris,100,true,low" for i in range(count)]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.worker
@real_worker
@pytest.mark.django_db(transaction=True)
def test_an_account_import_job_runs_on_a_real_worker(channel_user, tmp_path):
    assert_not_eager()
    celery_app.control.purge()  # messages left by an earlier run would be served first
    with celery_worker(tmp_path) as worker:
        job = start_import_job(
            kind="import_accounts",
            uploaded=SimpleUploadedFile("accounts.csv", accounts_csv(3), content_type="text/csv"),
            columns=ACCOUNT_COLUMNS,
            task=import_accounts_task,
            user=channel_user,
            good_rows_only=False,
        )
        job = poll(
            lambda: Job.objects.get(pk=job.pk),
            done=lambda j: j.state == JobState.SUCCEEDED,
            failed=lambda j: j.state == JobState.FAILED,
            what=f"import job #{job.pk}",
            worker=worker,
        )
        assert "Task accounts.import_accounts[" in worker.log() and "succeeded" in worker.log(), worker.describe()
    assert job.result["created"] == 3, job.result
    assert job.progress == job.total and job.started_at and job.finished_at
    assert Account.objects.filter(name__startswith="Worker Client").count() == 3


@pytest.mark.worker
@real_worker
@pytest.mark.django_db(transaction=True)
def test_a_settlement_runs_on_a_real_worker(channel_user, partner_a, partner_b, tmp_path):
    assert_not_eager()
    RuleFactory(name="Ten percent", rate=Decimal("0.10"))
    won(partner_a, "1000.00", date(2026, 8, 3))
    won(partner_b, "2500.00", date(2026, 9, 14))
    celery_app.control.purge()
    with celery_worker(tmp_path) as worker:
        run = settlement_request(period="2026-Q3", user=channel_user)
        run = poll(
            lambda: SettlementRun.objects.select_related("job").get(pk=run.pk),
            done=lambda r: r.status == RunStatus.COMPUTED and r.job.state == JobState.SUCCEEDED,
            failed=lambda r: r.status == RunStatus.FAILED or r.job.state == JobState.FAILED,
            what="the 2026-Q3 settlement",
            worker=worker,
        )
        log = worker.log()
    for task in ("commissions.settle_run", "commissions.compute_chunk", "commissions.finish_run"):
        assert f"Task {task}[" in log, f"{task} did not run on the worker\n{worker.describe()}"
    assert run.total == Decimal("350.00") and run.line_count == 2
    assert run.statements.count() == 2


def test_a_worker_that_cannot_start_fails_with_its_stderr(tmp_path, settings):
    """The helper's failure says why: the worker's own stderr (here: a settings module that does not exist)."""
    settings.MEDIA_ROOT = str(tmp_path)
    with (
        pytest.raises(pytest.fail.Exception) as failure,
        celery_worker(tmp_path, env={"DJANGO_SETTINGS_MODULE": "ecosystem.settings.no_such_module"}, timeout=60),
    ):
        pass  # pragma: no cover - the worker never becomes ready
    message = str(failure.value)
    assert "exited with code" in message
    assert "worker stderr" in message and "no_such_module" in message, message
