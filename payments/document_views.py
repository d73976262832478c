"""Invoice pages and the PDF downloads (statements, invoices), for every role, scoped: a partner's
users reach their own partner's invoices and statements of approved runs only (404 otherwise)."""

from django.http import HttpResponse
from django.views.generic.detail import BaseDetailView

from commissions.models import Statement
from ecosystem.roles import ALL_ROLES
from ecosystem.web import ScopedDetailView, ScopedListView, ScopedQuerysetMixin

from . import documents
from .filtersets import InvoiceFilterSet
from .models import Invoice


def pdf_response(content: bytes, name: str, *, request, filename: str) -> HttpResponse:
    """A PDF download, written to the audit trail like every export."""
    import audit
    from audit import kinds

    audit.record(kinds.EXPORT, actor=request.user, request=request, target_repr=filename, detail={"export": name})
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class InvoiceListView(ScopedListView):
    model = Invoice
    allowed_roles = ALL_ROLES
    filterset_class = InvoiceFilterSet
    template_name = "payments/invoice_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("partner").order_by("-year", "-sequence_number")


class InvoiceDetailView(ScopedDetailView):
    model = Invoice
    allowed_roles = ALL_ROLES
    template_name = "payments/invoice_detail.html"


class InvoicePdfView(ScopedQuerysetMixin, BaseDetailView):
    model = Invoice
    allowed_roles = ALL_ROLES

    def get(self, request, *args, **kwargs):
        invoice = self.get_object()
        return pdf_response(
            documents.invoice_pdf(invoice), "invoice", request=request, filename=documents.invoice_pdf_filename(invoice)
        )


class StatementPdfView(ScopedQuerysetMixin, BaseDetailView):
    """A statement as PDF: its lines and explanations, adjustments, total and status, in the reader's language."""

    model = Statement
    allowed_roles = ALL_ROLES

    def get_queryset(self):
        return super().get_queryset().current().select_related("run", "partner")

    def get(self, request, *args, **kwargs):
        statement = self.get_object()
        return pdf_response(
            documents.statement_pdf(statement), "statement", request=request,
            filename=documents.statement_pdf_filename(statement),
        )  # fmt: skip
