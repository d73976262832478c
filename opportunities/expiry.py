"""Expiry of deal registrations whose time is up (SPEC §3).

- a **pending** registration the channel team has not decided within
  ``REGISTRATION_REVIEW_DAYS`` of its registration;
- an **approved** registration past ``protected_until`` whose deal is not won — unless
  the partner's extension request is still waiting for the channel team (for at most
  the review window, so an undecided request cannot hold a registration forever).

Set-based and chunked: each chunk is locked, updated in one statement and given its
history rows (who: nobody, the system; why: the rule) in one INSERT … SELECT and commits
on its own. Each partner gets one e-mail per run listing all its registrations expired by
either rule, sent once the chunks have committed (a chunk rolled back is not in it).
Running it twice expires nothing more.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ecosystem.bulk import insert_history

from .conflicts import refresh_conflict_flags
from .models import ExtensionStatus, Opportunity, RegistrationStatus, Stage
from .notifications import notify_partners

CHUNK = 500


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def expirable_pending(today: date):
    """Pending registrations made before the review window that opened ``REGISTRATION_REVIEW_DAYS`` ago."""
    cutoff = _start_of(today - timedelta(days=settings.REGISTRATION_REVIEW_DAYS))
    return Opportunity.objects.filter(registration_status=RegistrationStatus.PENDING, created_at__lt=cutoff)


def expirable_approved(today: date):
    """Approved registrations past their protection, not won, with no extension request still waiting."""
    request_cutoff = _start_of(today - timedelta(days=settings.REGISTRATION_REVIEW_DAYS))
    waiting = Q(extension_status=ExtensionStatus.REQUESTED, extension_requested_at__gte=request_cutoff)
    return (
        Opportunity.objects.filter(registration_status=RegistrationStatus.APPROVED, protected_until__lt=today)
        .exclude(stage=Stage.WON)
        .exclude(waiting)
    )


def expirable_registrations(today: date):
    return expirable_pending(today) | expirable_approved(today)


def _expire(queryset, *, reason: str, today: date, done: int, report, expired: list[int]) -> int:
    """Expire ``queryset`` chunk by chunk; the ids of each committed chunk are added to ``expired``."""
    while True:
        with transaction.atomic():
            ids = list(queryset.select_for_update().order_by("pk").values_list("pk", flat=True)[:CHUNK])
            if not ids:
                return done
            now = timezone.now()
            Opportunity.objects.filter(pk__in=ids).update(
                registration_status=RegistrationStatus.EXPIRED, updated_at=now
            )
            insert_history(Opportunity, key_field="id", keys=ids, history_type="~", user=None, reason=reason)
            pairs = set(Opportunity.objects.filter(pk__in=ids).values_list("account_id", "product_line"))
            refresh_conflict_flags(pairs, today)
        expired.extend(ids)
        done += len(ids)
        if report:
            report(done)


def registrations_expire(*, today: date | None = None, report=None) -> dict:
    """Expire every registration whose time is up as of ``today``; idempotent."""
    today = today or timezone.localdate()
    expired_ids: list[int] = []
    try:
        pending = _expire(
            expirable_pending(today),
            reason="expired: not reviewed in time",
            today=today,
            done=0,
            report=report,
            expired=expired_ids,
        )
        approved = _expire(
            expirable_approved(today),
            reason="expired: protection ended without a win",
            today=today,
            done=pending,
            report=report,
            expired=expired_ids,
        )
    finally:
        # One message per partner for the whole run, after commit; if a later chunk fails,
        # the partners still hear of the chunks that did commit.
        notify_partners("expired", expired_ids)
    expired = approved
    if report:
        report(expired, expired)
    return {"expired": expired, "pending": pending, "approved": approved - pending, "as_of": today.isoformat()}
