"""A payment file's life after it is made (SPEC §5.2, four eyes on every path that moves money).

Made "awaiting release" by a channel user (:func:`payments.payment_files.payment_file_create`), a
file is **released** by another channel user — never its maker — before it may go to the bank, or
**cancelled** before execution with a reason (its transfers stop counting: their invoices may be paid
by a new file). Once the bank has executed it, a channel user marks it **executed** (the day, and the
bank's reference if any): that pays exactly its transfers' statements, through
:func:`commissions.paying.statements_mark_paid`, and the run becomes paid when all it must pay is paid.

Each step locks the file's row first (``SELECT … FOR UPDATE``): two executions recorded at once pay
once, the second finding the file already executed. Only the status fields change, by ``update``: the
model's guard refuses any other write.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from audit import kinds as audit_kinds
from commissions import paying
from commissions.models import SettlementRun
from ecosystem.roles import Role, role_of

from .models import BillingDetails, PaymentFile, PaymentFileStatus, PaymentTransfer

MAX_REASON = 500
MAX_BANK_REFERENCE = 100


def _locked(payment_file: PaymentFile, user) -> PaymentFile:
    if role_of(user) != Role.CHANNEL:
        raise PermissionDenied(_("Only the channel team releases, cancels or records the execution of payment files."))
    return PaymentFile.objects.select_for_update().get(pk=payment_file.pk)


def _refuse_status(payment_file: PaymentFile, action: str) -> None:
    raise ValidationError(
        {"status": [_("Payment file %(id)s is %(status)s: it cannot be %(action)s.")
                    % {"id": payment_file.message_id, "status": payment_file.get_status_display().lower(),
                       "action": action}]}
    )  # fmt: skip


def _set(payment_file: PaymentFile, **values) -> PaymentFile:
    PaymentFile.objects.filter(pk=payment_file.pk).update(**values)
    return PaymentFile.objects.select_related("run", "created_by").get(pk=payment_file.pk)


@transaction.atomic
def payment_file_release(*, payment_file: PaymentFile, user) -> PaymentFile:
    """Another channel user than its maker releases the file: it may now be sent to the bank."""
    payment_file = _locked(payment_file, user)
    if payment_file.created_by_id == user.pk:
        raise PermissionDenied(_("Four eyes: you made this payment file, another channel user must release it."))
    if payment_file.status != PaymentFileStatus.AWAITING_RELEASE:
        _refuse_status(payment_file, _("released"))
    payment_file = _set(payment_file, status=PaymentFileStatus.RELEASED, released_by=user, released_at=timezone.now())
    audit.record(
        audit_kinds.PAYMENT_FILE_RELEASED, actor=user, target=payment_file,
        detail={"run": payment_file.run_id, "period": payment_file.run.period, "total": str(payment_file.total),
                "transfers": payment_file.transfer_count, "made_by": payment_file.created_by.username},
    )  # fmt: skip
    return payment_file


@transaction.atomic
def payment_file_cancel(*, payment_file: PaymentFile, user, reason: str) -> PaymentFile:
    """Cancel a file the bank has not executed (awaiting release or released), with a reason: its
    invoices are paid by no file any more, so a new file can pay them."""
    payment_file = _locked(payment_file, user)
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": [_("Say why the payment file is cancelled.")]})
    if len(text) > MAX_REASON:
        raise ValidationError({"reason": [_("Keep the reason under %(n)s characters.") % {"n": MAX_REASON}]})
    if payment_file.status not in (PaymentFileStatus.AWAITING_RELEASE, PaymentFileStatus.RELEASED):
        _refuse_status(payment_file, _("cancelled"))
    PaymentTransfer.objects.filter(payment_file=payment_file).update(cancelled=True)
    payment_file = _set(
        payment_file, status=PaymentFileStatus.CANCELLED, cancelled_by=user, cancelled_at=timezone.now(),
        cancel_reason=text,
    )  # fmt: skip
    audit.record(
        audit_kinds.PAYMENT_FILE_CANCELLED, actor=user, target=payment_file,
        detail={"run": payment_file.run_id, "period": payment_file.run.period, "total": str(payment_file.total),
                "transfers": payment_file.transfer_count, "reason": text},
    )  # fmt: skip
    return payment_file


@transaction.atomic
def payment_file_execute(
    *, payment_file: PaymentFile, user, executed_on: date, bank_reference: str = ""
) -> PaymentFile:
    """The bank executed a released file on ``executed_on``: its transfers' statements are paid that
    day, each with its transfer's end-to-end id (the invoice number) as reference."""
    payment_file = _locked(payment_file, user)
    reference = (bank_reference or "").strip()
    if len(reference) > MAX_BANK_REFERENCE:
        raise ValidationError(
            {"bank_reference": [_("Keep the reference under %(n)s characters.") % {"n": MAX_BANK_REFERENCE}]}
        )
    if payment_file.status != PaymentFileStatus.RELEASED:
        if payment_file.status == PaymentFileStatus.AWAITING_RELEASE:
            raise ValidationError(
                {"status": [_("Payment file %(id)s is not released yet: another channel user releases it first.")
                            % {"id": payment_file.message_id}]}
            )  # fmt: skip
        _refuse_status(payment_file, _("marked executed"))
    if executed_on is None:
        raise ValidationError({"executed_on": [_("Give the day the bank executed the transfers.")]})
    if executed_on > timezone.localdate():
        raise ValidationError({"executed_on": [_("The execution date cannot be in the future.")]})
    references = dict(
        PaymentTransfer.objects.filter(payment_file=payment_file).values_list("invoice__statement_id", "end_to_end_id")
    )
    run = SettlementRun.objects.get(pk=payment_file.run_id)
    try:
        outcome = paying.statements_mark_paid(
            run=run, user=user, paid_on=executed_on, references=references,
            batch_reference=reference or payment_file.message_id, source=payment_file.message_id,
        )  # fmt: skip
    except ValidationError as error:
        if hasattr(error, "error_dict") and "paid_on" in error.error_dict:
            raise ValidationError({"executed_on": error.error_dict["paid_on"]}) from error
        raise
    payment_file = _set(
        payment_file, status=PaymentFileStatus.EXECUTED, executed_on=executed_on, bank_reference=reference,
        executed_by=user, executed_at=timezone.now(),
    )  # fmt: skip
    audit.record(
        audit_kinds.PAYMENT_FILE_EXECUTED, actor=user, target=payment_file,
        detail={"run": payment_file.run_id, "period": payment_file.run.period, "total": str(payment_file.total),
                "statements_paid": outcome.paid, "paid_on": executed_on.isoformat(), "reference": reference},
    )  # fmt: skip
    return payment_file


def statements_held_back(run: SettlementRun) -> dict[int, str]:
    """The statements of ``run`` the manual "mark paid" must leave out, and why in words: already in a
    payment file not cancelled, no billing details, or a new IBAN awaiting confirmation."""
    live_transfer = PaymentTransfer.objects.live().filter(invoice__statement_id=OuterRef("pk"))
    rows = (
        paying.payable_statements(run)
        .annotate(in_file=Exists(live_transfer))
        .values_list("pk", "partner_id", "in_file")
    )
    rows = list(rows)
    details = dict(
        BillingDetails.objects.filter(partner_id__in={partner for _pk, partner, _f in rows}).values_list(
            "partner_id", "iban_confirmed_at"
        )
    )
    held: dict[int, str] = {}
    for pk, partner_id, in_file in rows:
        if in_file:
            held[pk] = _("in a payment file: paid when the bank has executed it")
        elif partner_id not in details:
            held[pk] = _("no billing details")
        elif details[partner_id] is None:
            held[pk] = _("IBAN change awaiting confirmation")
    return held
