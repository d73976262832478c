"""Pages of claims and bookings (SPEC §4.2): claims awaiting confirmation, confirmation by hand, and the
reconciliation queue of bookings. Thin: each view checks the role, finds the row in the user's scope
and calls :mod:`.claims` or :mod:`.reconciliation`.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic.detail import SingleObjectMixin

from ecosystem.roles import CHANNEL_ONLY, INTERNAL_ROLES, Role, role_of
from ecosystem.web import RoleRequiredMixin, ScopedQuerysetMixin, report_errors

from . import claims, reconciliation
from .forms import BookingCreateForm, BookingLinkForm, ClaimConfirmForm
from .models import Opportunity, QueuedBooking, QueuedBookingStatus, claim_q
from .views import OpportunityActionView


class ClaimConfirmView(OpportunityActionView):
    """The channel team confirms a claim by hand, with a reason (from the opportunity page)."""

    allowed_roles = CHANNEL_ONLY
    form_class = ClaimConfirmForm
    form_name = "confirm_form"

    def act(self, opportunity, data):
        claims.claim_confirm(opportunity=opportunity, user=self.request.user, reason=data["reason"])
        return _("Win confirmed: it now pays commission and counts in the ecosystem share.")


class ClaimListView(RoleRequiredMixin, View):
    """Partners' wins awaiting confirmation, oldest first; those waiting longer than the setting come first."""

    allowed_roles = INTERNAL_ROLES
    template_name = "opportunities/claim_list.html"
    paginate_by = 50

    def get(self, request):
        scoped = Opportunity.objects.for_user(request.user)
        overdue_only = request.GET.get("overdue") in ("1", "true", "yes")
        rows = claims.overdue_claims(scoped) if overdue_only else scoped.filter(claim_q()).order_by("claimed_at", "id")
        page = Paginator(rows.select_related("account", "partner"), self.paginate_by).get_page(request.GET.get("page"))
        context = {
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.has_other_pages(),
            "query_without_page": "overdue=1&" if overdue_only else "",
            "overdue_only": overdue_only,
            "claim_count": scoped.filter(claim_q()).count(),
            "overdue_count": claims.overdue_claims(scoped).count(),
            "overdue_before": claims.overdue_before(),
            "days": settings.CLAIM_CONFIRMATION_DAYS,
            "waiting_bookings": QueuedBooking.objects.for_user(request.user).waiting().count(),
            "is_channel": role_of(request.user) == Role.CHANNEL,
        }
        return render(request, self.template_name, context)


class ReconciliationQueueView(RoleRequiredMixin, View):
    """Partner bookings that matched no claim, or several: waiting first, oldest first."""

    allowed_roles = INTERNAL_ROLES
    template_name = "opportunities/reconciliation_queue.html"
    paginate_by = 50

    def get(self, request):
        status = request.GET.get("status") or QueuedBookingStatus.WAITING
        if status not in QueuedBookingStatus.values:
            status = QueuedBookingStatus.WAITING
        rows = (
            QueuedBooking.objects.for_user(request.user)
            .filter(status=status)
            .select_related("account", "partner", "opportunity")
            .order_by("created_at", "id")
        )
        page = Paginator(rows, self.paginate_by).get_page(request.GET.get("page"))
        context = {
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.has_other_pages(),
            "query_without_page": f"status={status}&",
            "status": status,
            "statuses": QueuedBookingStatus.choices,
        }
        return render(request, self.template_name, context)


def _booking_context(request, booking: QueuedBooking, **forms) -> dict:
    ids = booking.candidates or []
    candidates = list(
        Opportunity.objects.for_user(request.user).filter(pk__in=ids).select_related("account", "partner")
    )
    # Also the partner's other claimed or open opportunities on the account (what a person would look at).
    nearby = list(
        Opportunity.objects.for_user(request.user)
        .filter(reconciliation.matchable_q(), partner_id=booking.partner_id, account_id=booking.account_id)
        .exclude(pk__in=ids)
        .select_related("account", "partner")
        .order_by("pk")[:20]
    )
    for opportunity in candidates + nearby:
        opportunity.booking_difference = booking.amount - opportunity.amount
    return {
        "booking": booking,
        "candidates": candidates,
        "nearby": nearby,
        "is_channel": role_of(request.user) == Role.CHANNEL,
        "link_form": forms.get("link_form")
        or BookingLinkForm(initial={"opportunity": ids[0] if len(ids) == 1 else None}),
        "create_form": forms.get("create_form") or BookingCreateForm(),
    }


class ReconciliationDetailView(ScopedQuerysetMixin, SingleObjectMixin, View):
    """One waiting (or reconciled) booking, the opportunities it could confirm, and the two forms."""

    model = QueuedBooking
    allowed_roles = INTERNAL_ROLES
    template_name = "opportunities/reconciliation_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("account", "partner", "opportunity")

    def get(self, request, pk):
        booking = self.object = self.get_object()
        return render(request, self.template_name, _booking_context(request, booking))


class ReconciliationActionView(ScopedQuerysetMixin, SingleObjectMixin, View):
    """A POST on one queued booking; a refused form shows the booking's page again with its errors."""

    model = QueuedBooking
    allowed_roles = CHANNEL_ONLY
    form_class = None
    form_name = ""

    def get_queryset(self):
        return super().get_queryset().select_related("account", "partner", "opportunity")

    def post(self, request, pk):
        booking = self.object = self.get_object()
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                opportunity = self.act(booking, form.cleaned_data)
            except ValidationError as error:
                report_errors(form, error)
            else:
                messages.success(request, self.done_message % {"id": opportunity.pk})
                return redirect("opportunity-detail", pk=opportunity.pk)
        booking.refresh_from_db()
        context = _booking_context(request, booking, **{self.form_name: form})
        return render(request, ReconciliationDetailView.template_name, context, status=400)


class ReconciliationLinkView(ReconciliationActionView):
    form_class = BookingLinkForm
    form_name = "link_form"
    done_message = gettext_lazy("Booking linked: opportunity #%(id)s is confirmed with the booked figures.")

    def act(self, booking, data):
        opportunity = Opportunity.objects.for_user(self.request.user).filter(pk=data["opportunity"]).first()
        if opportunity is None:
            raise ValidationError({"opportunity": [_("No opportunity has this number.")]})
        return reconciliation.queued_booking_link(
            booking=booking, opportunity=opportunity, user=self.request.user, reason=data["reason"]
        )


class ReconciliationCreateView(ReconciliationActionView):
    form_class = BookingCreateForm
    form_name = "create_form"
    done_message = gettext_lazy("Opportunity #%(id)s created from the booking, won and confirmed.")

    def act(self, booking, data):
        return reconciliation.queued_booking_create(booking=booking, user=self.request.user, reason=data["reason"])
