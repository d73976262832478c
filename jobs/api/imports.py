"""The API side of a CSV import: the upload checked at once, its rows imported by a job (``jobs.imports``)."""

from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from ecosystem.csvio import CsvFileError

from ..imports import start_import_job
from .serializers import JobSerializer


def import_accepted(request, body_class, *, kind: str, columns: list[str], task, optional_columns=()) -> Response:
    """Read ``request``'s upload with ``body_class`` (``file``, ``good_rows_only``), check the file as a whole and
    start its job: 202 with the job to follow, or 400 naming the field (the file's problem said in words)."""
    body = body_class(data=request.data)
    body.is_valid(raise_exception=True)
    try:
        job = start_import_job(
            kind=kind,
            uploaded=body.validated_data["file"],
            columns=columns,
            optional_columns=optional_columns,
            task=task,
            good_rows_only=body.validated_data["good_rows_only"],
            user=request.user,
        )
    except CsvFileError as error:
        raise ValidationError({"file": [str(error)]}) from error
    job.refresh_from_db()
    return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
