"""The life of a background job: created, enqueued after commit, started, progressing, finished.

State changes are single-row UPDATEs in autocommit, so progress is visible to the API
while the job runs, and a job killed halfway keeps the last state it wrote.
"""

import logging
from collections.abc import Callable

from celery import current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Job, JobState

logger = logging.getLogger(__name__)
#: A few quick retries when publishing, then the job is marked failed instead of hanging the request.
BROKER_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 1.0}


def job_create(*, kind: str, user=None, params: dict | None = None, total: int = 0) -> Job:
    return Job.objects.create(kind=kind, created_by=user, params=params or {}, total=total)


def send_after_commit(task, args: tuple, *, job_id: int | None, on_unreachable: Callable[[str], None] | None = None):
    """Send ``task(*args)`` once the current transaction commits — never before, never if it rolls back.

    ``task`` is a Celery task or its registered name (``"commissions.settle_run"``): a service
    enqueues its task by name, so the task module may import the service without a circle.

    If the broker cannot be reached, the job is marked failed with a message saying so (and
    ``on_unreachable`` lets the caller mark its own rows), so nothing waits forever unseen; asking
    again once the broker is back runs it.
    """

    def send():
        nonlocal task
        if isinstance(task, str):
            task = registered_task(task)
        if task.app.conf.task_always_eager:
            run_in_process()
            return
        try:
            task.apply_async(args=args, retry=True, retry_policy=BROKER_RETRY_POLICY)
        except Exception as error:  # kombu OperationalError, redis ConnectionError…
            reason = f"The job queue is unreachable ({type(error).__name__}: {error}). Try again once it is back."
            logger.error("Could not enqueue %s%s: %s", task.name, args, error)
            if job_id is not None:
                job_fail(job_id, reason)
            if on_unreachable is not None:
                on_unreachable(reason)

    def run_in_process():
        """No broker (the zero-setup default): the task runs here, and its own error is the job's."""
        try:
            task.apply_async(args=args)
        except Exception as error:
            logger.exception("Job %s%s failed in-process", task.name, args)
            if job_id is not None:
                Job.objects.filter(pk=job_id).exclude(state=JobState.FAILED).update(
                    state=JobState.FAILED, error=f"{type(error).__name__}: {error}"[:10000], finished_at=timezone.now()
                )

    transaction.on_commit(send)


def registered_task(name: str):
    """The Celery task registered under ``name``, every app's ``tasks`` module imported first."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()  # runs the app's autodiscovery of tasks modules
    return current_app.tasks[name]


def job_enqueue(task, job: Job, *args) -> None:
    """Send ``task(job.pk, *args)`` (a task or its name) to the workers once the current transaction commits."""
    send_after_commit(task, (job.pk, *args), job_id=job.pk)


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
