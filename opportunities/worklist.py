"""The channel team's waiting work on deal registrations (see ``ecosystem.worklist``)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecosystem.roles import CHANNEL_ONLY, INTERNAL_ROLES
from ecosystem.worklist import Work, register, waiting_work

from .claims import overdue_claims
from .models import OPEN_STAGES, ExtensionStatus, Opportunity, QueuedBooking, RegistrationStatus

#: Pending registrations this close to expiring unreviewed are flagged.
EXPIRY_WARNING_DAYS = 7
#: Approved protections ending this soon are worth a look.
PROTECTION_WARNING_DAYS = 14


def registrations_to_review(user) -> Work:
    expires_soon = timezone.now() - timedelta(days=max(settings.REGISTRATION_REVIEW_DAYS - EXPIRY_WARNING_DAYS, 0))
    found = Opportunity.objects.filter(registration_status=RegistrationStatus.PENDING).aggregate(
        count=Count("id"),
        oldest=Min("created_at"),
        conflicts=Count("id", filter=Q(has_conflict=True)),
        expiring=Count("id", filter=Q(created_at__lte=expires_soon)),
    )
    notes = []
    if found["conflicts"]:
        notes.append(_("%(n)s in conflict") % {"n": found["conflicts"]})
    if found["expiring"]:
        notes.append(
            _("%(n)s expire unreviewed within %(days)s days") % {"n": found["expiring"], "days": EXPIRY_WARNING_DAYS}
        )
    return Work(
        key="registrations",
        label=_("Registrations to review"),
        count=found["count"],
        oldest=found["oldest"],
        url=reverse("registration-queue"),
        note=" · ".join(str(note) for note in notes),
    )


def extensions_to_decide(user) -> Work:
    found = Opportunity.objects.filter(extension_status=ExtensionStatus.REQUESTED).aggregate(
        count=Count("id"), oldest=Min("extension_requested_at")
    )
    return Work(
        key="extensions",
        label=_("Extension requests to decide"),
        count=found["count"],
        oldest=found["oldest"],
        url=reverse("registration-queue") + "#extensions",
    )


def protections_ending(user) -> Work:
    today = timezone.localdate()
    last = today + timedelta(days=PROTECTION_WARNING_DAYS)
    found = Opportunity.objects.filter(
        registration_status=RegistrationStatus.APPROVED,
        stage__in=OPEN_STAGES,
        protected_until__range=(today, last),
    ).aggregate(count=Count("id"), oldest=Min("protected_until"))
    query = f"?registration_status=approved&protected_from={today.isoformat()}&protected_to={last.isoformat()}"
    for stage in OPEN_STAGES:
        query += f"&stage={stage}"
    return Work(
        key="protections",
        label=_("Protections ending within %(days)s days") % {"days": PROTECTION_WARNING_DAYS},
        count=found["count"],
        oldest=found["oldest"],
        url=reverse("opportunity-list") + query,
        urgency="watch",
    )


def claims_overdue(user) -> Work:
    """Partner wins claimed longer ago than ``CLAIM_CONFIRMATION_DAYS`` and still unconfirmed (SPEC §4.2)."""
    return waiting_work(
        overdue_claims(), oldest="claimed_at",
        key="claims", label=_("Claimed wins waiting too long for confirmation"),
        url=reverse("claim-list") + "?overdue=1",
    )  # fmt: skip


def bookings_to_reconcile(user) -> Work:
    return waiting_work(
        QueuedBooking.objects.waiting(), oldest="created_at",
        key="bookings", label=_("Bookings to reconcile"), url=reverse("reconciliation-queue"),
    )  # fmt: skip


def register_work() -> None:
    register("registrations", roles=CHANNEL_ONLY, count=registrations_to_review, order=10)
    register("extensions", roles=CHANNEL_ONLY, count=extensions_to_decide, order=11)
    register("protections", roles=INTERNAL_ROLES, count=protections_ending, order=50)
    register("claims", roles=CHANNEL_ONLY, count=claims_overdue, order=20)
    register("bookings", roles=CHANNEL_ONLY, count=bookings_to_reconcile, order=21)
