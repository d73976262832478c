"""SEPA payment files for an approved run (SPEC §5.2).

One transfer per partner with something to pay: its invoice's total less the earlier negative
totals applied to this run (:mod:`.carrying`), the invoice number as remittance information and
end-to-end id, to the IBAN confirmed at the time. Left out, and listed with the reason: partners
without billing details (their statement has no invoice yet), partners whose new IBAN awaits
confirmation, partners with nothing left to pay. Each invoice is paid by one file only among the
files not cancelled (a database constraint): a second file for the same run pays only what the first
left out — a partner whose IBAN has been confirmed since, say — or what a cancelled file held.
A file is made awaiting release; releasing, cancelling and marking it executed (which pays the
statements) are :mod:`.releasing`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from audit import kinds as audit_kinds
from commissions.models import RunStatus, SettlementRun, Statement
from ecosystem.bulk import copy_insert
from ecosystem.periods import period_label
from ecosystem.roles import Role, role_of

from .carrying import applied_in
from .models import BillingDetails, HoldReason, Invoice, InvoiceKind, PaymentFile, PaymentTransfer
from .sepa import Debtor, Transfer, credit_transfer_xml, sepa_text

PAYMENT_FILE_CREATED = audit_kinds.PAYMENT_FILE_CREATED
ZERO = Decimal("0")
#: How far ahead an execution date may be asked for.
LATEST_EXECUTION_DAYS = 365


@dataclass(frozen=True)
class Planned:
    invoice_id: int
    invoice_number: str
    partner_id: int
    partner_name: str
    amount: Decimal
    carried: Decimal
    creditor_name: str
    iban: str
    bic: str


@dataclass(frozen=True)
class Held:
    partner_id: int
    name: str
    siren: str
    reason: str  # HoldReason
    amount: Decimal  # what the partner would be paid (or its total, without an invoice)

    def as_json(self) -> dict:
        return {"partner": self.partner_id, "name": self.name, "siren": self.siren, "reason": self.reason,
                "amount": str(self.amount)}  # fmt: skip


@dataclass
class Plan:
    transfers: list[Planned] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((p.amount for p in self.transfers), ZERO)


def payment_plan(run: SettlementRun) -> Plan:
    """Who the next payment file of ``run`` pays, how much, and who it leaves out (and why).

    Read set-based (a run pays thousands of partners): the unpaid invoices, their partners' billing
    details, the earlier negative totals applied to this run, the statements still without invoice."""
    plan = Plan()
    invoices = (
        # Not already paid: by a live file, or by hand (the manual "mark paid" of a payment made elsewhere).
        Invoice.objects.filter(run=run, kind=InvoiceKind.INVOICE, statement__paid_on__isnull=True)
        .exclude(Exists(PaymentTransfer.objects.live().filter(invoice=OuterRef("pk"))))
        .order_by("sequence_number")
        .values_list("pk", "number", "partner_id", "partner__name", "partner__siren", "gross")
    )
    invoices = list(invoices)
    details = {
        d.partner_id: d
        for d in BillingDetails.objects.filter(partner_id__in={row[2] for row in invoices}).only(
            "partner_id", "legal_name", "iban", "bic", "iban_confirmed_at"
        )
    }
    carried = applied_in(run.pk)
    for invoice_id, number, partner_id, name, siren, gross in invoices:
        deducted = carried.get(partner_id, ZERO)
        amount = gross + deducted
        found = details.get(partner_id)
        if amount <= 0:
            plan.held.append(Held(partner_id, name, siren, HoldReason.NOTHING_TO_PAY, ZERO))
        elif found is None:
            plan.held.append(Held(partner_id, name, siren, HoldReason.NO_DETAILS, amount))
        elif found.is_held:
            plan.held.append(Held(partner_id, name, siren, HoldReason.IBAN_UNCONFIRMED, amount))
        else:
            plan.transfers.append(
                Planned(invoice_id, number, partner_id, name, amount, deducted, sepa_text(found.legal_name, 70),
                        found.iban, found.bic)
            )  # fmt: skip
    waiting = (
        Statement.objects.current()
        .filter(run=run, total__gt=0, invoice__isnull=True, paid_on__isnull=True)
        .order_by("partner__name")
        .values_list("partner_id", "partner__name", "partner__siren", "total")
    )
    for partner_id, name, siren, total in waiting:  # no invoice: no billing details when the run was approved
        plan.held.append(Held(partner_id, name, siren, HoldReason.NO_DETAILS, total))
    plan.held.sort(key=lambda h: (h.reason, h.name, h.partner_id))
    return plan


def default_execution_date(today: date | None = None) -> date:
    """The next working day (Monday to Friday)."""
    day = (today or timezone.localdate()) + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def check_execution_date(value: date) -> None:
    today = timezone.localdate()
    if value < today:
        raise ValidationError({"execution_date": [_("The execution date cannot be in the past.")]})
    if value > today + timedelta(days=LATEST_EXECUTION_DAYS):
        raise ValidationError({"execution_date": [_("The execution date is more than a year away.")]})


@transaction.atomic
def payment_file_create(*, run: SettlementRun, user, execution_date: date) -> PaymentFile:
    """The channel team makes the payment file of an approved run: what it pays is recorded, so a
    second file never pays an invoice twice."""
    if role_of(user) != Role.CHANNEL:
        raise PermissionDenied(_("Only the channel team makes payment files."))
    run = SettlementRun.objects.select_for_update().get(pk=run.pk)  # one file of a run at a time
    if run.status != RunStatus.APPROVED:
        raise ValidationError(
            {"run": [_("Payment files are made for approved runs; %(period)s is %(status)s.")
                     % {"period": period_label(run.period), "status": run.get_status_display()}]}
        )  # fmt: skip
    check_execution_date(execution_date)
    plan = payment_plan(run)
    if not plan.transfers:
        raise ValidationError({"run": [_("Nothing to pay in this run: every invoice is paid or held.")]})
    number = PaymentFile.objects.filter(run=run).count() + 1
    payment_file = PaymentFile.objects.create(
        run=run,
        message_id=sepa_text(f"ECO-{run.period}-{number:03d}-{run.pk}", 35),
        execution_date=execution_date,
        created_by=user,
        transfer_count=len(plan.transfers),
        total=plan.total,
        held=[h.as_json() for h in plan.held],
        debtor_name=settings.VENDOR_LEGAL_NAME,
        debtor_iban=settings.VENDOR_IBAN,
        debtor_bic=settings.VENDOR_BIC,
    )
    copy_insert(
        PaymentTransfer,
        ["payment_file_id", "invoice_id", "partner_id", "amount", "carried", "creditor_name", "iban", "bic",
         "end_to_end_id", "cancelled"],
        [
            (payment_file.pk, p.invoice_id, p.partner_id, p.amount, p.carried, p.creditor_name, p.iban, p.bic,
             p.invoice_number, False)
            for p in plan.transfers
        ],
    )  # fmt: skip
    audit.record(
        PAYMENT_FILE_CREATED, actor=user, target=payment_file,
        detail={"run": run.pk, "period": run.period, "transfers": payment_file.transfer_count,
                "total": str(payment_file.total), "held": len(plan.held), "execution_date": execution_date},
    )  # fmt: skip
    return payment_file


def payment_file_xml(payment_file: PaymentFile) -> bytes:
    """The pain.001.001.03 document of a payment file, from what it recorded (the same bytes each time)."""
    rows = payment_file.transfers.order_by("id").values_list("end_to_end_id", "amount", "creditor_name", "iban", "bic")
    transfers = [
        Transfer(end_to_end_id=ref, amount=amount, creditor_name=name, iban=iban, bic=bic, remittance=ref)
        for ref, amount, name, iban, bic in rows
    ]
    return credit_transfer_xml(
        message_id=payment_file.message_id,
        created_at=timezone.localtime(payment_file.created_at),
        execution_date=payment_file.execution_date,
        debtor=Debtor(name=payment_file.debtor_name, iban=payment_file.debtor_iban, bic=payment_file.debtor_bic),
        transfers=transfers,
    )


def payment_file_filename(payment_file: PaymentFile) -> str:
    return f"{payment_file.message_id}.xml"
