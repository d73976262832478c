"""The life of a background job: created, enqueued after commit, started, progressing, finished.

State changes are single-row UPDATEs in autocommit, so progress is visible to the API
while the job runs, and a job killed halfway keeps the last state it wrote.
"""

from collections.abc import Callable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Job, JobState


def job_create(*, kind: str, user=None, params: dict | None = None, total: int = 0) -> Job:
    return Job.objects.create(kind=kind, created_by=user, params=params or {}, total=total)


def job_enqueue(task, job: Job, *args) -> None:
    """Send ``task(job.pk, *args)`` to the workers once the current transaction commits."""
    transaction.on_commit(lambda: task.delay(job.pk, *args))


def job_start(job_id: int, total: int | None = None) -> None:
    changes = {"state": JobState.RUNNING, "started_at": timezone.now(), "attempts": F("attempts") + 1, "error": ""}
    if total is not None:
        changes["total"] = total
    Job.objects.filter(pk=job_id).update(**changes)


def job_progress(job_id: int, done: int, total: int | None = None, message: str = "") -> None:
    changes = {"progress": done, "message": message[:500]}
    if total is not None:
        changes["total"] = total
        changes["progress"] = min(done, total) if total else done
    Job.objects.filter(pk=job_id).update(**changes)


def job_succeed(job_id: int, result: dict | None = None, message: str = "") -> None:
    job = Job.objects.only("total").get(pk=job_id)
    Job.objects.filter(pk=job_id).update(
        state=JobState.SUCCEEDED,
        result=result or {},
        progress=job.total,
        message=message[:500],
        finished_at=timezone.now(),
    )


def job_fail(job_id: int, error: str) -> None:
    Job.objects.filter(pk=job_id).update(state=JobState.FAILED, error=error[:10000], finished_at=timezone.now())


class ProgressReporter:
    """Handed to a job's work: ``report(done, total)``, throttled to every ``every`` items."""

    def __init__(self, job_id: int, every: int = 500):
        self.job_id = job_id
        self.every = every
        self._last = -1

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        if done == total or self._last < 0 or done - self._last >= self.every or message:
            job_progress(self.job_id, done, total, message)
            self._last = done


def run_job(job_id: int, work: Callable[[ProgressReporter], dict | None]) -> dict:
    """Run ``work`` as job ``job_id``: mark it running, then succeeded with its result, or failed."""
    job_start(job_id)
    try:
        result = work(ProgressReporter(job_id)) or {}
    except Exception as error:
        job_fail(job_id, f"{type(error).__name__}: {error}")
        raise
    job_succeed(job_id, result)
    return result
