"""Target pages: internal users read the targets and their history; the channel team creates and
edits them (insights/targets.py). Progress against a target is on the manager's dashboard."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

from ecosystem.history import history_entries
from ecosystem.roles import CHANNEL_ONLY, INTERNAL_ROLES, Role, role_of
from ecosystem.web import RoleRequiredMixin, ScopedDetailView, ScopedListView, ScopedObjectFormView, ServiceFormMixin

from . import targets
from .models import Target
from .target_forms import TargetForm


class TargetListView(ScopedListView):
    model = Target
    allowed_roles = INTERNAL_ROLES
    template_name = "insights/target_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_edit=role_of(self.request.user) == Role.CHANNEL, **kwargs)


class TargetDetailView(ScopedDetailView):
    model = Target
    allowed_roles = INTERNAL_ROLES
    template_name = "insights/target_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            history=history_entries(self.object, list(targets.TARGET_FIELDS), formatters={"value": targets.as_percent}),
            can_edit=role_of(self.request.user) == Role.CHANNEL,
            **kwargs,
        )


class TargetCreateView(ServiceFormMixin, RoleRequiredMixin, FormView):
    allowed_roles = CHANNEL_ONLY
    form_class = TargetForm
    template_name = "insights/target_form.html"

    def act(self, form):
        target = targets.target_create(user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Target created."))
        return redirect("target-detail", pk=target.pk)


class TargetEditView(ScopedObjectFormView):
    model = Target
    allowed_roles = CHANNEL_ONLY
    form_class = TargetForm
    template_name = "insights/target_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "target": self.object}

    def act(self, form):
        targets.target_update(target=self.object, user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Target saved."))
        return redirect("target-detail", pk=self.object.pk)
