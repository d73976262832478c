"""Secondment pages: the list and a secondment's page for everyone in scope (a partner user sees its
own), the channel team's forms to create, edit and end one early."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

from ecosystem.history import history_entries
from ecosystem.roles import CHANNEL_ONLY, Role, is_internal, role_of
from ecosystem.web import RoleRequiredMixin, ScopedDetailView, ScopedListView, ScopedObjectFormView, ServiceFormMixin

from . import services
from .filtersets import SecondmentFilterSet
from .forms import SecondmentEndForm, SecondmentForm
from .models import Partner, Secondment

SECONDMENT_HISTORY_FIELDS = ["expert_name", "expert_email", "expertise", "partner", "starts_on", "ends_on"]


class SecondmentListView(ScopedListView):
    model = Secondment
    filterset_class = SecondmentFilterSet
    template_name = "partners/secondment_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("partner")

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_edit=role_of(self.request.user) == Role.CHANNEL, **kwargs)


class SecondmentDetailView(ScopedDetailView):
    model = Secondment
    template_name = "partners/secondment_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("partner")

    def get_context_data(self, **kwargs):
        internal = is_internal(self.request.user)
        return super().get_context_data(
            history=history_entries(self.object, SECONDMENT_HISTORY_FIELDS) if internal else None,
            can_edit=role_of(self.request.user) == Role.CHANNEL,
            **kwargs,
        )


class SecondmentCreateView(ServiceFormMixin, RoleRequiredMixin, FormView):
    allowed_roles = CHANNEL_ONLY
    form_class = SecondmentForm
    template_name = "partners/secondment_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        # "Add a secondment" on a partner's page names the partner.
        partner = Partner.objects.for_user(self.request.user).filter(pk=self.request.GET.get("partner") or 0).first()
        return {"partner": partner} if partner else {}

    def act(self, form):
        secondment = services.secondment_create(user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Secondment created."))
        return redirect("secondment-detail", pk=secondment.pk)


class SecondmentEditView(ScopedObjectFormView):
    model = Secondment
    allowed_roles = CHANNEL_ONLY
    form_class = SecondmentForm
    template_name = "partners/secondment_form.html"

    def get_form_kwargs(self):
        instance = Secondment.objects.select_related("partner").get(pk=self.object.pk)
        return {**super().get_form_kwargs(), "user": self.request.user, "instance": instance}

    def act(self, form):
        services.secondment_update(secondment=self.object, user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Secondment saved."))
        return redirect("secondment-detail", pk=self.object.pk)


class SecondmentEndView(ScopedObjectFormView):
    """End a secondment before its planned last day."""

    model = Secondment
    allowed_roles = CHANNEL_ONLY
    form_class = SecondmentEndForm
    template_name = "partners/secondment_end.html"

    def act(self, form):
        services.secondment_end(secondment=self.object, user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Secondment ended."))
        return redirect("secondment-detail", pk=self.object.pk)
