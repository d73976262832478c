"""Billing details pages: a partner admin's own, the channel team's list of partners with missing or
held details, the form (both), the IBAN confirmation (channel team, four eyes).

Thin: the partner comes scoped (``for_user``: another partner's is 404), roles are checked (403:
partner reps and managers see no billing details), every change goes through billing.py.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from ecosystem.roles import CHANNEL_ONLY, Role, role_of
from ecosystem.web import RoleRequiredMixin, ScopedDetailView, ScopedListView, report_errors
from partners.models import Partner

from . import billing
from .filtersets import PartnerBillingFilterSet
from .forms import BillingDetailsForm
from .models import BillingDetails

BILLING_ROLES = frozenset({Role.CHANNEL, Role.PARTNER_ADMIN})
PARTNER_ADMIN_ONLY = frozenset({Role.PARTNER_ADMIN})


class BillingListView(ScopedListView):
    """Every partner with the state of its billing details: missing ones and held IBANs first."""

    model = Partner
    allowed_roles = CHANNEL_ONLY
    filterset_class = PartnerBillingFilterSet
    template_name = "payments/billing_list.html"

    def get_queryset(self):
        details = BillingDetails.objects.filter(partner=OuterRef("pk"))
        return (
            super()
            .get_queryset()
            .select_related("billing_details")
            .annotate(has_details=Exists(details), is_held=Exists(details.filter(iban_confirmed_at__isnull=True)))
            .order_by("has_details", "-is_held", "name", "pk")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            missing=Partner.objects.exclude(billing_details__isnull=False).count(),
            held=BillingDetails.objects.held().count(),
            **kwargs,
        )


class MyBillingView(RoleRequiredMixin, View):
    """A partner admin's own billing details."""

    allowed_roles = PARTNER_ADMIN_ONLY

    def get(self, request):
        return redirect("payments:billing-detail", pk=request.user.partner_id)


class BillingDetailView(ScopedDetailView):
    """One partner's billing details (the IBAN masked), their state and their recorded changes."""

    model = Partner
    allowed_roles = BILLING_ROLES
    template_name = "payments/billing_detail.html"

    def get_context_data(self, **kwargs):
        details = billing.details_of(self.object)
        user = self.request.user
        can_confirm = (
            details is not None
            and details.is_held
            and role_of(user) == Role.CHANNEL
            and details.iban_changed_by_id != user.pk
        )
        return super().get_context_data(
            details=details,
            history=billing.history_of(details) if details else [],
            can_edit=billing.can_edit(user, self.object),
            can_confirm=can_confirm,
            entered_it=details is not None and details.is_held and details.iban_changed_by_id == user.pk,
            **kwargs,
        )


class _PartnerMixin(RoleRequiredMixin):
    @cached_property
    def partner(self):
        return get_object_or_404(Partner.objects.for_user(self.request.user), pk=self.kwargs["pk"])


class BillingEditView(_PartnerMixin, FormView):
    allowed_roles = BILLING_ROLES
    form_class = BillingDetailsForm
    template_name = "payments/billing_form.html"

    @cached_property
    def details(self):
        return billing.details_of(self.partner)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "details": self.details}

    def get_context_data(self, **kwargs):
        return super().get_context_data(partner=self.partner, details=self.details, **kwargs)

    def form_valid(self, form):
        values = dict(form.cleaned_data)
        if self.details is not None and not values["iban"]:
            values["iban"] = self.details.iban  # left empty: keep it
        try:
            billing.billing_details_save(partner=self.partner, user=self.request.user, **values)
        except ValidationError as error:
            report_errors(form, error)
            return self.form_invalid(form)
        except PermissionDenied as error:
            raise PermissionDenied(str(error)) from error
        messages.success(self.request, _("Billing details saved. The partner's administrators are told by e-mail."))
        return redirect("payments:billing-detail", pk=self.partner.pk)


class BillingConfirmIbanView(_PartnerMixin, View):
    """The channel team confirms a new IBAN (four eyes: never the one who entered it)."""

    allowed_roles = CHANNEL_ONLY

    def post(self, request, pk):
        details = get_object_or_404(BillingDetails.objects.for_user(request.user), partner=self.partner)
        try:
            billing.billing_details_confirm_iban(details=details, user=request.user)
            messages.success(request, _("IBAN confirmed: the partner's payments are no longer held."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        except PermissionDenied as error:
            messages.error(request, str(error))
        return redirect("payments:billing-detail", pk=self.partner.pk)
