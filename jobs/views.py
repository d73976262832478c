from ecosystem.web import ScopedDetailView

from .models import Job


class JobDetailView(ScopedDetailView):
    """A job's progress page; it refreshes itself while the job runs."""

    model = Job
    template_name = "jobs/job_detail.html"
