"""Celery tasks of the accounts app: ids in, one service call."""

from celery import shared_task

from ecosystem.csvio import CsvFileError
from jobs.models import Job
from jobs.services import ProgressReporter, job_fail, job_start, job_succeed
from jobs.uploads import read_upload

from .importing import import_accounts


@shared_task(name="accounts.import_accounts")
def import_accounts_task(job_id: int) -> dict:
    """Import an uploaded account file. Bad rows fail the job with every error listed; nothing is written."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    job_start(job_id)
    try:
        data = read_upload(job.params["path"])
        report = import_accounts(
            data,
            good_rows_only=job.params.get("good_rows_only", False),
            user=job.created_by,
            report=ProgressReporter(job_id, every=1000),
        )
    except CsvFileError as error:
        job_fail(job_id, str(error))
        return {"error": str(error)}
    except Exception as error:
        job_fail(job_id, f"{type(error).__name__}: {error}")
        raise
    result = report.as_dict()
    if not report.written:
        Job.objects.filter(pk=job_id).update(result=result)
        job_fail(job_id, f"{len(report.errors)} problem(s) in the file; nothing was written.")
    else:
        job_succeed(
            job_id,
            result,
            message=f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged",
        )
    return result
