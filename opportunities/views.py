"""Pages of the portal (register, follow, move on, ask for an extension) and of the channel team's queue.

Thin: each view checks the role (403), finds the opportunity among the user's scoped rows
(404 outside them), parses a form and calls a service.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic.detail import SingleObjectMixin

from accounts.models import Account
from ecosystem.roles import CHANNEL_AND_PARTNERS, CHANNEL_ONLY, PARTNER_ROLES, Role, role_of
from ecosystem.web import RoleRequiredMixin, ScopedDetailView, ScopedListView, ScopedQuerysetMixin, report_errors

from . import services
from .conflicts import conflicts_for
from .filtersets import OpportunityFilterSet
from .forms import (
    ClaimConfirmForm,
    DecisionForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    RegistrationForm,
    StageForm,
    account_search,
)
from .history import history_entries
from .models import OPEN_STAGES, ExtensionStatus, Opportunity, RegistrationStatus
from .stages import next_stages

DETAIL_TEMPLATE = "opportunities/opportunity_detail.html"


class OpportunityListView(ScopedListView):
    model = Opportunity
    filterset_class = OpportunityFilterSet
    template_name = "opportunities/opportunity_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("account", "partner")


def may_move(user, opportunity: Opportunity) -> bool:
    role = role_of(user)
    if role == Role.CHANNEL:
        return True
    return (
        role in PARTNER_ROLES
        and opportunity.stage in OPEN_STAGES
        and opportunity.registration_status in (RegistrationStatus.PENDING, RegistrationStatus.APPROVED)
    )


def detail_context(request, opportunity: Opportunity, **forms) -> dict:
    """Everything the opportunity page shows to this user, with the forms it may use."""
    user = request.user
    role = role_of(user)
    context = {
        "object": opportunity,
        "opportunity": opportunity,
        "history": history_entries(opportunity, user),
        "is_channel": role == Role.CHANNEL,
        "protection_days": settings.REGISTRATION_PROTECTION_DAYS,
    }
    corrective = role == Role.CHANNEL
    if may_move(user, opportunity) and next_stages(opportunity.stage, corrective=corrective):
        context["stage_form"] = forms.get("stage_form") or StageForm(opportunity=opportunity, corrective=corrective)
    if role in PARTNER_ROLES and not services.extension_request_errors(opportunity):
        context["extension_form"] = forms.get("extension_form") or ExtensionRequestForm()
    if role == Role.CHANNEL:
        if opportunity.registration_status == RegistrationStatus.PENDING:
            context["decision_form"] = forms.get("decision_form") or DecisionForm()
            context["own_registration"] = opportunity.registered_by_id == user.pk
        if opportunity.is_claim:
            context["confirm_form"] = forms.get("confirm_form") or ClaimConfirmForm()
        if opportunity.extension_status == ExtensionStatus.REQUESTED:
            context["extension_decision_form"] = forms.get("extension_decision_form") or ExtensionDecisionForm()
        if opportunity.partner_id:
            # Only the channel team sees the conflicting records side by side.
            found = conflicts_for([opportunity])[opportunity.pk]
            context["conflicting_registrations"] = found["registrations"]
            context["conflicting_assignment"] = found["assignment"]
    return context


class OpportunityDetailView(ScopedDetailView):
    model = Opportunity
    template_name = DETAIL_TEMPLATE

    def get_queryset(self):
        return super().get_queryset().select_related("account", "partner", "roadshow", "decided_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(detail_context(self.request, self.object))
        return context


class OpportunityActionView(ScopedQuerysetMixin, SingleObjectMixin, View):
    """A POST on one opportunity of the user's scope; a refused form shows the page again with its errors."""

    model = Opportunity
    form_class = None
    form_name = ""

    def get_queryset(self):
        return super().get_queryset().select_related("account", "partner", "roadshow")

    def get_form(self, opportunity):
        return self.form_class(self.request.POST)

    def post(self, request, pk):
        opportunity = self.object = self.get_object()
        form = self.get_form(opportunity)
        if form.is_valid():
            try:
                message = self.act(opportunity, form.cleaned_data)
            except ValidationError as error:
                report_errors(form, error)
            else:
                messages.success(request, message)
                return redirect("opportunity-detail", pk=opportunity.pk)
        opportunity.refresh_from_db()
        context = detail_context(request, opportunity, **{self.form_name: form})
        context[self.form_name] = form
        return render(request, DETAIL_TEMPLATE, context, status=400)

    def act(self, opportunity, data) -> str:
        raise NotImplementedError


class OpportunityStageView(OpportunityActionView):
    allowed_roles = CHANNEL_AND_PARTNERS
    form_name = "stage_form"

    def get_form(self, opportunity):
        return StageForm(self.request.POST, opportunity=opportunity, corrective=role_of(self.request.user) == "channel")

    def act(self, opportunity, data):
        services.opportunity_change_stage(
            opportunity=opportunity,
            user=self.request.user,
            stage=data["stage"],
            closed_on=data.get("closed_on"),
            amount=data.get("amount"),
        )
        return _("Stage changed.")


class ExtensionRequestView(OpportunityActionView):
    allowed_roles = PARTNER_ROLES
    form_class = ExtensionRequestForm
    form_name = "extension_form"

    def act(self, opportunity, data):
        services.extension_request(opportunity=opportunity, user=self.request.user, reason=data["reason"])
        return _("Extension requested: the channel team will answer by e-mail.")


class RegistrationDecideView(OpportunityActionView):
    allowed_roles = CHANNEL_ONLY
    form_class = DecisionForm
    form_name = "decision_form"

    def act(self, opportunity, data):
        services.registration_decide(
            opportunity=opportunity,
            user=self.request.user,
            decision=data["decision"],
            reason=data["reason"],
            acknowledge_conflict=data["acknowledge_conflict"],
        )
        if data["decision"] == "approve":
            return _("Registration approved; the partner is notified.")
        return _("Registration rejected; the partner is notified.")


class ExtensionDecideView(OpportunityActionView):
    allowed_roles = CHANNEL_ONLY
    form_class = ExtensionDecisionForm
    form_name = "extension_decision_form"

    def act(self, opportunity, data):
        services.extension_decide(
            opportunity=opportunity, user=self.request.user, grant=data["decision"] == "grant", reason=data["reason"]
        )
        if data["decision"] == "grant":
            return _("Extension granted; the partner is notified.")
        return _("Extension refused; the partner is notified.")


class OpportunityRegisterView(RoleRequiredMixin, View):
    """A partner user registers an opportunity: account from its list or found by SIREN or name."""

    allowed_roles = PARTNER_ROLES
    template_name = "opportunities/opportunity_register.html"

    def chosen_account(self, raw) -> Account | None:
        try:
            return Account.objects.only("id", "name", "siren", "city").get(pk=int(raw))
        except (TypeError, ValueError, Account.DoesNotExist):
            return None

    def render_page(self, form, status=200):
        query = self.request.GET.get("q", "").strip()
        context = {"form": form, "query": query, "results": account_search(query) if query else None}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        form = RegistrationForm(user=request.user, chosen_account=self.chosen_account(request.GET.get("account")))
        return self.render_page(form)

    def post(self, request):
        form = RegistrationForm(
            request.POST, user=request.user, chosen_account=self.chosen_account(request.POST.get("account"))
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.registration_submit(
                    user=request.user,
                    account=data["account"],
                    product_line=data["product_line"],
                    amount=data["amount"],
                    expected_close=data["expected_close"],
                    roadshow=data["roadshow"],
                    description=data["description"],
                    idempotency_key=data["idempotency_key"],
                )
            except ValidationError as error:
                report_errors(form, error)
            else:
                if result.created:
                    messages.success(request, _("Opportunity registered: the channel team will review it."))
                else:
                    messages.info(request, _("This registration was already received; it is shown below."))
                return redirect("opportunity-detail", pk=result.opportunity.pk)
        return self.render_page(form, status=400)


class RegistrationQueueView(RoleRequiredMixin, View):
    """The channel team's queue: pending registrations, conflicts first then oldest first, decided one by one
    or in bulk; and the extension requests waiting for an answer."""

    allowed_roles = CHANNEL_ONLY
    template_name = "opportunities/registration_queue.html"
    paginate_by = 50

    def queue(self):
        return (
            Opportunity.objects.for_user(self.request.user)
            .filter(registration_status=RegistrationStatus.PENDING)
            .select_related("account", "partner", "roadshow", "registered_by")
            .order_by("-has_conflict", "created_at", "id")
        )

    def get(self, request):
        page = Paginator(self.queue(), self.paginate_by).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        found = conflicts_for(rows)
        extensions = (
            Opportunity.objects.for_user(request.user)
            .filter(extension_status=ExtensionStatus.REQUESTED)
            .select_related("account", "partner", "extension_requested_by")
            .order_by("extension_requested_at", "id")[:100]
        )
        context = {
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.has_other_pages(),
            "query_without_page": "",
            "rows": [(o, found[o.pk]) for o in rows],
            "extensions": extensions,
            "protection_days": settings.REGISTRATION_PROTECTION_DAYS,
        }
        return render(request, self.template_name, context)

    def post(self, request):
        """``action`` is ``approve:<id>``, ``reject:<id>``, ``approve-selected``, ``reject-selected``,
        ``grant:<id>`` or ``refuse:<id>``; reasons come from ``reason-<id>`` or ``bulk_reason``."""
        action = request.POST.get("action", "")
        verb, _sep, target = action.partition(":")
        try:
            if verb in ("approve-selected", "reject-selected"):
                ids = request.POST.getlist("ids")
                result = services.registrations_decide(
                    user=request.user,
                    ids=ids,
                    decision=verb.split("-")[0],
                    reason=request.POST.get("bulk_reason", ""),
                    acknowledge_conflicts=bool(request.POST.get("bulk_acknowledge")),
                )
                self.report(result)
            elif verb in ("approve", "reject") and target.isdigit():
                result = services.registrations_decide(
                    user=request.user,
                    ids=[int(target)],
                    decision=verb,
                    reason=request.POST.get(f"reason-{target}", ""),
                    acknowledge_conflicts=bool(request.POST.get(f"acknowledge-{target}")),
                )
                self.report(result)
            elif verb in ("grant", "refuse") and target.isdigit():
                opportunity = get_object_or_404(Opportunity.objects.for_user(request.user), pk=int(target))
                services.extension_decide(
                    opportunity=opportunity,
                    user=request.user,
                    grant=verb == "grant",
                    reason=request.POST.get(f"ext-reason-{target}", ""),
                )
                if verb == "grant":
                    messages.success(request, _("Extension of #%(id)s granted.") % {"id": target})
                else:
                    messages.success(request, _("Extension of #%(id)s refused.") % {"id": target})
            else:
                messages.error(request, _("Choose an action."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        page = request.POST.get("page", "")
        return redirect(f"{request.path}?page={page}" if page.isdigit() else request.path)

    def report(self, result: services.DecisionResult) -> None:
        if result.decided:
            if result.decision == "approve":
                text = _("%(count)s registration(s) approved: %(ids)s.")
            else:
                text = _("%(count)s registration(s) rejected: %(ids)s.")
            messages.success(
                self.request, text % {"count": len(result.decided), "ids": ", ".join(f"#{i}" for i in result.decided)}
            )
        for pk, why in result.skipped.items():
            messages.warning(self.request, _("#%(id)s not decided: %(why)s") % {"id": pk, "why": why})
