from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView
from django.views.generic.list import MultipleObjectMixin

from ecosystem.roles import CHANNEL_ONLY, is_internal, partner_id_of
from ecosystem.scoping import scope_filter_choices
from ecosystem.web import RoleRequiredMixin, ScopedDetailView, ScopedListView, ScopedQuerysetMixin, csv_response
from ecosystem.xlsx import xlsx_download
from jobs.import_views import CsvImportView

from . import services
from .assigning import ASSIGNMENT_COLUMNS, assign_selection
from .audit import account_history
from .exporting import accounts_csv, accounts_xlsx, assignments_csv, assignments_xlsx
from .filtersets import AccountFilterSet, AssignmentFilterSet
from .forms import AccountImportForm, AssignForm, AssignmentImportForm, EndAssignmentForm
from .importing import ACCOUNT_COLUMNS
from .models import Account, Assignment
from .tasks import import_accounts_task, import_assignments_task


class AccountListView(ScopedListView):
    """Internal users see every account; a partner sees the accounts assigned to it, with its own role on each."""

    model = Account
    filterset_class = AccountFilterSet
    template_name = "accounts/account_list.html"

    def get_queryset(self):
        queryset = super().get_queryset()
        partner_id = partner_id_of(self.request.user)
        return queryset.with_partner_role(partner_id) if partner_id is not None else queryset


class AccountDetailView(ScopedDetailView):
    model = Account
    template_name = "accounts/account_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        account = self.object
        context = {
            # Its deals (the reverse relation: opportunities sit above accounts), as the user may see them.
            "opportunities": account.opportunities.for_user(user).select_related("partner")[:100],
        }
        if is_internal(user):
            # Who covered the account when: the full assignment history, one query.
            context["assignments"] = (
                Assignment.objects.filter(account=account)
                .select_related("partner", "assigned_by")
                .order_by("-valid_from", "-id")
            )
            context["history"] = account_history(account)
        else:
            context["assignments"] = Assignment.objects.for_user(user).filter(account=account)
        if self.request.user.role == "channel":
            context["assign_form"] = AssignForm(user=user)
        return super().get_context_data(**context, **kwargs)


class AccountImportView(CsvImportView):
    """Upload the select-account list; the import runs as a job whose progress page follows."""

    form_class = AccountImportForm
    template_name = "accounts/account_import.html"
    kind, columns, task = "import_accounts", ACCOUNT_COLUMNS, import_accounts_task


class AssignmentImportView(AccountImportView):
    form_class = AssignmentImportForm
    template_name = "accounts/assignment_import.html"
    kind, columns, task = "import_assignments", ASSIGNMENT_COLUMNS, import_assignments_task


class AssignSelectionView(RoleRequiredMixin, FormView):
    """Assign every account matching the list's filters to one partner."""

    allowed_roles = CHANNEL_ONLY
    form_class = AssignForm
    template_name = "accounts/assign_selection.html"

    def selection(self):
        filterset = AccountFilterSet(
            self.request.GET, queryset=Account.objects.for_user(self.request.user), request=self.request
        )
        return filterset.qs if filterset.is_valid() else Account.objects.none()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(count=self.selection().count(), query=self.request.GET.urlencode(), **kwargs)

    def form_valid(self, form):
        result = assign_selection(
            accounts=self.selection(),
            partner=form.cleaned_data["partner"],
            role=form.cleaned_data["role"],
            valid_from=form.cleaned_data["valid_from"],
            user=self.request.user,
            reason=form.cleaned_data["reason"],
        )
        if not result.written:
            for error in result.errors[:20]:
                form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(created)s assignments created, %(ended)s ended, %(unchanged)s unchanged.") % result.as_dict(),
        )
        return redirect(f"{reverse('account-list')}?{self.request.GET.urlencode()}")


class AccountAssignView(RoleRequiredMixin, View):
    """Assign or reassign one account from its page."""

    allowed_roles = CHANNEL_ONLY

    def post(self, request, pk):
        account = get_object_or_404(Account.objects.for_user(request.user), pk=pk)
        form = AssignForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.assignment_create(
                    account=account,
                    partner=form.cleaned_data["partner"],
                    role=form.cleaned_data["role"],
                    valid_from=form.cleaned_data["valid_from"],
                    assigned_by=request.user,
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("Assignment saved."))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        else:
            messages.error(request, form.errors.as_text())
        return redirect("account-detail", pk=account.pk)


class AssignmentEndView(RoleRequiredMixin, View):
    """End an open assignment (it stays in the history)."""

    allowed_roles = CHANNEL_ONLY

    def post(self, request, pk):
        assignment = get_object_or_404(Assignment.objects.for_user(request.user), pk=pk)
        form = EndAssignmentForm(request.POST)
        if not form.is_valid():
            messages.error(request, form.errors.as_text())
            return redirect("account-detail", pk=assignment.account_id)
        try:
            services.assignment_end(assignment=assignment, reason=form.cleaned_data.get("reason", ""))
            messages.success(request, _("Assignment ended."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("account-detail", pk=assignment.account_id)


class AccountExportView(ScopedQuerysetMixin, MultipleObjectMixin, View):
    """The (filtered) accounts the user may see, as CSV (or, ``spreadsheet``, the same rows as .xlsx for people):
    a partner user's rows give its own role on each."""

    model = Account
    filterset_class = AccountFilterSet
    spreadsheet = False

    def get(self, request):
        filterset = self.filterset_class(request.GET or None, queryset=self.get_queryset(), request=request)
        scope_filter_choices(filterset, request.user)  # ?partner= names a partner of the caller's scope only
        if filterset.is_bound and not filterset.is_valid():
            return HttpResponseBadRequest(filterset.errors.as_text())
        accounts = filterset.qs if filterset.is_bound else self.get_queryset()
        partner_id = partner_id_of(request.user)
        if self.spreadsheet:
            return xlsx_download(accounts_xlsx(accounts, partner_id=partner_id), "accounts", request=request)
        return csv_response(accounts_csv(accounts, partner_id=partner_id), "accounts", request=request)


class AssignmentExportView(ScopedQuerysetMixin, MultipleObjectMixin, View):
    """Assignments (open and ended) the user may see, as CSV (or, ``spreadsheet``, as .xlsx for people)."""

    model = Assignment
    filterset_class = AssignmentFilterSet
    spreadsheet = False

    def get(self, request):
        filterset = self.filterset_class(request.GET or None, queryset=self.get_queryset(), request=request)
        scope_filter_choices(filterset, request.user)
        if filterset.is_bound and not filterset.is_valid():
            return HttpResponseBadRequest(filterset.errors.as_text())
        assignments = filterset.qs if filterset.is_bound else self.get_queryset()
        if self.spreadsheet:
            return xlsx_download(assignments_xlsx(assignments), "assignments", request=request)
        return csv_response(assignments_csv(assignments), "assignments", request=request)
