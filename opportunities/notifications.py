"""E-mails to a partner's users when the channel team or the expiry job decides on its registrations.

One message per partner, event and language, listing that partner's registrations only, sent to its
active users once the transaction that made the decision has committed (a rolled-back
decision sends nothing). A failing mail server never undoes a decision: the error is logged.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ecosystem.mail import addresses_by_language

logger = logging.getLogger(__name__)

FETCH_BATCH = 5000
EVENTS = frozenset({"approved", "rejected", "expired", "extension_granted", "extension_refused"})


def site_url() -> str:
    return getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000"


def partner_recipients(partner_id: int) -> list[tuple[str, list[str]]]:
    """The partner's active users' addresses, grouped by the language each reads."""
    users = get_user_model().objects.filter(partner_id=partner_id, is_active=True).exclude(email="")
    return addresses_by_language(users.only("email", "language"))


def build_messages(event: str, opportunity_ids: Iterable[int]) -> list[EmailMessage]:
    """The messages for ``event`` on these opportunities: one per partner, to its active users."""
    from .models import Opportunity

    if event not in EVENTS:
        raise ValueError(f"Unknown notification event {event!r}")
    by_partner = defaultdict(list)
    ids = sorted(set(opportunity_ids))
    # A run of the expiry job may name thousands: read them in batches (bounded IN lists).
    for start in range(0, len(ids), FETCH_BATCH):
        rows = (
            Opportunity.objects.filter(pk__in=ids[start : start + FETCH_BATCH], partner__isnull=False)
            .select_related("account", "partner")
            .order_by("id")
        )
        for opportunity in rows:
            by_partner[opportunity.partner_id].append(opportunity)
    messages = []
    base = site_url().rstrip("/")
    for partner_id, opportunities in sorted(by_partner.items(), key=lambda item: item[0]):
        context = {
            "event": event,
            "partner": opportunities[0].partner,
            "opportunities": [(o, base + reverse("opportunity-detail", args=[o.pk])) for o in opportunities],
            "count": len(opportunities),
            "protection_days": settings.REGISTRATION_PROTECTION_DAYS,
            "site_url": base,
        }
        for language, recipients in partner_recipients(partner_id):
            with translation.override(language):
                subject = " ".join(render_to_string(f"opportunities/email/{event}_subject.txt", context).split())
                body = render_to_string(f"opportunities/email/{event}_body.txt", context)
            # Each user gets the message alone: partner users do not see each other's addresses in To.
            messages.extend(EmailMessage(subject=subject, body=body, to=[address]) for address in recipients)
    return messages


def send_now(event: str, opportunity_ids: Iterable[int]) -> int:
    try:
        messages = build_messages(event, opportunity_ids)
        if not messages:
            return 0
        return get_connection().send_messages(messages) or 0
    except Exception:
        logger.exception("Could not send the %s notification for opportunities %s", event, opportunity_ids)
        return 0


def notify_partners(event: str, opportunity_ids: Iterable[int]) -> None:
    """Send the ``event`` e-mails for these opportunities after the current transaction commits."""
    ids = sorted(set(opportunity_ids))
    if ids:
        transaction.on_commit(lambda: send_now(event, ids))
