"""Marking an approved run paid (SPEC §4.3 "Paid"): the day the payment was executed and a
reference per statement.

The run keeps the batch's reference (the transfer file's, say); every statement with a positive
total is paid with the reference given for its partner, else the batch's. A statement with a
total of zero or less is not paid (nothing is owed: a negative total is carried into the partner's
next run), so it keeps no payment. Only the payment fields change: the amounts of an approved run
never do.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from audit import kinds as audit_kinds
from ecosystem.roles import INTERNAL_ROLES, role_of

from .models import RunStatus, SettlementRun, Statement

MAX_REFERENCE = 100


def _reference(value: str, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [_("Give the payment reference.")]})
    if len(text) > MAX_REFERENCE:
        raise ValidationError({field: [_("Keep the reference under %(n)s characters.") % {"n": MAX_REFERENCE}]})
    return text


def payable_statements(run: SettlementRun):
    """The statements of the run's committed attempt that a payment settles (a positive total)."""
    return Statement.objects.filter(run=run, attempt=run.committed_attempt, total__gt=0)


@transaction.atomic
def settlement_mark_paid(
    *, run: SettlementRun, user, paid_on: date, reference: str, references: dict[str, str] | None = None
) -> SettlementRun:
    """Record the payment of an approved run: ``paid_on`` (not in the future, not before the approval),
    the batch ``reference``, and ``references`` by partner SIREN for the statements paid apart."""
    if role_of(user) not in INTERNAL_ROLES:
        raise PermissionDenied(_("Only internal users mark settlements paid."))
    run = SettlementRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.APPROVED:
        raise ValidationError(
            {"status": [_("Only an approved run can be marked paid; this one is %(status)s.")
                        % {"status": run.get_status_display().lower()}]}
        )  # fmt: skip
    batch = _reference(reference, "payment_reference")
    if paid_on is None:
        raise ValidationError({"paid_on": [_("Give the day the payment was made.")]})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": [_("The payment date cannot be in the future.")]})
    approved_on = timezone.localdate(run.approved_at) if run.approved_at else None
    if approved_on and paid_on < approved_on:
        raise ValidationError(
            {"paid_on": [_("The payment date cannot be before the approval (%(day)s).") % {"day": approved_on}]}
        )
    payable = {s.partner.siren: s for s in payable_statements(run).select_related("partner")}
    specific: dict[int, str] = {}
    problems = []
    for siren, value in (references or {}).items():
        statement = payable.get((siren or "").replace(" ", ""))
        if statement is None:
            problems.append(_("%(siren)s: no statement of this run to pay for this SIREN.") % {"siren": siren or "—"})
            continue
        try:
            specific[statement.pk] = _reference(value, "references")
        except ValidationError as error:
            problems.append(f"{siren}: {' '.join(error.messages)}")
    if problems:
        raise ValidationError({"references": problems})
    for statement_id, value in specific.items():
        Statement.objects.filter(pk=statement_id).update(paid_on=paid_on, payment_reference=value)
    paid = len(specific) + payable_statements(run).exclude(pk__in=list(specific)).update(
        paid_on=paid_on, payment_reference=batch
    )
    run.status, run.paid_at, run.paid_on, run.payment_reference = RunStatus.PAID, timezone.now(), paid_on, batch
    run.save(update_fields=["status", "paid_at", "paid_on", "payment_reference"])
    audit.record(
        audit_kinds.SETTLEMENT_PAID, actor=user, target=run,
        detail={
            "period": run.period, "paid_on": paid_on.isoformat(), "reference": batch, "statements_paid": paid,
            "own_references": len(specific),
        },
    )  # fmt: skip
    return run
