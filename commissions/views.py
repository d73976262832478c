"""Commission pages: the channel workspace (programs, rules, settlements, exceptions, disputes),
the managers' approval, and the partner portal (statements, disputes, estimator).

Thin: rows come scoped (``for_user``: 404 outside scope), roles are checked (403), and every
change goes through commissions' services.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from ecosystem.periods import period_label
from ecosystem.roles import ALL_ROLES, CHANNEL_ONLY, INTERNAL_ROLES, PARTNER_ROLES, Role, role_of
from ecosystem.web import RoleRequiredMixin, ScopedDetailView, ScopedListView, csv_response, report_errors
from ecosystem.xlsx import xlsx_download

from . import approval_rules, paying, settlement, statements
from . import disputes as dispute_service
from . import rules as rule_service
from .carried import to_be_paid, with_carried
from .earnings import figures_until, partner_earnings
from .estimator import estimate
from .filtersets import (
    DisputeFilterSet,
    ProgramFilterSet,
    SettlementExceptionFilterSet,
    SettlementRunFilterSet,
    StatementFilterSet,
)
from .forms import (
    DisputeMessageForm,
    DisputeOpenForm,
    DisputeResolveForm,
    EstimateForm,
    MarkPaidForm,
    ProgramForm,
    RuleForm,
    RuleReviseForm,
    SettlementRunForm,
)
from .models import (
    Dispute,
    DisputeMessage,
    DisputeStatus,
    ManualAdjustment,
    Program,
    Rule,
    RunStatus,
    SettlementException,
    SettlementRun,
    Statement,
)


def _errors_to_messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _form_errors_to_messages(request, form) -> None:
    """A form posted from another page: its errors become messages on the page it goes back to."""
    for field_errors in form.errors.values():
        for message in field_errors:
            messages.error(request, message)


class CommissionsHomeView(RoleRequiredMixin, View):
    def get(self, request):
        if role_of(request.user) in PARTNER_ROLES:
            return redirect("commissions:statement-list")
        return redirect("commissions:settlement-list")


# --- Programs and rules ---------------------------------------------------------------------------


class ProgramListView(ScopedListView):
    model = Program
    allowed_roles = INTERNAL_ROLES
    filterset_class = ProgramFilterSet
    template_name = "commissions/program_list.html"

    def get_queryset(self):
        return super().get_queryset().annotate(rule_count=Count("rules")).order_by("-valid_from", "name", "id")


class ProgramCreateView(RoleRequiredMixin, FormView):
    allowed_roles = CHANNEL_ONLY
    form_class = ProgramForm
    template_name = "commissions/program_form.html"

    def form_valid(self, form):
        try:
            program = rule_service.program_create(user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            report_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Program created."))
        return redirect("commissions:program-detail", pk=program.pk)


class ProgramDetailView(ScopedDetailView):
    model = Program
    allowed_roles = INTERNAL_ROLES
    template_name = "commissions/program_detail.html"

    def get_context_data(self, **kwargs):
        rules = rule_service.with_locked(self.object.rules.all())
        return super().get_context_data(
            rules=rules,
            history=rule_service.history_of(self.object, rule_service.PROGRAM_FIELDS, limit=50),
            can_edit=role_of(self.request.user) == Role.CHANNEL,
            **kwargs,
        )


class ProgramEditView(RoleRequiredMixin, FormView):
    allowed_roles = CHANNEL_ONLY
    form_class = ProgramForm
    template_name = "commissions/program_form.html"

    @cached_property
    def program(self):
        return get_object_or_404(Program.objects.for_user(self.request.user), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "program": self.program}

    def get_context_data(self, **kwargs):
        return super().get_context_data(program=self.program, **kwargs)

    def form_valid(self, form):
        try:
            rule_service.program_update(program=self.program, user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            report_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Program saved."))
        return redirect("commissions:program-detail", pk=self.program.pk)


class RuleCreateView(RoleRequiredMixin, FormView):
    allowed_roles = CHANNEL_ONLY
    form_class = RuleForm
    template_name = "commissions/rule_form.html"

    @cached_property
    def program(self):
        return get_object_or_404(Program.objects.for_user(self.request.user), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "program": self.program}

    def get_context_data(self, **kwargs):
        return super().get_context_data(program=self.program, mode="create", **kwargs)

    def form_valid(self, form):
        try:
            rule = rule_service.rule_create(program=self.program, user=self.request.user, **form.values())
        except ValidationError as error:
            report_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Rule created."))
        return redirect("commissions:rule-detail", pk=rule.pk)


class RuleDetailView(ScopedDetailView):
    model = Rule
    allowed_roles = INTERNAL_ROLES
    template_name = "commissions/rule_detail.html"

    def get_queryset(self):
        return rule_service.with_locked(super().get_queryset().select_related("program"))

    def get_context_data(self, **kwargs):
        rule = self.object
        return super().get_context_data(
            used=rule_service.last_approved_use(rule) if rule.is_locked else None,
            versions=rule_service.versions_of(rule),
            history=rule_service.history_of(rule, rule_service.RULE_FIELDS, limit=50),
            bands=rule.bands,
            can_edit=role_of(self.request.user) == Role.CHANNEL,
            **kwargs,
        )


class _RuleFormView(RoleRequiredMixin, FormView):
    allowed_roles = CHANNEL_ONLY
    template_name = "commissions/rule_form.html"

    @cached_property
    def rule(self):
        return get_object_or_404(
            Rule.objects.for_user(self.request.user).select_related("program"), pk=self.kwargs["pk"]
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "program": self.rule.program, "rule": self.rule}

    def get_context_data(self, **kwargs):
        return super().get_context_data(program=self.rule.program, rule=self.rule, mode=self.mode, **kwargs)


class RuleEditView(_RuleFormView):
    """Edit a rule in place — only while no approved settlement used it; otherwise: revise."""

    form_class = RuleForm
    mode = "edit"

    def get(self, request, *args, **kwargs):
        used = rule_service.last_approved_use(self.rule)
        if used:
            messages.error(request, str(rule_service.RuleLockedError(self.rule, used[0])))
            return redirect("commissions:rule-revise", pk=self.rule.pk)
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            rule_service.rule_update(rule=self.rule, user=self.request.user, **form.values())
        except rule_service.RuleLockedError as error:
            messages.error(self.request, str(error))
            return redirect("commissions:rule-revise", pk=self.rule.pk)
        except ValidationError as error:
            report_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Rule saved."))
        return redirect("commissions:rule-detail", pk=self.rule.pk)


class RuleReviseView(_RuleFormView):
    """End the rule the day before a date and start a new version from that date."""

    form_class = RuleReviseForm
    mode = "revise"

    def form_valid(self, form):
        values = form.values()
        starts_on = values.pop("valid_from")
        try:
            new = rule_service.rule_revise(rule=self.rule, starts_on=starts_on, user=self.request.user, **values)
        except ValidationError as error:
            report_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("New version created; the previous one ends the day before it starts."))
        return redirect("commissions:rule-detail", pk=new.pk)


# --- Settlements ----------------------------------------------------------------------------------


class SettlementListView(ScopedListView):
    model = SettlementRun
    allowed_roles = INTERNAL_ROLES
    filterset_class = SettlementRunFilterSet
    template_name = "commissions/settlement_list.html"

    def get_queryset(self):
        return paying.with_payment_progress(super().get_queryset().select_related("job", "run_by", "approved_by"))

    def get_context_data(self, **kwargs):
        form = SettlementRunForm()
        return super().get_context_data(run_form=form, **kwargs)


class SettlementRunView(RoleRequiredMixin, View):
    """Queue the computation of a period (from the list page's form) and follow its progress.

    The channel team runs settlements; a manager may too, and then another manager approves."""

    allowed_roles = INTERNAL_ROLES

    def post(self, request):
        form = SettlementRunForm(request.POST)
        if not form.is_valid():
            for message in form.errors.get("period", []):
                messages.error(request, message)
            return redirect("commissions:settlement-list")
        try:
            run = settlement.settlement_request(period=form.cleaned_data["period"], user=request.user)
        except ValidationError as error:
            _errors_to_messages(request, error)
            return redirect("commissions:settlement-list")
        messages.success(request, _("Settlement %(period)s queued.") % {"period": period_label(run.period)})
        return redirect("commissions:settlement-detail", pk=run.pk)


class SettlementDetailView(ScopedDetailView):
    model = SettlementRun
    allowed_roles = INTERNAL_ROLES
    template_name = "commissions/settlement_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("job", "run_by", "approved_by")

    def get_context_data(self, **kwargs):
        run = self.object
        user = self.request.user
        partner_totals = Statement.objects.current().filter(run=run).select_related("partner").order_by("partner__name")
        page = Paginator(partner_totals, 100).get_page(self.request.GET.get("page"))
        role = role_of(user)
        refusal = approval_rules.approval_refusal(run, user) if role == Role.MANAGER else None
        adjustments = ManualAdjustment.objects.filter(run=run).select_related("partner", "created_by", "dispute")
        return super().get_context_data(
            job=run.job,
            statements_page=page,
            dispute_count=Dispute.objects.filter(line__run=run).exclude(status=DisputeStatus.RESOLVED).count(),
            can_approve=role == Role.MANAGER and refusal is None,
            can_review=run.status == RunStatus.COMPUTED,
            # Why a manager cannot approve a computed run (four eyes, preliminary, to recompute).
            approval_refusal=refusal if run.status == RunStatus.COMPUTED else None,
            runner_cannot_approve=refusal is not None and refusal.four_eyes and run.status == RunStatus.COMPUTED,
            can_mark_paid=role in INTERNAL_ROLES and run.status == RunStatus.APPROVED,
            payment_progress=paying.payment_progress(run) if run.status == RunStatus.APPROVED else None,
            can_rerun=role in INTERNAL_ROLES and run.status in (RunStatus.COMPUTED, RunStatus.FAILED, RunStatus.QUEUED),
            can_adjust=role == Role.CHANNEL and not run.is_locked and run.status != RunStatus.RUNNING,
            manual_adjustments=adjustments[:100],
            figures_until=figures_until(run) if run.status == RunStatus.COMPUTED else None,
            paid_form=MarkPaidForm(initial={"paid_on": timezone.localdate()}),
            **kwargs,
        )


class _RunActionView(RoleRequiredMixin, View):
    def run(self, request, pk):
        return get_object_or_404(SettlementRun.objects.for_user(request.user), pk=pk)


class SettlementMarkPaidView(_RunActionView):
    """Record the payment of an approved run: the day, the batch reference, statements' own references."""

    allowed_roles = INTERNAL_ROLES

    def post(self, request, pk):
        run = self.run(request, pk)
        form = MarkPaidForm(request.POST)
        if not form.is_valid():
            _form_errors_to_messages(request, form)
            return redirect("commissions:settlement-detail", pk=run.pk)
        data = form.cleaned_data
        try:
            outcome = paying.settlement_mark_paid(
                run=run, user=request.user, paid_on=data["paid_on"], reference=data["payment_reference"],
                references=data["references"],
            )  # fmt: skip
            if outcome.run.status == RunStatus.PAID:
                messages.success(
                    request, _("Settlement %(period)s marked paid.") % {"period": period_label(run.period)}
                )
            else:
                messages.success(
                    request,
                    _("%(n)s statements of %(period)s marked paid.")
                    % {"n": outcome.paid, "period": period_label(run.period)},
                )
            if outcome.left_out:
                messages.warning(
                    request,
                    _("Left out, not marked paid: %(who)s.") % {"who": outcome.left_out_text},
                )
        except ValidationError as error:
            _errors_to_messages(request, error)
        return redirect("commissions:settlement-detail", pk=run.pk)


class SettlementExportView(_RunActionView):
    """Finance export of a run's lines (every partner), in the statement CSV format (or, ``spreadsheet``, the
    same rows as .xlsx for people)."""

    allowed_roles = INTERNAL_ROLES
    spreadsheet = False

    def get(self, request, pk):
        run = self.run(request, pk)
        if run.committed_attempt is None:
            messages.error(request, _("This run has no computed lines yet."))
            return redirect("commissions:settlement-detail", pk=run.pk)
        if self.spreadsheet:
            return xlsx_download(
                statements.run_xlsx(run), "settlement", filename=f"settlement-{run.period}.xlsx", request=request
            )
        return csv_response(
            statements.run_csv(run), "settlement", filename=f"settlement-{run.period}.csv", request=request
        )


class ExceptionListView(ScopedListView):
    model = SettlementException
    allowed_roles = INTERNAL_ROLES
    filterset_class = SettlementExceptionFilterSet
    template_name = "commissions/exception_list.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(attempt=F("run__committed_attempt"))
            .select_related("run", "partner", "opportunity__account")
            .order_by("-run__period_start", "partner__name", "opportunity_id")
        )


# --- Statements -----------------------------------------------------------------------------------


class StatementListView(ScopedListView):
    """Internal users: every statement; partner users: their partner's, of approved or paid runs."""

    model = Statement
    allowed_roles = ALL_ROLES
    filterset_class = StatementFilterSet
    template_name = "commissions/statement_list.html"

    def get_queryset(self):
        return with_carried(
            super()
            .get_queryset()
            .current()
            .select_related("run", "partner")
            .order_by("-run__period_start", "partner__name")
        )

    def get_context_data(self, **kwargs):
        partner_id = getattr(self.request.user, "partner_id", None)
        earnings = partner_earnings(partner_id, timezone.localdate()) if partner_id else None
        return super().get_context_data(earnings=earnings, **kwargs)


class StatementDetailView(ScopedDetailView):
    model = Statement
    allowed_roles = ALL_ROLES
    template_name = "commissions/statement_detail.html"

    def get_queryset(self):
        return with_carried(super().get_queryset().select_related("run", "partner"))

    def get_context_data(self, **kwargs):
        lines = statements.with_open_disputes(statements.statement_lines(self.object))
        page = Paginator(lines, 200).get_page(self.request.GET.get("page"))
        run = self.object.run
        can_dispute = role_of(self.request.user) == Role.PARTNER_ADMIN and run.is_locked
        until = figures_until(run) if run.status == RunStatus.COMPUTED else None
        return super().get_context_data(
            lines_page=page, can_dispute=can_dispute, figures_until=until, to_be_paid=to_be_paid(self.object),
            **kwargs,
        )  # fmt: skip


class StatementExportView(RoleRequiredMixin, View):
    """A statement as CSV (or, ``spreadsheet``, as .xlsx for people)."""

    allowed_roles = ALL_ROLES
    spreadsheet = False

    def get(self, request, pk):
        statement = get_object_or_404(
            Statement.objects.for_user(request.user).current().select_related("run", "partner"), pk=pk
        )
        if self.spreadsheet:
            return xlsx_download(
                statements.statement_xlsx(statement), "statement",
                filename=statements.statement_filename(statement, "xlsx"), request=request,
            )  # fmt: skip
        return csv_response(
            statements.statement_csv(statement), "statement",
            filename=statements.statement_filename(statement), request=request,
        )  # fmt: skip


# --- Disputes -------------------------------------------------------------------------------------


class LineDisputeView(RoleRequiredMixin, FormView):
    """A partner admin disputes one line of its statement, with a comment."""

    allowed_roles = frozenset({Role.PARTNER_ADMIN})
    form_class = DisputeOpenForm
    template_name = "commissions/dispute_open.html"

    @cached_property
    def line(self):
        lines = dispute_service.disputable_lines(self.request.user).select_related(
            "run", "rule", "opportunity__account"
        )
        return get_object_or_404(lines, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        statement = Statement.objects.current().filter(run_id=self.line.run_id, partner_id=self.line.partner_id).first()
        return super().get_context_data(line=self.line, statement=statement, **kwargs)

    def form_valid(self, form):
        try:
            dispute = dispute_service.dispute_open(
                line=self.line, user=self.request.user, comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            report_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Dispute sent to the channel team."))
        return redirect("commissions:dispute-detail", pk=dispute.pk)


class DisputeListView(ScopedListView):
    """The channel team's queue; a partner's own disputes."""

    model = Dispute
    allowed_roles = ALL_ROLES
    filterset_class = DisputeFilterSet
    template_name = "commissions/dispute_list.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("line__run", "line__partner", "line__rule", "line__opportunity__account", "opened_by")
            .annotate(message_count=Count("messages"))
            .order_by("status", "-created_at")
        )


class DisputeDetailView(ScopedDetailView):
    model = Dispute
    allowed_roles = ALL_ROLES
    template_name = "commissions/dispute_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("line__run", "line__partner", "line__rule", "line__opportunity__account", "opened_by")
        )

    def get_context_data(self, **kwargs):
        dispute = self.object
        user = self.request.user
        open_ = dispute.status != DisputeStatus.RESOLVED
        statement = (
            Statement.objects.current().filter(run_id=dispute.line.run_id, partner_id=dispute.line.partner_id).first()
        )
        adjustment = ManualAdjustment.objects.filter(dispute=dispute).select_related("run").first()
        return super().get_context_data(
            thread=DisputeMessage.objects.filter(dispute=dispute).select_related("author"),
            statement=statement,
            adjustment=adjustment,
            message_form=DisputeMessageForm() if open_ and dispute_service.can_write(user, dispute) else None,
            resolve_form=DisputeResolveForm() if open_ and role_of(user) == Role.CHANNEL else None,
            **kwargs,
        )


class _DisputeActionView(RoleRequiredMixin, View):
    def dispute(self, request, pk):
        return get_object_or_404(Dispute.objects.for_user(request.user).select_related("line"), pk=pk)


class DisputeMessageView(_DisputeActionView):
    allowed_roles = frozenset({Role.CHANNEL, Role.PARTNER_ADMIN})

    def post(self, request, pk):
        dispute = self.dispute(request, pk)
        form = DisputeMessageForm(request.POST)
        if not form.is_valid():
            _form_errors_to_messages(request, form)
        else:
            try:
                dispute_service.dispute_post(dispute=dispute, user=request.user, body=form.cleaned_data["body"])
                messages.success(request, _("Message sent."))
            except ValidationError as error:
                _errors_to_messages(request, error)
        return redirect("commissions:dispute-detail", pk=dispute.pk)


class DisputeResolveView(_DisputeActionView):
    allowed_roles = CHANNEL_ONLY

    def post(self, request, pk):
        dispute = self.dispute(request, pk)
        form = DisputeResolveForm(request.POST)
        if not form.is_valid():
            _form_errors_to_messages(request, form)
        else:
            data = form.cleaned_data
            try:
                dispute_service.dispute_resolve(
                    dispute=dispute, user=request.user, outcome=data["outcome"], resolution=data["resolution"],
                    amount=data["amount"] or None,
                )  # fmt: skip
                messages.success(request, _("Dispute resolved."))
            except ValidationError as error:
                _errors_to_messages(request, error)
        return redirect("commissions:dispute-detail", pk=dispute.pk)


# --- Estimator ------------------------------------------------------------------------------------


class EstimatorView(RoleRequiredMixin, TemplateView):
    """What a deal would pay under today's rules. A GET form: it reads only."""

    allowed_roles = ALL_ROLES
    template_name = "commissions/estimator.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        submitted = any(key in self.request.GET for key in ("amount", "product_line"))
        initial = {}
        if "account" in self.request.GET and not submitted:
            initial["account"] = self.request.GET.get("account")
        form = EstimateForm(self.request.GET if submitted else None, user=user, initial=initial)
        result = None
        if submitted and form.is_valid():
            data = form.cleaned_data
            result = estimate(
                partner=data["the_partner"],
                account=data["the_account"],
                product_line=data["product_line"],
                amount=data["amount"],
                day=data.get("expected_close"),
            )
        return super().get_context_data(form=form, result=result, **kwargs)
