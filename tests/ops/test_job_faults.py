"""Job faults with a real worker and Redis (issue 7 §5):

(a) a worker SIGKILLed in the middle of a settlement leaves no half run; re-running gives exactly the lines;
(b) the broker down: a request fails visibly; a job queued before Redis stops runs once it returns;
(c) two settlements of one period at once: one claim only;
(d) every task is sent only after its transaction commits (and never when it rolls back).
"""

import re
import shutil
import subprocess
import threading
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import translation

from accounts.models import Account
from commissions import settlement
from commissions.models import PayoutLine, RunStatus, SettlementChunk, SettlementRun, Statement
from jobs.models import Job
from opportunities.models import Opportunity
from tests.factories import PartnerFactory, RuleFactory
from tests.workers import celery_worker, needs_real_worker, purge_queue, wait_for

ROOT = Path(__file__).resolve().parents[2]
RATE = Decimal("0.05")


def make_deals(partners: int, per_partner: int) -> dict[int, Decimal]:
    """Won Q3 2026 deals, bulk-created; returns the expected payout per deal (5 %, half-up per line)."""
    people = [PartnerFactory() for _ in range(partners)]
    accounts = Account.objects.bulk_create(
        Account(name=f"Acct {i}", siren=f"{100000000 + i}"[:9], sector="industry", region="bretagne", is_select=True)
        for i in range(partners)
    )
    deals = []
    for p_index, partner in enumerate(people):
        for d in range(per_partner):
            deals.append(
                Opportunity(
                    account=accounts[p_index],
                    partner=partner,
                    route="partner_sourced",
                    product_line="ai",
                    amount=Decimal("1000.10") + Decimal(p_index * per_partner + d) + Decimal("0.01") * d,
                    stage="won",
                    closed_on=date(2026, 7, 1 + d % 28),
                    registration_status="approved",
                )
            )
    Opportunity.objects.bulk_create(deals, batch_size=1000)
    RuleFactory(rate=RATE)
    return {
        o.pk: (o.amount * RATE).quantize(Decimal("0.01"), ROUND_HALF_UP)
        for o in Opportunity.objects.filter(stage="won")
    }


def assert_exact_lines(run: SettlementRun, expected: dict[int, Decimal]) -> None:
    run.refresh_from_db()
    assert run.status == RunStatus.COMPUTED, run.failure_reason
    lines = PayoutLine.objects.filter(run=run, attempt=run.committed_attempt)
    per_deal = dict(lines.values_list("opportunity_id").annotate(n=Count("id")).values_list("opportunity_id", "n"))
    assert set(per_deal) == set(expected), "every deal paid, no other"
    assert set(per_deal.values()) == {1}, "no deal paid twice"
    assert dict(lines.values_list("opportunity_id", "payout")) == expected
    assert run.total == sum(expected.values())
    for statement in Statement.objects.filter(run=run):
        assert statement.total == lines.filter(partner_id=statement.partner_id).aggregate(s=Sum("payout"))["s"]


@pytest.mark.worker
@needs_real_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_halfway_leaves_no_half_run_and_a_rerun_is_exact(channel_user, settings):
    expected = make_deals(partners=40, per_partner=8)
    purge_queue()
    with celery_worker("doomed", env={"SETTLEMENT_CHUNK_DEALS": "8"}) as worker:
        run = settlement.settlement_request(period="2026-Q3", user=channel_user)
        wait_for(
            lambda: SettlementChunk.objects.filter(run=run).count() >= 3,
            timeout=60,
            interval=0.01,
            what="three chunks done",
            worker=worker,
        )
        worker.kill()
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING, "killed mid-way: still marked running until it goes stale"
    assert run.chunks_total == 40 and SettlementChunk.objects.filter(run=run).count() < 40
    assert run.committed_attempt is None
    assert not PayoutLine.objects.filter(run=run, attempt=run.committed_attempt).exists()
    assert not Statement.objects.current().filter(run=run).exists(), "nothing half-written is visible"

    # A fresh request is refused while the run looks alive, then taken over once it is stale.
    with translation.override("en"), pytest.raises(Exception, match="being computed"):
        settlement.settlement_request(period="2026-Q3", user=channel_user)
    settings.SETTLEMENT_STALE_SECONDS = 0
    purge_queue()
    with celery_worker("rescuer", env={"SETTLEMENT_CHUNK_DEALS": "8"}) as worker:
        run = settlement.settlement_request(period="2026-Q3", user=channel_user)
        wait_for(lambda: SettlementRun.objects.get(pk=run.pk).status in ("computed", "failed"), worker=worker)
    assert_exact_lines(run, expected)
    run.refresh_from_db()
    assert run.attempt == 2
    assert Job.objects.get(pk=run.job_id).state == "succeeded"


@pytest.mark.worker
@needs_real_worker
@pytest.mark.django_db(transaction=True)
def test_two_claims_of_one_period_at_once_give_one_computation(channel_user):
    make_deals(partners=4, per_partner=2)
    run = SettlementRun.objects.create(period="2026-Q3", period_start=date(2026, 7, 1), period_end=date(2026, 9, 30))
    barrier = threading.Barrier(2)
    plans = []

    def claim():
        barrier.wait()
        try:
            plans.append(settlement.settlement_begin(run.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(plan is None for plan in plans) == [False, True]


@pytest.mark.worker
@needs_real_worker
@pytest.mark.django_db(transaction=True)
def test_two_requests_of_one_period_on_a_real_worker_compute_once(channel_user):
    expected = make_deals(partners=10, per_partner=3)
    purge_queue()
    with celery_worker("pair", env={"SETTLEMENT_CHUNK_DEALS": "3"}) as worker:
        run = settlement.settlement_request(period="2026-Q3", user=channel_user)
        try:
            with translation.override("en"):
                settlement.settlement_request(period="2026-Q3", user=channel_user)
        except Exception as error:  # refused: it is being computed
            assert "being computed" in str(error)
        wait_for(lambda: SettlementRun.objects.get(pk=run.pk).status in ("computed", "failed"), worker=worker)
        wait_for(lambda: not _queue_length(), what="the queue to drain", worker=worker)
    assert_exact_lines(run, expected)


def _queue_length() -> int:
    from ecosystem.celery import app

    with app.connection_for_write() as conn:
        return conn.default_channel.client.llen("celery")


@pytest.fixture
def private_redis(tmp_path):
    """A Redis of this test's own (port 6399, append-only file), so stopping it touches nobody else."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    port = 6399

    def start():
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--daemonize",
                "yes",
                "--appendonly",
                "yes",
                "--save",
                "",
                "--dir",
                str(tmp_path),
                "--logfile",
                str(tmp_path / "redis.log"),
            ],
            check=True,
        )
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout.strip() == b"PONG":
                return
            threading.Event().wait(0.05)
        pytest.fail("private redis did not start")

    def stop():
        subprocess.run(["redis-cli", "-p", str(port), "shutdown"], capture_output=True)
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).returncode != 0:
                return
            threading.Event().wait(0.05)

    stop()
    yield {"url": f"redis://127.0.0.1:{port}/0", "start": start, "stop": stop}
    stop()


@pytest.fixture
def broker_at():
    """Point this process's Celery producer at another broker for the test."""
    from ecosystem.celery import app

    def switch(url):
        # broker_write_url wins over broker_url (which the CELERY_BROKER_URL variable pins).
        app.conf.broker_write_url = url
        app._pool = None
        app.amqp._producer_pool = None

    yield switch
    switch(None)


@pytest.mark.worker
@needs_real_worker
@pytest.mark.django_db(transaction=True)
def test_broker_down_fails_visibly_then_a_queued_job_survives_a_redis_restart(channel_user, private_redis, broker_at):
    expected = make_deals(partners=3, per_partner=2)
    broker_at(private_redis["url"])  # nothing listens there yet: Redis is down

    run = settlement.settlement_request(period="2026-Q3", user=channel_user)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "unreachable" in run.failure_reason
    job = Job.objects.get(pk=run.job_id)
    assert job.state == "failed" and "unreachable" in job.error

    # Redis up, no worker yet: the request is queued in Redis; Redis restarts (append-only file) …
    private_redis["start"]()
    broker_at(private_redis["url"])
    run = settlement.settlement_request(period="2026-Q3", user=channel_user)
    private_redis["stop"]()
    private_redis["start"]()
    # … and a worker started afterwards still finds the job and runs it.
    with celery_worker("after-restart", broker_url=private_redis["url"]) as worker:
        wait_for(lambda: SettlementRun.objects.get(pk=run.pk).status in ("computed", "failed"), worker=worker)
    assert_exact_lines(run, expected)


# --- (d) after commit ---------------------------------------------------------------------------

SENDS = re.compile(r"\.(delay|apply_async)\(")


def test_every_task_send_in_the_code_goes_through_on_commit():
    """Static guard: ``.delay(``/``.apply_async(`` appear only in ``jobs.services.send_after_commit``."""
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        if any(part in {".venv", "tests", "bench", "migrations"} for part in path.parts):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if SENDS.search(line) and path.relative_to(ROOT).as_posix() != "jobs/services.py":
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "send tasks with jobs.services.send_after_commit:\n" + "\n".join(offenders)


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_before_commit_nor_after_a_rollback(channel_user, monkeypatch):
    from commissions.tasks import settle_run

    sent = []
    monkeypatch.setattr(settle_run, "apply_async", lambda *a, **k: sent.append(k.get("args")))
    make_deals(partners=1, per_partner=1)
    with pytest.raises(RuntimeError), transaction.atomic():
        settlement.settlement_request(period="2026-Q3", user=channel_user)
        raise RuntimeError("rolled back")
    assert sent == [] and not SettlementRun.objects.exists()
    with transaction.atomic():
        run = settlement.settlement_request(period="2026-Q3", user=channel_user)
        assert sent == [], "not before the commit"
    assert sent == [(run.pk,)]
