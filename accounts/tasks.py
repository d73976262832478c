"""Celery tasks of the accounts app: a job id in, one service call."""

from celery import shared_task

from jobs.imports import run_import_job

from .assigning import import_assignments
from .importing import import_accounts


@shared_task(name="accounts.import_accounts")
def import_accounts_task(job_id: int) -> dict:
    return run_import_job(job_id, import_accounts)


@shared_task(name="accounts.import_assignments")
def import_assignments_task(job_id: int) -> dict:
    return run_import_job(job_id, import_assignments)
