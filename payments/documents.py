"""The documents people download: a statement and an invoice as PDF (WeasyPrint renders their HTML).

Rendered in the active language (the reader's: the request's), amounts and dates formatted for it.
A statement shows its lines with their explanations, the adjustments apart, the total, its status
(preliminary until the run is approved, then approved, then paid), its invoice and what earlier
negative totals take off the payment. Nothing is fetched from outside while rendering.
"""

from __future__ import annotations

from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from commissions.models import LineKind, RunStatus, Statement
from commissions.statements import statement_lines

from .carrying import payable
from .invoicing import vendor_party
from .models import CarryForward, Invoice, PaymentTransfer

ZERO = Decimal("0")

STATUS_LABELS = {
    "preliminary": _("Preliminary"),
    "approved": _("Approved"),
    "paid": _("Paid"),
}


def statement_status(run) -> str:
    """``preliminary`` (computed, not approved: its figures may still change), ``approved`` or ``paid``."""
    if run.status == RunStatus.PAID:
        return "paid"
    if run.status == RunStatus.APPROVED:
        return "approved"
    return "preliminary"


def statement_context(statement: Statement) -> dict:
    run = statement.run
    lines = list(statement_lines(statement))
    commissions = [line for line in lines if line.kind == LineKind.COMMISSION]
    adjustments = [line for line in lines if line.kind != LineKind.COMMISSION]
    invoice = Invoice.objects.filter(statement=statement).first()
    carried = list(
        CarryForward.objects.filter(applied_in_run=run, partner_id=statement.partner_id)
        .select_related("from_run", "credit_note")
        .order_by("created_at", "id")
    )
    carried_total = sum((c.amount for c in carried), ZERO)
    transfer = (
        PaymentTransfer.objects.live().filter(invoice=invoice).select_related("payment_file").first()
        if invoice
        else None
    )
    status = statement_status(run)
    return {
        "statement": statement,
        "run": run,
        "partner": statement.partner,
        "status": status,
        "status_label": STATUS_LABELS[status],
        "commission_lines": commissions,
        "adjustment_lines": adjustments,
        "commission_total": sum((line.payout for line in commissions), ZERO),
        "adjustment_total": sum((line.payout for line in adjustments), ZERO),
        "invoice": invoice,
        "carried": carried,
        "carried_total": carried_total,
        "payable": payable(invoice, carried_total) if invoice and not invoice.is_credit_note else None,
        "transfer": transfer,
        "vendor": vendor_party(),
    }


def invoice_context(invoice: Invoice) -> dict:
    return {"invoice": invoice, "vendor_lines": invoice.customer_address_lines}


def _refuse_fetch(url, *args, **kwargs):
    raise ValueError(f"The PDF documents load nothing from outside ({url}).")


def render_pdf(template_name: str, context: dict) -> bytes:
    """The template rendered to HTML, then to PDF by WeasyPrint (fonts from the system's fontconfig)."""
    from weasyprint import HTML  # imported when a PDF is asked for: it loads Pango

    html = render_to_string(template_name, context)
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()


def statement_pdf(statement: Statement) -> bytes:
    return render_pdf("payments/pdf/statement.html", statement_context(statement))


def invoice_pdf(invoice: Invoice) -> bytes:
    return render_pdf("payments/pdf/invoice.html", invoice_context(invoice))


def statement_pdf_filename(statement: Statement) -> str:
    return f"statement-{statement.run.period}-{statement.partner.siren}.pdf"


def invoice_pdf_filename(invoice: Invoice) -> str:
    return f"{invoice.number}.pdf"
