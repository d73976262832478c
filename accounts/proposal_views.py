"""Pages of the assignment proposal: request one, review it, accept all or some, or discard it.

Managers read them (SPEC §2: managers read everything); only the channel team requests and decides.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from ecosystem.choices import Region, Sector
from ecosystem.roles import CHANNEL_ONLY, INTERNAL_ROLES, Role, role_of
from ecosystem.web import RoleRequiredMixin, ScopedDetailView, ScopedListView

from . import proposal_reasons
from .forms import ProposalFilterForm
from .models import AssignmentProposal, ProposalItem, ProposalItemStatus, ProposalStatus
from .proposing import proposal_accept, proposal_discard, proposal_request


def _may_decide(user) -> bool:
    return role_of(user) == Role.CHANNEL


SUMMARY_COUNTS = ("accounts", "proposed", "partners", "unplaced", "accepted", "assigned_meanwhile")


def summary_counts(summary) -> dict:
    """The proposal's figures, each a number: 0 when missing or unreadable (an older or empty summary)."""
    summary = summary if isinstance(summary, dict) else {}
    counts = {}
    for key in SUMMARY_COUNTS:
        try:
            counts[key] = int(summary.get(key) or 0)
        except (TypeError, ValueError):
            counts[key] = 0
    reasons = summary.get("unplaced_reasons")
    # (why, how many) in the reader's language: the summary keeps codes (an older one, English words).
    counts["unplaced_reasons"] = [
        (proposal_reasons.unplaced(code), count)
        for code, count in (reasons.items() if isinstance(reasons, dict) else ())
    ]
    return counts


class ProposalListView(ScopedListView):
    """Past proposals, and (for the channel team) the form that asks for a new one."""

    allowed_roles = INTERNAL_ROLES
    queryset = AssignmentProposal.objects.select_related("created_by", "decided_by")
    template_name = "accounts/proposal_list.html"
    paginate_by = 20

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            regions=Region.choices, sectors=Sector.choices, can_request=_may_decide(self.request.user), **kwargs
        )

    def post(self, request):
        if not _may_decide(request.user):
            raise PermissionDenied("Only the channel team requests proposals.")
        try:
            proposal = proposal_request(
                user=request.user,
                params={"region": request.POST.getlist("region"), "sector": request.POST.getlist("sector")},
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("proposal-list")
        return redirect("proposal-detail", pk=proposal.pk)


class ProposalDetailView(ScopedDetailView):
    """Review a proposal: its summary and its items, 100 a page, with checkboxes for the channel team."""

    allowed_roles = INTERNAL_ROLES
    queryset = AssignmentProposal.objects.select_related("job")
    template_name = "accounts/proposal_detail.html"
    context_object_name = "proposal"
    items_per_page = 100

    def get_context_data(self, **kwargs):
        items = (
            ProposalItem.objects.filter(proposal=self.object)
            .select_related("account", "partner")
            .order_by("partner__name", "account__name", "id")
        )
        filter_form = ProposalFilterForm(self.request.GET or None)
        if (condition := filter_form.partner_condition()) is not None:
            items = items.filter(condition)
        page = Paginator(items, self.items_per_page).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            page_obj=page,
            paginator=page.paginator,
            is_paginated=page.has_other_pages(),
            query_without_page=query.urlencode(),
            items=page.object_list,
            filter_form=filter_form,
            counts=summary_counts(self.object.summary),
            remaining=self.object.items.filter(status=ProposalItemStatus.PROPOSED).count(),
            is_ready=self.object.status == ProposalStatus.READY,
            can_decide=self.object.status == ProposalStatus.READY and _may_decide(self.request.user),
            **kwargs,
        )


class ProposalDecideView(RoleRequiredMixin, View):
    """Accept all, accept the checked items, or discard."""

    allowed_roles = CHANNEL_ONLY

    def post(self, request, pk):
        proposal = get_object_or_404(AssignmentProposal.objects.for_user(request.user), pk=pk)
        decision = request.POST.get("decision")
        try:
            if decision == "discard":
                proposal_discard(proposal=proposal, user=request.user)
                messages.success(request, _("Proposal closed: the assignments still proposed were not applied."))
            elif decision in ("accept_all", "accept_selected"):
                item_ids = None
                if decision == "accept_selected":
                    try:
                        item_ids = [int(value) for value in request.POST.getlist("items")]
                    except ValueError:
                        item_ids = []
                    if not item_ids:
                        messages.error(request, _("Tick at least one proposed assignment."))
                        return redirect("proposal-detail", pk=pk)
                result = proposal_accept(proposal=proposal, user=request.user, item_ids=item_ids)
                messages.success(
                    request,
                    _("%(accepted)s assignments written; %(assigned_meanwhile)s accounts were assigned meanwhile.")
                    % result,
                )
                if result["remaining"]:
                    messages.info(
                        request,
                        ngettext(
                            "%(remaining)s proposed assignment is still to decide.",
                            "%(remaining)s proposed assignments are still to decide.",
                            result["remaining"],
                        )
                        % result,
                    )
            else:
                messages.error(request, _("Unknown decision."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("proposal-detail", pk=pk)
