"""The page that uploads a CSV and starts its import job (accounts, assignments, quotas, bookings)."""

from django.shortcuts import redirect
from django.views.generic import FormView

from ecosystem.csvio import CsvFileError
from ecosystem.roles import CHANNEL_ONLY
from ecosystem.web import RoleRequiredMixin

from .imports import start_import_job


class CsvImportView(RoleRequiredMixin, FormView):
    """Checks the file as a whole (a bad file is named on the form, nothing is written), then starts
    ``task`` as a job of ``kind`` and follows it on the job's progress page. Subclasses set the form,
    the template, ``kind``, ``columns`` (and ``optional_columns``) and ``task``."""

    allowed_roles = CHANNEL_ONLY
    kind: str
    columns: list[str]
    optional_columns: tuple[str, ...] | list[str] = ()
    task = None

    def form_valid(self, form):
        try:
            job = start_import_job(
                kind=self.kind,
                uploaded=form.cleaned_data["file"],
                columns=self.columns,
                optional_columns=self.optional_columns,
                task=self.task,
                good_rows_only=form.cleaned_data["good_rows_only"],
                user=self.request.user,
            )
        except CsvFileError as error:
            form.add_error("file", str(error))
            return self.form_invalid(form)
        return redirect("job-detail", pk=job.pk)
