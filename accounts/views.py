from django.shortcuts import redirect
from django.views.generic import FormView

from ecosystem.csvio import CsvFileError
from ecosystem.roles import CHANNEL_ONLY, is_internal
from ecosystem.web import RoleRequiredMixin, ScopedDetailView, ScopedListView
from opportunities.models import Opportunity

from .filtersets import AccountFilterSet
from .forms import AccountImportForm
from .importing import account_import_start
from .models import Account, Assignment


class AccountListView(ScopedListView):
    """Internal users see every account; a partner sees the accounts assigned to it."""

    model = Account
    filterset_class = AccountFilterSet
    template_name = "accounts/account_list.html"


class AccountDetailView(ScopedDetailView):
    model = Account
    template_name = "accounts/account_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        account = self.object
        context = {
            "opportunities": Opportunity.objects.for_user(user).filter(account=account).select_related("partner")[:100],
        }
        if is_internal(user):
            # Who covered the account when: the full assignment history, one query.
            context["assignments"] = (
                Assignment.objects.filter(account=account)
                .select_related("partner", "assigned_by")
                .order_by("-valid_from", "-id")
            )
        else:
            context["assignments"] = Assignment.objects.for_user(user).filter(account=account)
        return super().get_context_data(**context, **kwargs)


class AccountImportView(RoleRequiredMixin, FormView):
    """Upload the select-account list; the import runs as a job whose progress page follows."""

    allowed_roles = CHANNEL_ONLY
    form_class = AccountImportForm
    template_name = "accounts/account_import.html"

    def form_valid(self, form):
        try:
            job = account_import_start(
                uploaded=form.cleaned_data["file"],
                good_rows_only=form.cleaned_data["good_rows_only"],
                user=self.request.user,
            )
        except CsvFileError as error:
            form.add_error("file", str(error))
            return self.form_invalid(form)
        return redirect("job-detail", pk=job.pk)
