"""Long-running background jobs (imports, settlements, snapshots) and their progress."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ecosystem.roles import INTERNAL_ROLES, role_of
from ecosystem.scoping import ScopedQuerySet

from .labels import kind_label, note_label


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class JobQuerySet(ScopedQuerySet):
    def for_user(self, user):
        # Internal users see every job; anyone else only the jobs they started.
        if role_of(user) in INTERNAL_ROLES:
            return self.all()
        if role_of(user):
            return self.filter(created_by=user)
        return self.none()


class Job(models.Model):
    """One background job: what it is, where it stands, what it produced."""

    kind = models.CharField(_("kind"), max_length=50)
    state = models.CharField(_("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="job_progress_within_total", condition=Q(total=0) | Q(progress__lte=F("total"))
            ),
            models.CheckConstraint(name="job_state_valid", condition=Q(state__in=JobState.values)),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.state == JobState.SUCCEEDED else 0
        return min(100, round(100 * self.progress / self.total))

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def message_label(self) -> str:
        return note_label(self.message)

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.SUCCEEDED, JobState.FAILED)
