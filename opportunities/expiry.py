"""Expiry of deal registrations whose time is up (SPEC §3)."""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Opportunity, RegistrationStatus, Stage


def expirable_registrations(today: date):
    """Pending registrations older than the review window; approved ones past protection without a win."""
    review_cutoff = today - timedelta(days=settings.REGISTRATION_REVIEW_DAYS)
    pending = Opportunity.objects.filter(
        registration_status=RegistrationStatus.PENDING, created_at__date__lt=review_cutoff
    )
    approved = Opportunity.objects.filter(
        registration_status=RegistrationStatus.APPROVED, protected_until__lt=today
    ).exclude(stage=Stage.WON)
    return pending | approved


def registrations_expire(*, today: date | None = None, report=None) -> dict:
    """Expire in one statement; running it twice expires nothing more (idempotent)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        ids = list(expirable_registrations(today).values_list("pk", flat=True))
        expired = Opportunity.objects.filter(pk__in=ids).update(
            registration_status=RegistrationStatus.EXPIRED, updated_at=timezone.now()
        )
    if report:
        report(expired, expired)
    return {"expired": expired, "as_of": today.isoformat()}
