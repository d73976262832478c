"""Disputes of statement lines (SPEC §4, §4.3): a partner admin opens one with a comment, both
sides write in its thread, the channel team resolves it with an outcome.

Status: ``open`` (waiting for the channel team), ``answered`` (the channel team wrote last),
``resolved`` (closed; nothing more is written). One unresolved dispute per line.

Outcome: ``accepted`` with an amount — a manual adjustment line in the partner's next run, pointing
at the disputed line and explained with the resolution (:mod:`commissions.adjusting`) — or
``rejected`` with the reason. Either way the partner's users are told by e-mail once it is committed.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from audit import kinds as audit_kinds
from ecosystem.roles import Role, role_of

from . import adjusting, notifications
from .models import LOCKED_STATUSES, Dispute, DisputeMessage, DisputeOutcome, DisputeStatus, PayoutLine

MAX_MESSAGE = 5000


def _text(value: str, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [_("Write a message.")]})
    if len(text) > MAX_MESSAGE:
        raise ValidationError({field: [_("Keep it under %(n)s characters.") % {"n": MAX_MESSAGE}]})
    return text


def can_write(user, dispute: Dispute) -> bool:
    """Who writes in a thread: the channel team, and the partner admins of the line's partner."""
    role = role_of(user)
    if role == Role.CHANNEL:
        return True
    return role == Role.PARTNER_ADMIN and user.partner_id == dispute.line.partner_id


def disputable_lines(user):
    """The lines ``user`` may dispute: its partner's lines of approved or paid runs, current attempt."""
    if role_of(user) != Role.PARTNER_ADMIN or not user.partner_id:
        return PayoutLine.objects.none()
    return PayoutLine.objects.for_user(user).filter(
        attempt=F("run__committed_attempt"), run__status__in=LOCKED_STATUSES
    )


@transaction.atomic
def dispute_open(*, line: PayoutLine, user, comment: str) -> Dispute:
    if role_of(user) != Role.PARTNER_ADMIN:
        raise PermissionDenied(_("Only a partner administrator disputes a statement line."))
    if user.partner_id != line.partner_id or line.run.status not in LOCKED_STATUSES:
        # Not the caller's line (or not on a statement it can see): as if it did not exist.
        raise ValidationError({"line": [_("No such statement line.")]})
    comment = _text(comment, "comment")
    if Dispute.objects.filter(line=line).exclude(status=DisputeStatus.RESOLVED).exists():
        raise ValidationError({"line": [_("This line is already disputed: write in that dispute's thread.")]})
    try:
        with transaction.atomic():
            dispute = Dispute(line=line, opened_by=user)
            dispute._history_user = user
            dispute.save()
    except IntegrityError as error:  # a concurrent dispute on the same line
        raise ValidationError(
            {"line": [_("This line is already disputed: write in that dispute's thread.")]}
        ) from error
    DisputeMessage.objects.create(dispute=dispute, author=user, body=comment)
    return dispute


@transaction.atomic
def dispute_post(*, dispute: Dispute, user, body: str) -> DisputeMessage:
    dispute = Dispute.objects.select_for_update().select_related("line").get(pk=dispute.pk)
    if not can_write(user, dispute):
        raise PermissionDenied(_("Your role does not allow writing in this dispute."))
    if dispute.status == DisputeStatus.RESOLVED:
        raise ValidationError({"body": [_("This dispute is resolved; open a new one if needed.")]})
    message = DisputeMessage.objects.create(dispute=dispute, author=user, body=_text(body, "body"))
    status = DisputeStatus.ANSWERED if role_of(user) == Role.CHANNEL else DisputeStatus.OPEN
    if dispute.status != status:
        dispute.status = status
        dispute._history_user = user
        dispute.save(update_fields=["status"])
    return message


@transaction.atomic
def dispute_resolve(*, dispute: Dispute, user, outcome: str, resolution: str, amount=None) -> Dispute:
    """Close the dispute with its outcome: ``accepted`` with the ``amount`` granted (a manual adjustment
    in the partner's next run) or ``rejected``; ``resolution`` is the answer the partner reads."""
    if role_of(user) != Role.CHANNEL:
        raise PermissionDenied(_("Only the channel team resolves disputes."))
    dispute = Dispute.objects.select_for_update().select_related("line__run", "line__partner").get(pk=dispute.pk)
    if dispute.status == DisputeStatus.RESOLVED:
        raise ValidationError({"status": [_("This dispute is already resolved.")]})
    if outcome not in DisputeOutcome.values:
        raise ValidationError({"outcome": [_("Say whether the dispute is accepted or rejected.")]})
    text = _text(resolution, "resolution")
    granted = None
    if outcome == DisputeOutcome.ACCEPTED:
        if amount is None or amount == "":
            raise ValidationError({"amount": [_("Give the amount granted to the partner.")]})
        try:
            granted = adjusting.parse_adjustment_amount(amount)
        except ValueError as error:
            raise ValidationError({"amount": [str(error)]}) from error
    dispute.resolution = text
    dispute.status = DisputeStatus.RESOLVED
    dispute.outcome = outcome
    dispute.outcome_amount = granted
    dispute.resolved_by = user
    dispute.resolved_at = timezone.now()
    dispute._history_user = user
    dispute.save(update_fields=["resolution", "status", "outcome", "outcome_amount", "resolved_by", "resolved_at"])
    adjustment = None
    if granted is not None:
        adjustment = adjusting.adjustment_for_dispute(dispute=dispute, amount=granted, user=user, resolution=text)
    audit.record(
        audit_kinds.DISPUTE_DECIDED, actor=user, target=dispute, partner=dispute.line.partner_id,
        detail={
            "outcome": outcome, "amount": None if granted is None else str(granted), "line": dispute.line_id,
            "adjustment": getattr(adjustment, "pk", None),
            "run": adjustment.run.period if adjustment is not None and adjustment.run_id else None,
        },
    )  # fmt: skip
    notifications.notify_dispute_outcome(dispute.pk)
    return dispute
