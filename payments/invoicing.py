"""Self-billed invoices (SPEC §5.2): issued when a run is approved, one per statement with a total
that is not zero — an invoice for a positive total, a credit note for a negative one — numbered in
one gap-free yearly sequence (``AF-2026-000123``).

The numbers come from the year's :class:`~payments.models.InvoiceSequence` row, locked by the
issuing transaction (which is the approval's: see :mod:`payments.receivers`) until it commits. Two
approvals at once therefore number one after the other, and an approval that rolls back gives its
numbers back: no gap, no duplicate. A statement whose partner has no billing details yet waits: its
invoice is issued with the partner's first billing details (``invoices_issue_for_partner``).
Issuing is idempotent: a statement that has its invoice is never invoiced again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

import audit
from audit import kinds as audit_kinds
from commissions.calculation import to_cent
from commissions.models import LOCKED_STATUSES, LineKind, PayoutLine, SettlementRun, Statement
from ecosystem.bulk import copy_insert

from .carrying import carry_forwards_settle
from .models import BillingDetails, Invoice, InvoiceKind, InvoiceSequence

INVOICES_ISSUED = audit_kinds.INVOICES_ISSUED
ZERO = Decimal("0")


# --- Pure arithmetic --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Amounts:
    net: Decimal
    vat_rate: Decimal
    vat: Decimal
    gross: Decimal


def invoice_amounts(net: Decimal, *, exempt: bool, rate: Decimal) -> Amounts:
    """Net, VAT (half-up to the cent, on the sign of the net) and total; an exempt partner's VAT is 0."""
    net = to_cent(net)
    rate = ZERO if exempt else rate
    vat = to_cent(net * rate)
    return Amounts(net=net, vat_rate=rate, vat=vat, gross=net + vat)


def invoice_number(year: int, sequence_number: int, prefix: str | None = None) -> str:
    return f"{prefix or settings.INVOICE_NUMBER_PREFIX}-{year}-{sequence_number:06d}"


@dataclass(frozen=True)
class Party:
    name: str
    address: str  # lines separated by "\n"
    siren: str
    vat_number: str


def vendor_party() -> Party:
    """The vendor, as the settings name it: the customer of every self-billed invoice."""
    return Party(
        name=settings.VENDOR_LEGAL_NAME,
        address="\n".join(line.strip() for line in settings.VENDOR_ADDRESS.split("|") if line.strip()),
        siren=settings.VENDOR_SIREN,
        vat_number=settings.VENDOR_VAT_NUMBER,
    )


# --- The sequence -----------------------------------------------------------------------------------


def sequence_lock(year: int) -> InvoiceSequence:
    """Lock the year's sequence row until the transaction ends (creating it for the year's first
    issuing: a concurrent one waits on the insert, then finds it)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Invoice numbers are taken inside the issuing transaction only.")
    InvoiceSequence.objects.bulk_create([InvoiceSequence(year=year, last_number=0)], ignore_conflicts=True)
    return InvoiceSequence.objects.select_for_update().get(year=year)


def sequence_take(year: int, count: int) -> range:
    """Reserve the next ``count`` numbers of ``year``. Must run in a transaction: the year's row stays
    locked until it ends, so a concurrent issuing waits, and a rollback gives the numbers back."""
    sequence = sequence_lock(year)
    first = sequence.last_number + 1
    InvoiceSequence.objects.filter(pk=sequence.pk).update(last_number=F("last_number") + count)
    return range(first, first + count)


# --- Issuing ----------------------------------------------------------------------------------------


@dataclass
class IssueResult:
    issued: list[Invoice] = field(default_factory=list)
    #: Partners whose statement waits for billing details (no invoice yet): (partner id, name).
    waiting: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class ToInvoice:
    """What an invoice needs of a statement without one (read set-based: thousands at an approval)."""

    statement_id: int
    run_id: int
    attempt: int
    partner_id: int
    partner_name: str
    siren: str
    total: Decimal
    line_count: int


STATEMENT_VALUES = ["pk", "run_id", "attempt", "partner_id", "partner__name", "partner__siren", "total", "line_count"]


def _uninvoiced(statements) -> list[ToInvoice]:
    rows = (
        statements.exclude(total=0)
        .filter(invoice__isnull=True)
        .order_by("run__period_start", "partner_id")
        .values_list(*STATEMENT_VALUES)
    )
    return [ToInvoice(*row) for row in rows]


def _corrected_invoices(credit_notes: list[ToInvoice]) -> dict[int, str]:
    """Per statement, the partner's invoices of the periods its adjustment lines correct (a credit
    note names them): two queries for all the credit notes of an issuing."""
    periods: dict[int, set[str]] = {}
    for item in credit_notes:
        lines = PayoutLine.objects.filter(
            run_id=item.run_id, attempt=item.attempt, partner_id=item.partner_id, kind=LineKind.ADJUSTMENT
        )
        periods[item.statement_id] = set(lines.order_by().values_list("deal_period", flat=True).distinct())
    wanted = {p for ps in periods.values() for p in ps}
    numbers: dict[tuple[int, str], list[str]] = {}
    earlier = Invoice.objects.filter(partner_id__in={c.partner_id for c in credit_notes}, period__in=wanted)
    for partner_id, period, number in earlier.order_by("year", "sequence_number").values_list(
        "partner_id", "period", "number"
    ):
        numbers.setdefault((partner_id, period), []).append(number)
    return {
        c.statement_id: ", ".join(
            n for p in sorted(periods[c.statement_id]) for n in numbers.get((c.partner_id, p), [])
        )[:500]
        for c in credit_notes
    }


#: The columns an issuing writes, in order (``id`` is the database's).
INVOICE_FIELDS = [
    "number", "year", "sequence_number", "kind", "partner_id", "run_id", "statement_id", "issued_on", "period",
    "period_start", "period_end", "line_count", "net", "vat_rate", "vat", "gross", "vat_exemption_mention",
    "supplier_name", "supplier_address", "supplier_siren", "supplier_vat_number", "customer_name", "customer_address",
    "customer_siren", "customer_vat_number", "corrects_numbers", "created_at",
]  # fmt: skip


def _row(item: ToInvoice, details: BillingDetails, run: SettlementRun, *, number: int, issued_on: date,
         vendor: Party, corrects: str, now) -> tuple:  # fmt: skip
    """One invoice (or credit note) as a row of ``INVOICE_FIELDS``."""
    amounts = invoice_amounts(item.total, exempt=details.vat_exempt, rate=settings.INVOICE_VAT_RATE)
    kind = InvoiceKind.INVOICE if amounts.net > 0 else InvoiceKind.CREDIT_NOTE
    address = details.address_lines + ([details.country] if details.country != "FR" else [])
    return (
        invoice_number(issued_on.year, number), issued_on.year, number, kind, item.partner_id, item.run_id,
        item.statement_id, issued_on, run.period, run.period_start, run.period_end, item.line_count, amounts.net,
        amounts.vat_rate, amounts.vat, amounts.gross, details.vat_exemption_mention if details.vat_exempt else "",
        details.legal_name, "\n".join(address), item.siren, details.vat_number, vendor.name, vendor.address,
        vendor.siren, vendor.vat_number, corrects if kind == InvoiceKind.CREDIT_NOTE else "", now,
    )  # fmt: skip


#: What an invoice copies of the billing details.
DETAILS_READ = [
    "partner_id", "legal_name", "address_line", "address_line_2", "postal_code", "city", "country", "vat_number",
    "vat_exempt", "vat_exemption_mention",
]  # fmt: skip


def _issue(statements, *, issued_on: date, actor=None) -> IssueResult:
    """Invoice ``statements`` (a queryset) that have no invoice yet. The year's sequence is locked
    before they are read: a concurrent issuing of the same statements waits, then finds them invoiced."""
    sequence_lock(issued_on.year)
    items = _uninvoiced(statements)
    result = IssueResult()
    wanted = BillingDetails.objects.filter(partner_id__in={i.partner_id for i in items}).only(*DETAILS_READ)
    details = {d.partner_id: d for d in wanted}
    ready = []
    for item in items:
        if item.partner_id in details:
            ready.append(item)
        else:
            result.waiting.append((item.partner_id, item.partner_name))
    if not ready:
        return result
    runs = SettlementRun.objects.in_bulk({i.run_id for i in ready})
    corrects = _corrected_invoices([i for i in ready if i.total < 0])
    vendor, now = vendor_party(), timezone.now()
    numbers = sequence_take(issued_on.year, len(ready))
    rows = [
        _row(item, details[item.partner_id], runs[item.run_id], number=number, issued_on=issued_on, vendor=vendor,
             corrects=corrects.get(item.statement_id, ""), now=now)
        for item, number in zip(ready, numbers, strict=True)
    ]  # fmt: skip
    copy_insert(Invoice, INVOICE_FIELDS, rows)  # COPY on PostgreSQL: thousands of invoices at an approval
    issued = Invoice.objects.filter(year=issued_on.year, sequence_number__gte=numbers.start)
    issued = issued.filter(sequence_number__lt=numbers.stop).only("number", "kind", "partner_id", "run_id", "gross")
    result.issued = list(issued.order_by("sequence_number"))
    by_run: dict[int, list[Invoice]] = {}
    for invoice in result.issued:
        by_run.setdefault(invoice.run_id, []).append(invoice)
    for run_id, invoices_of_run in by_run.items():
        carry_forwards_settle(run=runs[run_id], invoices=invoices_of_run)
        audit.record(
            INVOICES_ISSUED, actor=actor, target=runs[run_id],
            partner=invoices_of_run[0].partner_id if len({i.partner_id for i in invoices_of_run}) == 1 else None,
            detail={"run": run_id, "count": len(invoices_of_run), "first": invoices_of_run[0].number,
                    "last": invoices_of_run[-1].number},
        )  # fmt: skip
    return result


@transaction.atomic
def invoices_issue_for_run(*, run: SettlementRun, actor=None, issued_on: date | None = None) -> IssueResult:
    """Issue the invoices and credit notes of an approved (or paid) run's statements that have none.

    Called inside the approval's transaction (so the numbers are taken, and given back, with it);
    calling it again issues nothing new. ``issued_on`` defaults to the approval's date."""
    run = SettlementRun.objects.get(pk=run.pk)
    if run.status not in LOCKED_STATUSES:
        raise ValidationError({"status": f"Invoices are issued for approved runs only; {run.period} is {run.status}."})
    issued_on = issued_on or timezone.localdate(run.approved_at or timezone.now())
    return _issue(Statement.objects.current().filter(run=run), issued_on=issued_on, actor=actor)


@transaction.atomic
def invoices_issue_for_partner(*, partner, actor=None) -> IssueResult:
    """Issue the invoices that waited for the partner's billing details (its approved runs' statements),
    dated today."""
    statements = Statement.objects.current().filter(partner=partner, run__status__in=LOCKED_STATUSES)
    return _issue(statements, issued_on=timezone.localdate(), actor=actor)
