"""``/api/v1/`` payments resources: thin views over the payments services.

Who may do what (SPEC §5.2): billing details are the partner's admins' (their own) and the channel
team's only — not the reps', not the managers'; the channel team confirms a new IBAN (never the one
who entered it: 403). Invoices and statement PDFs: every role, scoped (a partner's users get their
own partner's, of approved runs). Payment files: the channel team only (they carry IBANs). The
accounting journal: internal users.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from commissions.models import RunStatus, SettlementRun, Statement
from ecosystem.api.errors import as_drf_error
from ecosystem.api.viewsets import ScopedCreateReadViewSet, ScopedReadOnlyViewSet, ScopedViewSetMixin
from ecosystem.roles import ALL_ROLES, CHANNEL_ONLY, INTERNAL_ROLES, Role
from ecosystem.web import csv_response
from ecosystem.xlsx import CONTENT_TYPE as XLSX_CONTENT_TYPE
from ecosystem.xlsx import xlsx_download

from .. import billing, documents, journal, payment_files, releasing
from ..document_views import pdf_response
from ..filtersets import BillingDetailsFilterSet, InvoiceFilterSet, PaymentFileFilterSet
from ..models import BillingDetails, Invoice, PaymentFile
from .serializers import (
    BillingDetailsCreateSerializer,
    BillingDetailsSerializer,
    InvoiceSerializer,
    PaymentFileCancelSerializer,
    PaymentFileCreateSerializer,
    PaymentFileExecuteSerializer,
    PaymentFileSerializer,
    PaymentPlanSerializer,
)

BILLING_ROLES = frozenset({Role.CHANNEL, Role.PARTNER_ADMIN})
PDF = {(200, "application/pdf"): OpenApiTypes.BINARY}


def _service_call(call, **kwargs):
    """Run a service; its refusals become the API's 400 (values) or 403 (role, four eyes)."""
    try:
        return call(**kwargs)
    except DjangoValidationError as error:
        raise as_drf_error(error) from error
    except DjangoPermissionDenied as error:
        raise PermissionDenied(str(error)) from error


class BillingDetailsViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """A partner's billing details. ``POST`` creates them, ``PUT``/``PATCH`` change them (a new IBAN or
    BIC holds the partner's payments), ``POST …/{id}/confirm-iban/`` confirms a new IBAN."""

    queryset = BillingDetails.objects.select_related("partner", "iban_changed_by", "iban_confirmed_by")
    serializer_class = BillingDetailsSerializer
    filterset_class = BillingDetailsFilterSet
    search_fields = ["legal_name", "partner__name", "partner__siren"]
    ordering_fields = ["partner__name", "updated_at"]
    read_roles = BILLING_ROLES
    write_roles = BILLING_ROLES
    action_roles = {"confirm_iban": CHANNEL_ONLY}

    def get_serializer_class(self):
        return BillingDetailsCreateSerializer if self.action == "create" else BillingDetailsSerializer

    def _save(self, serializer, *, partner):
        values = {k: v for k, v in serializer.validated_data.items() if k != "partner"}
        if serializer.instance is not None:
            current = {name: getattr(serializer.instance, name) for name in billing.FIELDS}
            values = {**current, **values}
        details = _service_call(billing.billing_details_save, partner=partner, user=self.request.user, **values)
        return self.get_queryset().get(pk=details.pk)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if request.user.role == Role.PARTNER_ADMIN:
            partner = request.user.partner
        else:
            partner = serializer.validated_data["partner"]
        if BillingDetails.objects.filter(partner=partner).exists():
            raise as_drf_error(
                DjangoValidationError(
                    {"partner": ["This partner already has billing details: change them (PUT or PATCH)."]}
                )
            )
        details = self._save(serializer, partner=partner)
        return Response(BillingDetailsSerializer(details, context=self.get_serializer_context()).data, status=201)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        details = self._save(serializer, partner=instance.partner)
        return Response(self.get_serializer(details).data)

    @extend_schema(request=None, responses=BillingDetailsSerializer)
    @action(detail=True, methods=["post"], url_path="confirm-iban")
    def confirm_iban(self, request, pk=None):
        """The channel team confirms a new IBAN; the one who entered it cannot (403)."""
        details = self.get_object()
        _service_call(billing.billing_details_confirm_iban, details=details, user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=details.pk)).data)


class InvoiceViewSet(ScopedReadOnlyViewSet):
    """Self-billed invoices and credit notes: a partner's users read their own partner's."""

    queryset = Invoice.objects.select_related("partner")
    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilterSet
    search_fields = ["number", "supplier_name"]
    ordering_fields = ["year", "sequence_number", "issued_on", "gross"]
    read_roles = ALL_ROLES
    write_roles = frozenset()

    @extend_schema(responses=PDF)
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The invoice as PDF (its legal mentions in the reader's language)."""
        invoice = self.get_object()
        return pdf_response(
            documents.invoice_pdf(invoice), "invoice", request=request, filename=documents.invoice_pdf_filename(invoice)
        )


class StatementPdfViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """``GET /api/v1/statements/{id}/pdf/``: the statement as PDF (lines, explanations, adjustments,
    total, status), in the reader's language (``Accept-Language``)."""

    queryset = Statement.objects.current().select_related("run", "partner")
    read_roles = ALL_ROLES
    write_roles = frozenset()
    pagination_class = None
    filter_backends: list = []

    @extend_schema(responses=PDF)
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        statement = self.get_object()
        return pdf_response(
            documents.statement_pdf(statement), "statement", request=request,
            filename=documents.statement_pdf_filename(statement),
        )  # fmt: skip


class PaymentFileViewSet(ScopedCreateReadViewSet):
    """SEPA payment files: ``POST {"run", "execution_date"}`` makes the next file of an approved run,
    awaiting release; ``POST …/{id}/release/`` by another channel user than its maker (403 for the
    maker), ``…/{id}/cancel/`` with a ``reason`` before execution, ``…/{id}/executed/`` with
    ``executed_on`` (and the bank's reference) pays its statements."""

    queryset = PaymentFile.objects.select_related(
        "run", "created_by", "released_by", "executed_by", "cancelled_by"
    ).prefetch_related("transfers__invoice", "transfers__partner")
    serializer_class = PaymentFileSerializer
    filterset_class = PaymentFileFilterSet
    ordering_fields = ["created_at"]
    read_roles = CHANNEL_ONLY
    write_roles = CHANNEL_ONLY

    @extend_schema(request=PaymentFileCreateSerializer, responses={201: PaymentFileSerializer})
    def create(self, request, *args, **kwargs):
        body = PaymentFileCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        payment_file = _service_call(
            payment_files.payment_file_create, run=body.validated_data["run"], user=request.user,
            execution_date=body.validated_data["execution_date"],
        )  # fmt: skip
        return Response(self.get_serializer(self.get_queryset().get(pk=payment_file.pk)).data, status=201)

    def _answer(self, payment_file):
        return Response(self.get_serializer(self.get_queryset().get(pk=payment_file.pk)).data)

    @extend_schema(request=None, responses=PaymentFileSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Another channel user than the file's maker releases it (the maker: 403)."""
        payment_file = _service_call(releasing.payment_file_release, payment_file=self.get_object(), user=request.user)
        return self._answer(payment_file)

    @extend_schema(request=PaymentFileCancelSerializer, responses=PaymentFileSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a file not executed yet, with a reason: its invoices can be paid by a new file."""
        payment_file = self.get_object()
        body = PaymentFileCancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        payment_file = _service_call(
            releasing.payment_file_cancel, payment_file=payment_file, user=request.user,
            reason=body.validated_data["reason"],
        )  # fmt: skip
        return self._answer(payment_file)

    @extend_schema(request=PaymentFileExecuteSerializer, responses=PaymentFileSerializer)
    @action(detail=True, methods=["post"])
    def executed(self, request, pk=None):
        """The bank executed the released file: its transfers' statements are paid that day."""
        payment_file = self.get_object()
        body = PaymentFileExecuteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        payment_file = _service_call(
            releasing.payment_file_execute, payment_file=payment_file, user=request.user,
            executed_on=body.validated_data["executed_on"], bank_reference=body.validated_data["bank_reference"],
        )  # fmt: skip
        return self._answer(payment_file)

    @extend_schema(responses={(200, "application/xml"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def xml(self, request, pk=None):
        """The pain.001.001.03 document to send to the bank."""
        import audit
        from audit import kinds

        payment_file = self.get_object()
        filename = payment_files.payment_file_filename(payment_file)
        audit.record(kinds.EXPORT, actor=request.user, request=request, target=payment_file, target_repr=filename,
                     detail={"export": "payment_file"})  # fmt: skip
        response = HttpResponse(payment_files.payment_file_xml(payment_file), content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class SettlementPaymentsViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """A run's accounting journal (CSV, .xlsx) and its payment plan, beside the run's own routes."""

    queryset = SettlementRun.objects.all()
    read_roles = INTERNAL_ROLES
    write_roles = frozenset()
    action_roles = {"payment_plan": CHANNEL_ONLY}
    pagination_class = None
    filter_backends: list = []

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"])
    def journal(self, request, pk=None):
        """The run's journal: date,account,debit,credit,partner_siren,partner,invoice,label."""
        run = self.get_object()
        return csv_response(
            journal.journal_csv(run), "journal", request=request, filename=journal.journal_filename(run, "csv")
        )

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="journal-xlsx")
    def journal_xlsx(self, request, pk=None):
        """The run's journal as a spreadsheet (typed cells, a total row)."""
        run = self.get_object()
        return xlsx_download(
            journal.journal_xlsx(run), "journal", request=request, filename=journal.journal_filename(run, "xlsx")
        )

    @extend_schema(responses=PaymentPlanSerializer)
    @action(detail=True, methods=["get"], url_path="payment-plan")
    def payment_plan(self, request, pk=None):
        """What the next payment file of this approved run would pay, and whom it would leave out and why."""
        run = self.get_object()
        if run.status != RunStatus.APPROVED:
            raise as_drf_error(DjangoValidationError({"run": [f"{run.period} is {run.status}: no payment file."]}))
        plan = payment_files.payment_plan(run)
        data = {"total": plan.total, "transfers": plan.transfers, "held": [h.as_json() for h in plan.held]}
        return Response(PaymentPlanSerializer(data).data)
