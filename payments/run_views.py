"""A run's payments page (internal users): its invoices, the accounting journal (CSV, .xlsx) and, for
the channel team, the payment files — what the next one would pay, whom it leaves out and why."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic.detail import BaseDetailView, SingleObjectMixin

from commissions.models import RunStatus, SettlementRun, Statement
from ecosystem.roles import CHANNEL_ONLY, INTERNAL_ROLES, Role, role_of
from ecosystem.web import RoleRequiredMixin, ScopedDetailView, ScopedListView, ScopedQuerysetMixin, csv_response
from ecosystem.xlsx import xlsx_download

from . import journal, payment_files, releasing
from .filtersets import PaymentFileFilterSet
from .forms import PaymentFileCancelForm, PaymentFileExecuteForm, PaymentFileForm
from .models import HoldReason, Invoice, InvoiceKind, PaymentFile, PaymentFileStatus


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
            payment_files=PaymentFile.objects.filter(run=run).select_related("created_by", "released_by")
            if is_channel
            else None,
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


class PaymentFileListView(ScopedListView):
    """Every payment file, newest first, filterable by status (the to-do list links to those awaiting release)."""

    model = PaymentFile
    allowed_roles = CHANNEL_ONLY
    filterset_class = PaymentFileFilterSet
    template_name = "payments/payment_file_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("run", "created_by", "released_by")


class PaymentFileDetailView(ScopedDetailView):
    model = PaymentFile
    allowed_roles = CHANNEL_ONLY
    template_name = "payments/payment_file_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("run", "created_by", "released_by", "executed_by", "cancelled_by")

    def get_context_data(self, **kwargs):
        payment_file = self.object
        transfers = payment_file.transfers.select_related("partner", "invoice").order_by("id")
        awaiting = payment_file.status == PaymentFileStatus.AWAITING_RELEASE
        return super().get_context_data(
            transfers=transfers,
            held=held_rows(payment_file.held),
            made_it=payment_file.created_by_id == self.request.user.pk,
            can_release=awaiting and payment_file.created_by_id != self.request.user.pk,
            can_cancel=payment_file.status in (PaymentFileStatus.AWAITING_RELEASE, PaymentFileStatus.RELEASED),
            can_execute=payment_file.status == PaymentFileStatus.RELEASED,
            cancel_form=PaymentFileCancelForm(),
            execute_form=PaymentFileExecuteForm(initial={"executed_on": payment_file.execution_date}),
            **kwargs,
        )


class _PaymentFileActionView(ScopedQuerysetMixin, SingleObjectMixin, View):
    """A step of a payment file's life (release, cancel, executed): the service decides, the page tells."""

    model = PaymentFile
    allowed_roles = CHANNEL_ONLY
    form_class = None

    def act(self, payment_file, user, data):
        raise NotImplementedError

    def success_message(self, payment_file) -> str:
        raise NotImplementedError

    def post(self, request, pk):
        payment_file = self.get_object()
        data = {}
        if self.form_class is not None:
            form = self.form_class(request.POST)
            if not form.is_valid():
                for field_errors in form.errors.values():
                    for message in field_errors:
                        messages.error(request, message)
                return redirect("payments:payment-file-detail", pk=payment_file.pk)
            data = form.cleaned_data
        try:
            payment_file = self.act(payment_file, request.user, data)
        except (ValidationError, PermissionDenied) as error:
            for message in getattr(error, "messages", None) or [str(error)]:
                messages.error(request, message)
            return redirect("payments:payment-file-detail", pk=pk)
        messages.success(request, self.success_message(payment_file))
        return redirect("payments:payment-file-detail", pk=payment_file.pk)


class PaymentFileReleaseView(_PaymentFileActionView):
    def act(self, payment_file, user, data):
        return releasing.payment_file_release(payment_file=payment_file, user=user)

    def success_message(self, payment_file):
        return _("Payment file %(id)s released: it may be sent to the bank.") % {"id": payment_file.message_id}


class PaymentFileCancelView(_PaymentFileActionView):
    form_class = PaymentFileCancelForm

    def act(self, payment_file, user, data):
        return releasing.payment_file_cancel(payment_file=payment_file, user=user, reason=data["reason"])

    def success_message(self, payment_file):
        return _("Payment file %(id)s cancelled: its invoices can be paid by a new file.") % {
            "id": payment_file.message_id
        }


class PaymentFileExecuteView(_PaymentFileActionView):
    form_class = PaymentFileExecuteForm

    def act(self, payment_file, user, data):
        return releasing.payment_file_execute(
            payment_file=payment_file, user=user, executed_on=data["executed_on"],
            bank_reference=data.get("bank_reference", ""),
        )  # fmt: skip

    def success_message(self, payment_file):
        return _("Payment file %(id)s executed: its %(count)s statements are paid.") % {
            "id": payment_file.message_id, "count": payment_file.transfer_count
        }  # fmt: skip


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
