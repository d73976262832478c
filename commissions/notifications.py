"""E-mails to a partner's users about their disputes (SPEC §4.3: the partner is told the outcome).

One message per user, in the user's language (the site's default when the user has none), sent
once the transaction that decided has committed: a rolled-back decision sends nothing. A failing
mail server never undoes the decision: the error is logged.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ecosystem.mail import addresses_by_language

logger = logging.getLogger(__name__)


def site_url() -> str:
    return (getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000").rstrip("/")


def _recipients_by_language(partner_id: int) -> list[tuple[str, list[str]]]:
    users = get_user_model().objects.filter(partner_id=partner_id, is_active=True).exclude(email="")
    return addresses_by_language(users.only("email", "language"))


def dispute_outcome_messages(dispute_id: int) -> list[EmailMessage]:
    from .models import Dispute

    dispute = (
        Dispute.objects.select_related("line__run", "line__partner", "line__opportunity__account", "adjustment__run")
        .filter(pk=dispute_id)
        .first()
    )
    if dispute is None or not dispute.outcome:
        return []
    adjustment = getattr(dispute, "adjustment", None)
    context = {
        "dispute": dispute,
        "line": dispute.line,
        "partner": dispute.line.partner,
        "adjustment": adjustment,
        "next_period": adjustment.run.period if adjustment is not None and adjustment.run_id else "",
        "url": site_url() + reverse("commissions:dispute-detail", args=[dispute.pk]),
    }
    messages = []
    for language, addresses in _recipients_by_language(dispute.line.partner_id):
        with translation.override(language):
            subject = " ".join(
                render_to_string(f"commissions/email/dispute_{dispute.outcome}_subject.txt", context).split()
            )
            body = render_to_string(f"commissions/email/dispute_{dispute.outcome}_body.txt", context)
        # Each user gets the message alone: partner users do not see each other's addresses in To.
        messages.extend(EmailMessage(subject=subject, body=body, to=[address]) for address in addresses)
    return messages


def send_dispute_outcome(dispute_id: int) -> int:
    try:
        messages = dispute_outcome_messages(dispute_id)
        if not messages:
            return 0
        return get_connection().send_messages(messages) or 0
    except Exception:
        logger.exception("Could not send the outcome of dispute %s", dispute_id)
        return 0


def notify_dispute_outcome(dispute_id: int) -> None:
    """Tell the partner's users the dispute's outcome once the current transaction commits."""
    transaction.on_commit(lambda: send_dispute_outcome(dispute_id))
