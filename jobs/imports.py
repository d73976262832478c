"""CSV imports as background jobs: the file checked at once, its rows imported by a worker.

An importer is ``importer(data, *, good_rows_only, user, report) -> result`` where the
result has ``written``, ``errors`` and ``as_dict()``. A file with bad rows fails the
job with every problem listed in its result, and nothing is written.
"""

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from ecosystem.csvio import CsvFileError, read_table
from ecosystem.mail import language_of

from .models import Job
from .services import ProgressReporter, job_create, job_enqueue, job_fail, job_start, job_succeed
from .uploads import read_limited, read_upload, store_upload


def start_import_job(
    *, kind: str, uploaded, columns: list[str], task, user, good_rows_only: bool, optional_columns=()
) -> Job:
    """Check the file as a whole now (raises CsvFileError for a 400), then enqueue ``task`` after commit."""
    data = read_limited(uploaded, settings.IMPORT_MAX_BYTES)
    if data is None:
        raise CsvFileError(_("The file is larger than %(limit).0f MB.") % {"limit": settings.IMPORT_MAX_BYTES / 1e6})
    table = read_table(data, columns, max_bytes=settings.IMPORT_MAX_BYTES, optional_columns=optional_columns)
    path = store_upload(uploaded)
    with transaction.atomic():
        job = job_create(
            kind=kind,
            user=user,
            params={"path": path, "good_rows_only": good_rows_only, "filename": uploaded.name},
            total=len(table.rows) * 2,
        )
        job_enqueue(task, job)
    return job


def run_import_job(job_id: int, importer) -> dict:
    """Run the import in the uploader's language (``User.language``, else the site's): the bad rows and
    the job's message are stored in the words the uploader reads."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    with translation.override(language_of(job.created_by)):
        return _run_import(job, importer)


def _run_import(job: Job, importer) -> dict:
    job_id = job.pk
    job_start(job_id)
    try:
        result = importer(
            read_upload(job.params["path"]),
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
    summary = result.as_dict()
    if not result.written:
        Job.objects.filter(pk=job_id).update(result=summary)
        job_fail(
            job_id,
            _("%(count)s problem(s) in the file; nothing was written.") % {"count": len(result.errors)},
        )
    else:
        counts = ", ".join(
            f"{value} {name}" for name, value in summary.items() if isinstance(value, int) and name != "error_count"
        )
        job_succeed(job_id, summary, message=counts)
    return summary
