"""Celery tasks for settlements: thin; the work is in commissions/settlement.py.

``settle_run`` claims the run and fans its partner chunks out as a chord; each chunk task is
idempotent and retried on failure; the chord's body commits the attempt.
"""

from celery import chord, shared_task
from django.conf import settings

from jobs.imports import run_import_job

from . import settlement
from .quota_import import import_quotas


@shared_task(name="commissions.settle_run")
def settle_run(run_id: int) -> dict:
    plan = settlement.settlement_begin(run_id, chunk_deals=settings.SETTLEMENT_CHUNK_DEALS)
    if plan is None:
        return {"run": run_id, "skipped": "another computation holds this run"}
    header = [
        compute_chunk.si(plan.run_id, plan.attempt, index, partner_ids) for index, partner_ids in enumerate(plan.chunks)
    ]
    chord(header)(finish_run.si(plan.run_id, plan.attempt).on_error(fail_run.si(plan.run_id, plan.attempt)))
    return {"run": run_id, "attempt": plan.attempt, "chunks": len(header)}


@shared_task(
    name="commissions.compute_chunk",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=3,
)
def compute_chunk(run_id: int, attempt: int, index: int, partner_ids: list[int]) -> int:
    return settlement.settlement_compute_chunk(run_id, attempt, index, partner_ids)


@shared_task(name="commissions.finish_run")
def finish_run(run_id: int, attempt: int) -> dict:
    try:
        run = settlement.settlement_finish(run_id, attempt)
    except Exception as error:
        settlement.settlement_fail(run_id, attempt, f"{type(error).__name__}: {error}")
        raise
    return {"run": run_id, "status": getattr(run, "status", "superseded")}


@shared_task(name="commissions.fail_run")
def fail_run(run_id: int, attempt: int, *args) -> None:
    settlement.settlement_fail(run_id, attempt, "a chunk of the computation failed after its retries")


@shared_task(name="commissions.import_quotas")
def import_quotas_task(job_id: int) -> dict:
    return run_import_job(job_id, import_quotas)
