"""Roadshow pages: the list and a roadshow's page for everyone in scope (a partner user sees the
roadshows it attends, and of their attendees only itself), the channel team's forms to create and
edit one and to add or remove attending partners."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from ecosystem.history import history_entries
from ecosystem.roles import CHANNEL_ONLY, Role, is_internal, role_of
from ecosystem.web import RoleRequiredMixin, ScopedDetailView, ScopedListView, ScopedObjectFormView, ServiceFormMixin

from . import services
from .filtersets import RoadshowFilterSet
from .forms import AttendeeForm, RoadshowForm
from .models import Roadshow

ROADSHOW_HISTORY_FIELDS = ["title", "city", "region", "date"]


class RoadshowListView(ScopedListView):
    model = Roadshow
    filterset_class = RoadshowFilterSet
    template_name = "partners/roadshow_list.html"

    def get_queryset(self):
        queryset = super().get_queryset()
        if is_internal(self.request.user):
            queryset = queryset.prefetch_related("partners")
        return queryset

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_edit=role_of(self.request.user) == Role.CHANNEL, **kwargs)


class RoadshowDetailView(ScopedDetailView):
    model = Roadshow
    template_name = "partners/roadshow_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        internal = is_internal(user)
        # A partner learns that it attends, never who else does.
        attendees = (
            self.object.partners.order_by("name") if internal else self.object.partners.filter(pk=user.partner_id)
        )
        can_edit = role_of(user) == Role.CHANNEL
        return super().get_context_data(
            attendees=attendees,
            history=history_entries(self.object, ROADSHOW_HISTORY_FIELDS, m2m=["partners"]) if internal else None,
            attendee_form=AttendeeForm(user=user, suspended=False, auto_id="id_attendee_%s") if can_edit else None,
            can_edit=can_edit,
            **kwargs,
        )


class RoadshowCreateView(ServiceFormMixin, RoleRequiredMixin, FormView):
    allowed_roles = CHANNEL_ONLY
    form_class = RoadshowForm
    template_name = "partners/roadshow_form.html"

    def act(self, form):
        roadshow = services.roadshow_create(user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Roadshow created: add the attending partners below."))
        return redirect("roadshow-detail", pk=roadshow.pk)


class RoadshowEditView(ScopedObjectFormView):
    model = Roadshow
    allowed_roles = CHANNEL_ONLY
    form_class = RoadshowForm
    template_name = "partners/roadshow_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Roadshow.objects.get(pk=self.object.pk)}

    def act(self, form):
        services.roadshow_update(roadshow=self.object, user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Roadshow saved."))
        return redirect("roadshow-detail", pk=self.object.pk)


class _AttendeeView(ScopedObjectFormView):
    """Posted from the roadshow's page: back to it, with a message saying what was done or what is wrong."""

    model = Roadshow
    allowed_roles = CHANNEL_ONLY
    form_class = AttendeeForm
    http_method_names = ["post"]
    service = None
    done = ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def act(self, form):
        partner = form.cleaned_data["partner"]
        self.service(roadshow=self.object, partner=partner, user=self.request.user)
        messages.success(self.request, self.done % {"partner": partner.name})
        return redirect("roadshow-detail", pk=self.object.pk)

    def form_invalid(self, form):
        for errors in form.errors.values():
            for message in errors:
                messages.error(self.request, message)
        return redirect("roadshow-detail", pk=self.object.pk)


class RoadshowAttendeeAddView(_AttendeeView):
    service = staticmethod(services.roadshow_attendee_add)
    done = gettext_lazy("%(partner)s added to the attendees.")


class RoadshowAttendeeRemoveView(_AttendeeView):
    service = staticmethod(services.roadshow_attendee_remove)
    done = gettext_lazy("%(partner)s removed from the attendees.")
