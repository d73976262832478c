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

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

import audit
from commissions.calculation import to_cent
from commissions.models import LOCKED_STATUSES, LineKind, PayoutLine, SettlementRun, Statement

from .carrying import carry_forwards_settle
from .models import BillingDetails, Invoice, InvoiceKind, InvoiceSequence

INVOICES_ISSUED = "invoices.issued"
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


def sequence_take(year: int, count: int) -> range:
    """Reserve the next ``count`` numbers of ``year``. Must run in a transaction: the year's row stays
    locked until it ends, so a concurrent issuing waits, and a rollback gives the numbers back."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Invoice numbers are taken inside the issuing transaction only.")
    # The first issuing of a year creates its row; a concurrent one waits on the insert, then finds it.
    InvoiceSequence.objects.bulk_create([InvoiceSequence(year=year, last_number=0)], ignore_conflicts=True)
    sequence = InvoiceSequence.objects.select_for_update().get(year=year)
    first = sequence.last_number + 1
    InvoiceSequence.objects.filter(pk=sequence.pk).update(last_number=F("last_number") + count)
    return range(first, first + count)


# --- Issuing ----------------------------------------------------------------------------------------


@dataclass
class IssueResult:
    issued: list[Invoice] = field(default_factory=list)
    #: Partners whose statement waits for billing details (no invoice yet): (partner id, name).
    waiting: list[tuple[int, str]] = field(default_factory=list)


def _uninvoiced(statements) -> list[Statement]:
    return list(
        statements.exclude(total=0)
        .filter(invoice__isnull=True)
        .select_related("run", "partner", "partner__billing_details")
        .order_by("run__period_start", "partner_id")
    )


def _details_of(statement: Statement) -> BillingDetails | None:
    try:
        return statement.partner.billing_details
    except BillingDetails.DoesNotExist:
        return None


def _corrected_invoices(statement: Statement) -> str:
    """A credit note names the partner's invoices of the periods its adjustment lines correct."""
    periods = set(
        PayoutLine.objects.filter(
            run_id=statement.run_id,
            attempt=statement.attempt,
            partner_id=statement.partner_id,
            kind=LineKind.ADJUSTMENT,
        ).values_list("deal_period", flat=True)
    )
    numbers = Invoice.objects.filter(partner_id=statement.partner_id, period__in=periods).order_by(
        "year", "sequence_number"
    )
    return ", ".join(numbers.values_list("number", flat=True))[:500]


def _build(statement: Statement, details: BillingDetails, *, number: int, issued_on: date, vendor: Party) -> Invoice:
    amounts = invoice_amounts(statement.total, exempt=details.vat_exempt, rate=settings.INVOICE_VAT_RATE)
    kind = InvoiceKind.INVOICE if amounts.net > 0 else InvoiceKind.CREDIT_NOTE
    run = statement.run
    return Invoice(
        number=invoice_number(issued_on.year, number),
        year=issued_on.year,
        sequence_number=number,
        kind=kind,
        partner_id=statement.partner_id,
        run_id=statement.run_id,
        statement=statement,
        issued_on=issued_on,
        period=run.period,
        period_start=run.period_start,
        period_end=run.period_end,
        line_count=statement.line_count,
        net=amounts.net,
        vat_rate=amounts.vat_rate,
        vat=amounts.vat,
        gross=amounts.gross,
        vat_exemption_mention=details.vat_exemption_mention if details.vat_exempt else "",
        supplier_name=details.legal_name,
        supplier_address="\n".join(details.address_lines + ([details.country] if details.country != "FR" else [])),
        supplier_siren=statement.partner.siren,
        supplier_vat_number=details.vat_number,
        customer_name=vendor.name,
        customer_address=vendor.address,
        customer_siren=vendor.siren,
        customer_vat_number=vendor.vat_number,
        corrects_numbers=_corrected_invoices(statement) if kind == InvoiceKind.CREDIT_NOTE else "",
    )


def _issue(statements: Iterable[Statement], *, issued_on: date, actor=None) -> IssueResult:
    result = IssueResult()
    ready = []
    for statement in statements:
        details = _details_of(statement)
        if details is None:
            result.waiting.append((statement.partner_id, statement.partner.name))
        else:
            ready.append((statement, details))
    if not ready:
        return result
    vendor = vendor_party()
    numbers = sequence_take(issued_on.year, len(ready))
    invoices = [
        _build(statement, details, number=number, issued_on=issued_on, vendor=vendor)
        for (statement, details), number in zip(ready, numbers, strict=True)
    ]
    result.issued = Invoice.objects.bulk_create(invoices, batch_size=2000)
    by_run: dict[int, list[Invoice]] = {}
    for invoice in result.issued:
        by_run.setdefault(invoice.run_id, []).append(invoice)
    for run_id, invoices_of_run in by_run.items():
        carry_forwards_settle(run=invoices_of_run[0].statement.run, invoices=invoices_of_run)
        audit.record(
            INVOICES_ISSUED, actor=actor, target=invoices_of_run[0].statement.run,
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
    return _issue(_uninvoiced(Statement.objects.current().filter(run=run)), issued_on=issued_on, actor=actor)


@transaction.atomic
def invoices_issue_for_partner(*, partner, actor=None) -> IssueResult:
    """Issue the invoices that waited for the partner's billing details (its approved runs' statements),
    dated today."""
    statements = Statement.objects.current().filter(partner=partner, run__status__in=LOCKED_STATUSES)
    return _issue(_uninvoiced(statements), issued_on=timezone.localdate(), actor=actor)
