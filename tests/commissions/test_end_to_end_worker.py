"""The quarter end to end on a real Celery worker and Redis (CI): the page queues the settlement,
the job API reports its progress to the page, the worker computes it; then approval, a dispute,
and a late reversal clawed back next quarter."""

import os
from datetime import date
from decimal import Decimal as D

import pytest

from commissions.models import Dispute, LineKind, PayoutLine, RunStatus, SettlementRun, Statement
from opportunities.models import Stage
from tests.workers import celery_worker, needs_real_worker, purge_queue, wait_for

from ..factories import RuleFactory, UserFactory, won
from .helpers import approve_on_page, plain


def run_from_the_page(client, period: str, worker) -> SettlementRun:
    response = client.post("/commissions/settlements/run/", {"period": period})
    run = SettlementRun.objects.get(period=period)
    assert response.status_code == 302 and response["Location"] == f"/commissions/settlements/{run.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert f'data-api="/api/v1/jobs/{run.job_id}/"' in page or run.job.state == "succeeded"

    def finished():  # what static/js/job-progress.js polls
        job = client.get(f"/api/v1/jobs/{run.job_id}/").json()
        return job if job["state"] in ("succeeded", "failed") else None

    job = wait_for(finished, timeout=90, what=f"the {period} settlement job", worker=worker)
    assert job["state"] == "succeeded" and job["progress"] == job["total"], job
    run.refresh_from_db()
    assert run.status == RunStatus.COMPUTED, run.failure_reason
    return run


# Without CELERY_BROKER_URL in the environment the settings fall back to the in-process memory broker,
# which a worker process cannot share: skip then too.
@pytest.mark.worker
@needs_real_worker
@pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason="needs CELERY_BROKER_URL (Redis), as in CI")
@pytest.mark.django_db(transaction=True)
def test_a_quarter_end_to_end_on_a_real_worker(client, users, partner_a, partner_b):
    # Quarters that are over by the real calendar: the worker's own clock decides whether a run is
    # preliminary, and a preliminary run is never approved (SPEC §4.1).
    channel, admin = users["channel"], users["partner_admin"]
    RuleFactory(name="AI 10 %", rate=D("0.1"))
    deal = won(partner_a, "1000.00", date(2026, 5, 3))
    won(partner_a, "2000.00", date(2026, 6, 1))
    won(partner_b, "4000.00", date(2026, 4, 20))
    purge_queue()
    with celery_worker("commissions-e2e") as worker:
        client.force_login(channel)
        first = run_from_the_page(client, "2026-Q2", worker)
        assert first.total == D("700.00") and first.line_count == 3

        client.force_login(users["manager"])
        assert approve_on_page(client, first).status_code == 302

        client.force_login(admin)
        statement = Statement.objects.get(run=first, partner=partner_a)
        page = plain(client.get(f"/commissions/statements/{statement.pk}/").content.decode())
        assert "AI 10 %: 1,000.00 € × 10 % = 100.00 €" in page and "4,000.00" not in page  # in English
        line = PayoutLine.objects.get(run=first, opportunity=deal)
        client.post(f"/commissions/lines/{line.pk}/dispute/", {"comment": "Cancelled by the customer."})
        assert Dispute.objects.get().line == line

        deal.stage = Stage.LOST
        deal.save()
        client.force_login(channel)
        following = run_from_the_page(client, "2026-Q3", worker)
    assert following.total == D("-100.00")
    client.force_login(UserFactory(role="manager"))
    approve_on_page(client, following)
    clawback = PayoutLine.objects.get(run=following)
    assert clawback.kind == LineKind.ADJUSTMENT and clawback.corrects == line and clawback.partner == partner_a
    client.force_login(admin)
    following_statement = Statement.objects.get(run=following, partner=partner_a)
    assert (
        f"corrects line {line.pk} of Q2 2026"
        in plain(client.get(f"/commissions/statements/{following_statement.pk}/").content.decode())
    )
    first.refresh_from_db()
    assert first.total == D("700.00") and first.status == RunStatus.APPROVED
