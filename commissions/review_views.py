"""Pages of the payment controls on a run (SPEC §4.3): the approval review, and manual adjustments.

- ``/commissions/settlements/<pk>/approve/``: the review (total against the previous period's,
  lines, partners, adjustments and clawbacks, biggest changes per partner, exceptions, open
  disputes); a manager who did not run it approves there, typing the total they saw and
  acknowledging the exceptions if any (:func:`commissions.review.settlement_approve_reviewed`).
- ``/commissions/settlements/<pk>/adjustments/new/``: the channel team adds a manual line.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import FormView

from ecosystem.periods import period_label
from ecosystem.roles import CHANNEL_ONLY, INTERNAL_ROLES, Role, role_of
from ecosystem.web import RoleRequiredMixin, report_errors

from . import adjusting, approval_rules, review
from .forms import ManualAdjustmentForm, ReviewApproveForm
from .models import SettlementRun


class _RunFormView(RoleRequiredMixin, FormView):
    @cached_property
    def run(self) -> SettlementRun:
        runs = SettlementRun.objects.for_user(self.request.user).select_related("run_by", "approved_by")
        return get_object_or_404(runs, pk=self.kwargs["pk"])


class SettlementApproveView(_RunFormView):
    """The approval review; managers approve from it (four eyes: never one who requested or computed the run,
    and the other rulings of :mod:`.approval_rules`, told before the form is filled)."""

    allowed_roles = INTERNAL_ROLES
    form_class = ReviewApproveForm
    template_name = "commissions/settlement_review.html"

    @cached_property
    def review(self):
        return review.run_review(self.run) if self.run.committed_attempt is not None else None

    def _approver_problem(self) -> str:
        """Why this user may not approve at all (a 403 on posting): not a manager, or one of the run's requesters."""
        user = self.request.user
        if role_of(user) != Role.MANAGER:
            return _("Only a manager approves settlements.")
        if approval_rules.is_requester(self.run, user):
            return _("Four eyes: you requested or computed this settlement, another manager must approve it.")
        return ""

    def get_initial(self):
        return {"review_token": self.review.token if self.review else ""}

    def get_context_data(self, **kwargs):
        problem = self._approver_problem()
        refusal = None if problem else approval_rules.approval_refusal(self.run, self.request.user)
        return super().get_context_data(
            object=self.run,
            review=self.review,
            can_approve=not problem and refusal is None and self.review is not None,
            approver_problem=problem or (refusal.message if refusal else ""),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if problem := self._approver_problem():
            raise PermissionDenied(problem)
        if refusal := approval_rules.approval_refusal(self.run, request.user):
            # Nothing in the form could change this (preliminary, no requester, to recompute): say why on the run.
            messages.error(request, refusal.message)
            return redirect("commissions:settlement-detail", pk=self.run.pk)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            review.settlement_approve_reviewed(
                run=self.run, user=self.request.user, confirmed_total=data["confirmed_total"],
                review_token=data["review_token"], acknowledge_exceptions=data["acknowledge_exceptions"],
            )  # fmt: skip
        except ValidationError as error:
            report_errors(form, error)
            return self.form_invalid(form)
        approved = _("Settlement %(period)s approved: it will never change.")
        messages.success(self.request, approved % {"period": period_label(self.run.period)})
        return redirect("commissions:settlement-detail", pk=self.run.pk)

    def form_invalid(self, form):
        # Show the review as it is now (a recomputation since changes what is confirmed), with a fresh token.
        self.__dict__.pop("review", None)
        self.run.refresh_from_db()
        if form.is_bound and self.review is not None:
            data = form.data.copy()
            data["review_token"] = self.review.token
            form.data = data
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ManualAdjustmentCreateView(_RunFormView):
    """The channel team adds a line to a run that is not approved (amount, reason, the line or deal)."""

    allowed_roles = CHANNEL_ONLY
    form_class = ManualAdjustmentForm
    template_name = "commissions/adjustment_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.run, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            adjusting.adjustment_create(
                run=self.run, user=self.request.user, amount=data["amount"], reason=data["reason"],
                line=data["line"], opportunity=data["opportunity"],
            )  # fmt: skip
        except ValidationError as error:
            report_errors(form, error)
            return self.form_invalid(form)
        added = _("Manual adjustment added to %(period)s.") % {"period": period_label(self.run.period)}
        messages.success(self.request, added)
        return redirect("commissions:settlement-detail", pk=self.run.pk)
