"""One audit event per thing worth knowing later: append-only."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecosystem.scoping import ScopedQuerySet

from .display import detail_items
from .kinds import label as kind_label


class AuditEventQuerySet(ScopedQuerySet):
    partner_lookup = None  # internal record: partner users never see it


class AuditEvent(models.Model):
    kind = models.CharField(_("kind"), max_length=64)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The actor's username at the time, or the username typed in a failed login.
    actor_repr = models.CharField(_("actor name"), max_length=150, blank=True)
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_repr = models.CharField(_("target"), max_length=255, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["at"], name="audit_event_at"),
            models.Index(fields=["kind", "at"], name="audit_event_kind_at"),
            models.Index(fields=["actor", "at"], name="audit_event_actor_at"),
            models.Index(fields=["partner", "at"], name="audit_event_partner_at"),
            models.Index(fields=["target_type", "target_id"], name="audit_event_target"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.actor_repr}".strip()

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def detail_items(self) -> list[tuple[str, str]]:
        """The detail in words, for pages: ``[(label, text), …]`` in the reader's language."""
        return detail_items(self.detail)

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)
