"""Quota pages (SPEC §4.3): the channel team enters, changes and imports quotas; managers read them;
a partner's users read their own partner's (what its accelerators measure against).

Thin: rows come scoped (404 outside scope), roles are checked (403), writes go through
:mod:`commissions.quotas` and the import through a job (:mod:`commissions.quota_import`).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import FormView

from ecosystem.roles import ALL_ROLES, CHANNEL_ONLY, INTERNAL_ROLES, role_of
from ecosystem.web import RoleRequiredMixin, ScopedDetailView, ScopedListView, report_errors
from jobs.import_views import CsvImportView

from . import quotas as quota_service
from .filtersets import QuotaFilterSet
from .forms import QuotaEditForm, QuotaForm, QuotaImportForm
from .models import Quota
from .quota_import import QUOTA_COLUMNS
from .tasks import import_quotas_task


class QuotaListView(ScopedListView):
    model = Quota
    allowed_roles = ALL_ROLES
    filterset_class = QuotaFilterSet
    template_name = "commissions/quota_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("partner").order_by("-period", "partner__name", "id")

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_edit=role_of(self.request.user) in CHANNEL_ONLY, **kwargs)


class QuotaDetailView(ScopedDetailView):
    model = Quota
    allowed_roles = ALL_ROLES
    template_name = "commissions/quota_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("partner")

    def get_context_data(self, **kwargs):
        quota = self.object
        role = role_of(self.request.user)
        locked = quota_service.locked_run(quota.period)
        return super().get_context_data(
            history=quota_service.quota_history(quota, show_users=role in INTERNAL_ROLES),
            locked=locked,
            locked_message=quota_service.locked_message(locked) if locked else "",
            can_edit=role in CHANNEL_ONLY and locked is None,
            **kwargs,
        )


class QuotaCreateView(RoleRequiredMixin, FormView):
    allowed_roles = CHANNEL_ONLY
    form_class = QuotaForm
    template_name = "commissions/quota_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            quota = quota_service.quota_create(
                partner=data["partner"], period=data["period"], amount=data["amount"], user=self.request.user,
                reason=data["reason"],
            )  # fmt: skip
        except ValidationError as error:
            report_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Quota saved."))
        return redirect("commissions:quota-detail", pk=quota.pk)


class QuotaEditView(RoleRequiredMixin, FormView):
    allowed_roles = CHANNEL_ONLY
    form_class = QuotaEditForm
    template_name = "commissions/quota_form.html"

    @cached_property
    def quota(self):
        quotas = Quota.objects.for_user(self.request.user).select_related("partner")
        return get_object_or_404(quotas, pk=self.kwargs["pk"])

    def get_initial(self):
        return {"amount": self.quota.amount}

    def get_context_data(self, **kwargs):
        return super().get_context_data(quota=self.quota, **kwargs)

    def form_valid(self, form):
        try:
            quota_service.quota_update(
                quota=self.quota, amount=form.cleaned_data["amount"], user=self.request.user,
                reason=form.cleaned_data["reason"],
            )  # fmt: skip
        except ValidationError as error:
            report_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Quota saved."))
        return redirect("commissions:quota-detail", pk=self.quota.pk)


class QuotaImportView(CsvImportView):
    """Upload quotas as CSV; the import runs as a job whose progress page follows."""

    form_class = QuotaImportForm
    template_name = "commissions/quota_import.html"
    kind, columns, task = "import_quotas", QUOTA_COLUMNS, import_quotas_task
