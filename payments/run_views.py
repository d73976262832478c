"""A run's payments page (internal users): its invoices, the accounting journal (CSV, .xlsx) and, for
the channel team, the payment files — what the next one would pay, whom it leaves out and why."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic.detail import BaseDetailView

from commissions.models import RunStatus, SettlementRun, Statement
from ecosystem.roles import CHANNEL_ONLY, INTERNAL_ROLES, Role, role_of
from ecosystem.web import RoleRequiredMixin, ScopedDetailView, ScopedQuerysetMixin, csv_response
from ecosystem.xlsx import xlsx_download

from . import journal, payment_files
from .forms import PaymentFileForm
from .models import HoldReason, Invoice, InvoiceKind, PaymentFile


def held_rows(held: list[dict]) -> list[dict]:
    """Partners left out of a payment file, each with its reason in words."""
    labels = dict(HoldReason.choices)
    return [{**row, "label": labels.get(row["reason"], row["reason"])} for row in held]


class RunPaymentsView(ScopedDetailView):
    model = SettlementRun
    allowed_roles = INTERNAL_ROLES
    template_name = "payments/run_payments.html"

    def get_context_data(self, **kwargs):
        run = self.object
        is_channel = role_of(self.request.user) == Role.CHANNEL
        figures = Invoice.objects.filter(run=run).aggregate(
            invoices=Count("pk", filter=Q(kind=InvoiceKind.INVOICE)),
            credit_notes=Count("pk", filter=Q(kind=InvoiceKind.CREDIT_NOTE)),
            net=Sum("net"),
            vat=Sum("vat"),
            gross=Sum("gross"),
        )
        waiting = Statement.objects.current().filter(run=run, invoice__isnull=True).exclude(total=0).count()
        plan = payment_files.payment_plan(run) if is_channel and run.status == RunStatus.APPROVED else None
        return super().get_context_data(
            figures=figures,
            waiting=waiting,
            plan=plan,
            held=held_rows([h.as_json() for h in plan.held]) if plan else [],
            payment_files=PaymentFile.objects.filter(run=run).select_related("created_by") if is_channel else None,
            file_form=PaymentFileForm(initial={"execution_date": payment_files.default_execution_date()}),
            is_channel=is_channel,
            **kwargs,
        )


class PaymentFileCreateView(RoleRequiredMixin, View):
    allowed_roles = CHANNEL_ONLY

    def post(self, request, pk):
        run = get_object_or_404(SettlementRun.objects.for_user(request.user), pk=pk)
        form = PaymentFileForm(request.POST)
        if not form.is_valid():
            for field_errors in form.errors.values():
                for message in field_errors:
                    messages.error(request, message)
            return redirect("payments:run-payments", pk=run.pk)
        try:
            payment_file = payment_files.payment_file_create(
                run=run, user=request.user, execution_date=form.cleaned_data["execution_date"]
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("payments:run-payments", pk=run.pk)
        except PermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        messages.success(
            request,
            _("Payment file %(id)s made: %(count)s transfers.")
            % {"id": payment_file.message_id, "count": payment_file.transfer_count},
        )
        return redirect("payments:payment-file-detail", pk=payment_file.pk)


class PaymentFileDetailView(ScopedDetailView):
    model = PaymentFile
    allowed_roles = CHANNEL_ONLY
    template_name = "payments/payment_file_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("run", "created_by")

    def get_context_data(self, **kwargs):
        transfers = self.object.transfers.select_related("partner", "invoice").order_by("id")
        return super().get_context_data(transfers=transfers, held=held_rows(self.object.held), **kwargs)


class PaymentFileXmlView(ScopedQuerysetMixin, BaseDetailView):
    """The pain.001.001.03 file to send to the bank (every download is audited)."""

    model = PaymentFile
    allowed_roles = CHANNEL_ONLY

    def get(self, request, *args, **kwargs):
        import audit
        from audit import kinds

        payment_file = self.get_object()
        filename = payment_files.payment_file_filename(payment_file)
        audit.record(kinds.EXPORT, actor=request.user, request=request, target=payment_file, target_repr=filename,
                     detail={"export": "payment_file"})  # fmt: skip
        response = HttpResponse(payment_files.payment_file_xml(payment_file), content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class _JournalView(ScopedQuerysetMixin, BaseDetailView):
    model = SettlementRun
    allowed_roles = INTERNAL_ROLES


class JournalCsvView(_JournalView):
    def get(self, request, *args, **kwargs):
        run = self.get_object()
        return csv_response(
            journal.journal_csv(run), "journal", request=request, filename=journal.journal_filename(run, "csv")
        )


class JournalXlsxView(_JournalView):
    def get(self, request, *args, **kwargs):
        run = self.get_object()
        return xlsx_download(
            journal.journal_xlsx(run), "journal", request=request, filename=journal.journal_filename(run, "xlsx")
        )
