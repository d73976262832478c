"""Writes on accounts and assignments. Business rules live here, not in views."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .deals import assignments_changed
from .models import REASSIGNED, Account, Assignment, AssignmentRole

# REASSIGNED (accounts.models) is the reason written on a partner's assignment that another partner's new
# primary ends. The reason given for the new assignment is about the new partner: the ended row's partner
# reads its own row, not that.


@transaction.atomic
def assignment_create(
    *,
    account: Account,
    partner,
    role: str = AssignmentRole.PRIMARY,
    valid_from: date | None = None,
    assigned_by=None,
    reason: str = "",
) -> Assignment:
    """Assign ``account`` to ``partner``. A new primary ends the current open primary first."""
    valid_from = valid_from or timezone.localdate()
    # Lock the account's open assignments so two concurrent reassignments serialise.
    current = list(Assignment.objects.select_for_update().open().filter(account=account).order_by("pk"))
    for existing in current:
        if existing.partner_id == partner.pk:
            if existing.role == role:
                raise ValidationError({"partner": "This partner already holds an open assignment on this account."})
            _end(existing, valid_from, f"Role changed to {role}")
        elif role == AssignmentRole.PRIMARY and existing.role == AssignmentRole.PRIMARY:
            # The reason given is the new partner's; the partner whose primary ends reads its own row (SPEC §2).
            _end(existing, valid_from, REASSIGNED)
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                account=account,
                partner=partner,
                role=role,
                valid_from=valid_from,
                assigned_by=assigned_by,
                reason=reason,
            )
    except IntegrityError as error:
        raise ValidationError({"account": "This account's assignments changed meanwhile; try again."}) from error
    # The account's primary may have changed: its pending registrations' conflict flags follow.
    assignments_changed.send(sender=Assignment, account_ids=[account.pk])
    return assignment


def _end(assignment: Assignment, valid_to: date, reason: str) -> None:
    if valid_to < assignment.valid_from:
        raise ValidationError({"valid_from": "An assignment cannot end before it started."})
    assignment.valid_to = valid_to
    if reason:
        assignment.reason = reason[:500]
    assignment.save(update_fields=["valid_to", "reason"])


@transaction.atomic
def assignment_end(*, assignment: Assignment, valid_to: date | None = None, reason: str = "") -> Assignment:
    """Close an open assignment. Nothing is deleted: the history stays."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if not assignment.is_open:
        raise ValidationError({"valid_to": "This assignment has already ended."})
    valid_to = valid_to or timezone.localdate()
    if valid_to > timezone.localdate():
        raise ValidationError({"valid_to": "An assignment ends today or in the past."})
    _end(assignment, valid_to, reason)
    assignments_changed.send(sender=Assignment, account_ids=[assignment.account_id])
    return assignment
