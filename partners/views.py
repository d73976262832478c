"""Partner pages: the list (searchable), a partner's page with its history, and the channel team's
forms to create, edit, suspend and activate partners. Secondments and roadshows have their own
modules (secondment_views.py, roadshow_views.py)."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

from ecosystem.history import history_entries
from ecosystem.roles import CHANNEL_ONLY, INTERNAL_ROLES, Role, role_of
from ecosystem.web import RoleRequiredMixin, ScopedDetailView, ScopedListView, ScopedObjectFormView, ServiceFormMixin

from . import services
from .filtersets import PartnerFilterSet
from .forms import PartnerForm, ReasonForm, SuspendForm
from .models import Partner

PARTNER_HISTORY_FIELDS = [
    "name",
    "siren",
    "kind",
    "tier",
    "status",
    "regions",
    "specialisations",
    "joined_on",
    "capacity",
]


class PartnerListView(ScopedListView):
    model = Partner
    allowed_roles = INTERNAL_ROLES
    filterset_class = PartnerFilterSet
    template_name = "partners/partner_list.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(open_accounts=Count("assignments", filter=Q(assignments__valid_to__isnull=True), distinct=True))
            .order_by("name", "id")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_edit=role_of(self.request.user) == Role.CHANNEL, **kwargs)


class PartnerDetailView(ScopedDetailView):
    model = Partner
    allowed_roles = INTERNAL_ROLES
    template_name = "partners/partner_detail.html"

    def get_context_data(self, **kwargs):
        partner = self.object
        return super().get_context_data(
            secondments=partner.secondments.all(),
            roadshows=partner.roadshows.order_by("-date", "id")[:20],
            assignments=partner.assignments.open().select_related("account")[:100],
            history=history_entries(partner, PARTNER_HISTORY_FIELDS),
            can_edit=role_of(self.request.user) == Role.CHANNEL,
            **kwargs,
        )


class PartnerCreateView(ServiceFormMixin, RoleRequiredMixin, FormView):
    allowed_roles = CHANNEL_ONLY
    form_class = PartnerForm
    template_name = "partners/partner_form.html"

    def act(self, form):
        partner = services.partner_create(user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Partner created."))
        return redirect("partner-detail", pk=partner.pk)


class PartnerEditView(ScopedObjectFormView):
    model = Partner
    allowed_roles = CHANNEL_ONLY
    form_class = PartnerForm
    template_name = "partners/partner_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Partner.objects.get(pk=self.object.pk)}

    def act(self, form):
        services.partner_update(partner=self.object, user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Partner saved."))
        return redirect("partner-detail", pk=self.object.pk)


class PartnerSuspendView(ScopedObjectFormView):
    """Ask why, then suspend."""

    model = Partner
    allowed_roles = CHANNEL_ONLY
    form_class = SuspendForm
    template_name = "partners/partner_status_form.html"
    extra_context = {"action": "suspend"}

    def act(self, form):
        services.partner_suspend(partner=self.object, user=self.request.user, reason=form.cleaned_data["reason"])
        messages.success(self.request, _("Partner suspended."))
        return redirect("partner-detail", pk=self.object.pk)


class PartnerActivateView(ScopedObjectFormView):
    """A prospect becomes active, a suspended partner active again."""

    model = Partner
    allowed_roles = CHANNEL_ONLY
    form_class = ReasonForm
    template_name = "partners/partner_status_form.html"
    extra_context = {"action": "activate"}

    def act(self, form):
        services.partner_activate(partner=self.object, user=self.request.user, reason=form.cleaned_data["reason"])
        messages.success(self.request, _("Partner activated."))
        return redirect("partner-detail", pk=self.object.pk)
