"""Writing audit events. ``audit.record(...)`` is the one entry point."""

import logging

from django.db import models

from .models import AuditEvent

log = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    """The client address as django-axes computes it (it honours the proxy settings)."""
    if request is None:
        return None
    ip = getattr(request, "axes_ip_address", None)
    if not ip:
        try:
            from axes.helpers import get_client_ip_address

            ip = get_client_ip_address(getattr(request, "_request", request))
        except Exception:  # an odd request must never break the action it records
            log.warning("audit: no client address for this request", exc_info=True)
            ip = None
    return ip or None


def record(
    kind: str,
    *,
    actor=None,
    actor_repr: str | None = None,
    partner=None,
    target=None,
    target_repr: str | None = None,
    detail: dict | None = None,
    request=None,
    ip: str | None = None,
) -> AuditEvent:
    """Record that ``actor`` did ``kind`` on ``target``.

    - ``actor``: the user who acted (default: ``request.user`` when authenticated).
    - ``partner``: the partner concerned (default: the target's partner, else the actor's).
    - ``target``: a model instance (its type, id and ``str`` are kept) or ``None``.
    - ``detail``: JSON-serialisable facts (Decimals and dates are fine).
    - ``request`` gives the client address.
    """
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            actor = user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if actor_repr is None:
        actor_repr = actor.get_username() if actor is not None else ""

    target_type = target_id = ""
    if isinstance(target, models.Model):
        target_type = target._meta.label_lower
        target_id = str(target.pk)
        if target_repr is None:
            target_repr = str(target)
    elif target is not None and target_repr is None:
        target_repr = str(target)

    partner_id = getattr(partner, "pk", partner)
    if partner_id is None and isinstance(target, models.Model) and target._meta.label_lower == "partners.partner":
        partner_id = target.pk
    if partner_id is None and target is not None:
        partner_id = getattr(target, "partner_id", None)
    if partner_id is None and actor is not None:
        partner_id = getattr(actor, "partner_id", None)

    return AuditEvent.objects.create(
        kind=kind[:64],
        actor=actor,
        actor_repr=(actor_repr or "")[:150],
        partner_id=partner_id,
        target_type=target_type,
        target_id=target_id,
        target_repr=(target_repr or "")[:255],
        detail=detail or {},
        ip=ip or client_ip(request),
    )
