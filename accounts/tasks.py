"""Celery tasks of the accounts app: a job id in, one service call."""

from celery import shared_task

from jobs.imports import run_import_job
from jobs.models import Job
from jobs.services import run_job

from .assigning import import_assignments
from .importing import import_accounts
from .proposing import proposal_compute, proposal_fail


@shared_task(name="accounts.import_accounts")
def import_accounts_task(job_id: int) -> dict:
    return run_import_job(job_id, import_accounts)


@shared_task(name="accounts.import_assignments")
def import_assignments_task(job_id: int) -> dict:
    return run_import_job(job_id, import_assignments)


@shared_task(name="accounts.compute_proposal")
def compute_proposal_task(job_id: int) -> dict:
    job = Job.objects.get(pk=job_id)
    proposal_id = job.params["proposal"]
    try:
        return run_job(job_id, lambda report: proposal_compute(proposal_id, report))
    except Exception:
        proposal_fail(proposal_id)
        raise
