"""Celery tasks of the opportunities app: thin wrappers around services."""

from celery import shared_task

from jobs.services import job_create, run_job

from .expiry import registrations_expire


@shared_task(name="opportunities.expire_registrations", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def expire_registrations(job_id: int | None = None) -> dict:
    """Periodic (beat) and on demand. Creates its own job record when beat starts it."""
    if job_id is None:
        job_id = job_create(kind="expire_registrations").pk
    return run_job(job_id, lambda report: registrations_expire(report=report))
