"""E-mails to a partner's admins about its billing details: a change (which fields, the IBAN masked,
who) and the confirmation of a new IBAN.

Sent once the transaction that made the change has committed (a rolled-back change sends nothing),
one message per admin in that admin's language (the user's ``language`` when chosen, else the
site's). A failing mail server never undoes the change: the error is logged.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ecosystem.mail import language_of
from ecosystem.roles import Role

logger = logging.getLogger(__name__)

EVENTS = frozenset({"changed", "confirmed"})


def site_url() -> str:
    return (getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000").rstrip("/")


def admins_of(partner_id: int) -> list:
    users = get_user_model().objects.filter(partner_id=partner_id, role=Role.PARTNER_ADMIN, is_active=True)
    return list(users.exclude(email="").order_by("pk"))


def build_messages(event: str, *, details_id: int, fields: list[str], actor: str) -> list[EmailMessage]:
    from .models import BillingDetails

    if event not in EVENTS:
        raise ValueError(f"Unknown billing notification {event!r}")
    details = BillingDetails.objects.select_related("partner").get(pk=details_id)
    messages = []
    for user in admins_of(details.partner_id):
        with translation.override(language_of(user)):
            labels = [str(BillingDetails._meta.get_field(name).verbose_name) for name in fields]
            context = {
                "details": details,
                "partner": details.partner,
                "fields": labels,
                "actor": actor,
                "iban_changed": "iban" in fields or "bic" in fields,
                "url": site_url() + reverse("payments:billing-detail", args=[details.partner_id]),
            }
            subject = " ".join(render_to_string(f"payments/email/billing_{event}_subject.txt", context).split())
            body = render_to_string(f"payments/email/billing_{event}_body.txt", context)
        messages.append(EmailMessage(subject=subject, body=body, to=[user.email]))
    return messages


def send_now(event: str, **kwargs) -> int:
    try:
        messages = build_messages(event, **kwargs)
        return get_connection().send_messages(messages) or 0 if messages else 0
    except Exception:
        logger.exception("Could not send the billing %s notification (%s)", event, kwargs)
        return 0


def notify_partner_admins(event: str, *, details_id: int, fields: list[str], actor: str) -> None:
    """E-mail the partner's admins about ``event`` after the current transaction commits."""
    transaction.on_commit(lambda: send_now(event, details_id=details_id, fields=list(fields), actor=actor))
