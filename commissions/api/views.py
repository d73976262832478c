"""``/api/v1/`` commission resources: thin views over commissions' services.

Who may do what (SPEC §2): the channel team manages programs and rules, runs settlements and
resolves disputes; managers read everything and approve settlements (four eyes); partner users
read their own partner's statements of approved runs, partner admins dispute their lines.
Partner users never list programs, rules, runs or exceptions (403): they see the rules that
pay them through their statements and the estimator.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, F, OuterRef, Prefetch, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from ecosystem.api.errors import as_drf_error
from ecosystem.api.viewsets import ScopedCreateReadViewSet, ScopedModelViewSet, ScopedReadOnlyViewSet
from ecosystem.choices import ProductLine
from ecosystem.roles import ALL_ROLES, CHANNEL_ONLY, INTERNAL_ROLES, Role
from ecosystem.web import csv_response
from ecosystem.xlsx import CONTENT_TYPE as XLSX_CONTENT_TYPE
from ecosystem.xlsx import xlsx_download
from partners.models import Partner

from .. import approval_rules, paying, review, settlement, statements
from .. import disputes as dispute_service
from .. import rules as rule_service
from ..carried import with_carried
from ..earnings import partner_earnings
from ..estimator import estimate
from ..filtersets import (
    DisputeFilterSet,
    ProgramFilterSet,
    RuleFilterSet,
    SettlementExceptionFilterSet,
    SettlementRunFilterSet,
    StatementFilterSet,
)
from ..models import (
    Dispute,
    DisputeMessage,
    Program,
    Rule,
    SettlementException,
    SettlementRun,
    Statement,
)
from .serializers import (
    ApproveSerializer,
    DisputeCreateSerializer,
    DisputeMessageCreateSerializer,
    DisputeResolveSerializer,
    DisputeSerializer,
    EarningsSerializer,
    EstimateQuerySerializer,
    EstimateSerializer,
    LeftOutSerializer,
    MarkPaidOutcomeSerializer,
    MarkPaidSerializer,
    ProgramSerializer,
    RecordedChangeSerializer,
    RuleReviseSerializer,
    RuleSerializer,
    SettlementExceptionSerializer,
    SettlementRequestSerializer,
    SettlementReviewSerializer,
    SettlementRunSerializer,
    StatementDetailSerializer,
    StatementSerializer,
)

MANAGER_ONLY = frozenset({Role.MANAGER})
PARTNER_ADMIN_ONLY = frozenset({Role.PARTNER_ADMIN})


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The resource's state does not allow this change."
    default_code = "conflict"


# --- Programs and rules ---------------------------------------------------------------------------


class ProgramViewSet(ScopedModelViewSet):
    """Commission programs. The channel team writes; managers read; partner users: 403."""

    queryset = Program.objects.annotate(rule_count=Count("rules")).order_by("-valid_from", "name", "id")
    serializer_class = ProgramSerializer
    filterset_class = ProgramFilterSet
    search_fields = ["name"]
    ordering_fields = ["valid_from", "name"]
    read_roles = INTERNAL_ROLES
    write_roles = CHANNEL_ONLY

    @extend_schema(responses=RecordedChangeSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Every change of the program: when, who, which fields."""
        entries = rule_service.history_of(self.get_object(), rule_service.PROGRAM_FIELDS)
        return Response(RecordedChangeSerializer(entries, many=True).data)


class RuleViewSet(ScopedModelViewSet):
    """Commission rules. A rule that paid an approved settlement is never edited: revise it."""

    queryset = rule_service.with_locked(
        Rule.objects.select_related("program").annotate(
            next_version=Subquery(Rule.objects.filter(replaces=OuterRef("pk")).values("pk")[:1])
        )
    )
    serializer_class = RuleSerializer
    filterset_class = RuleFilterSet
    search_fields = ["name"]
    ordering_fields = ["priority", "name", "valid_from"]
    read_roles = INTERNAL_ROLES
    write_roles = CHANNEL_ONLY

    def update(self, request, *args, **kwargs):
        rule = self.get_object()
        used = rule_service.last_approved_use(rule)
        if used:
            raise Conflict(str(rule_service.RuleLockedError(rule, used[0])))
        try:
            return super().update(request, *args, **kwargs)
        except rule_service.RuleLockedError as error:  # approved meanwhile
            raise Conflict(str(error)) from error

    @extend_schema(request=RuleReviseSerializer, responses={201: RuleSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """End this rule the day before ``valid_from`` and start a new version from then, with the
        changes given (any rule field), in one transaction."""
        rule = self.get_object()
        body = RuleReviseSerializer(instance=rule, data=request.data, partial=True, context={"request": request})
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        starts_on = changes.pop("valid_from")
        try:
            new = rule_service.rule_revise(rule=rule, starts_on=starts_on, user=request.user, **changes)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        new = self.get_queryset().get(pk=new.pk)
        return Response(RuleSerializer(new, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=RecordedChangeSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Every change of the rule: when, who, which fields (its revisions are new rules: see ``replaced_by``)."""
        entries = rule_service.history_of(self.get_object(), rule_service.RULE_FIELDS)
        return Response(RecordedChangeSerializer(entries, many=True).data)


# --- Settlements ----------------------------------------------------------------------------------


class SettlementRunViewSet(ScopedCreateReadViewSet):
    """Settlement runs: ``POST {"period": "2026-Q3"}`` queues the computation (202, with its job)."""

    queryset = paying.with_payment_progress(SettlementRun.objects.select_related("job", "run_by", "approved_by"))
    serializer_class = SettlementRunSerializer
    filterset_class = SettlementRunFilterSet
    ordering_fields = ["period_start", "created_at"]
    read_roles = INTERNAL_ROLES
    # The channel team runs settlements; a manager may too, but then another manager approves (four eyes).
    write_roles = INTERNAL_ROLES
    action_roles = {"approve": MANAGER_ONLY, "mark_paid": INTERNAL_ROLES, "review": INTERNAL_ROLES}

    @extend_schema(request=SettlementRequestSerializer, responses={202: SettlementRunSerializer})
    def create(self, request, *args, **kwargs):
        body = SettlementRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            run = settlement.settlement_request(period=body.validated_data["period"], user=request.user)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        run = self.get_queryset().get(pk=run.pk)
        return Response(self.get_serializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=SettlementReviewSerializer)
    @action(detail=True, methods=["get"])
    def review(self, request, pk=None):
        """What to review before approving: the total against the previous period's, lines, partners,
        adjustments and clawbacks, the biggest changes per partner, exceptions and open disputes, and the
        ``review_token`` to send back with the approval."""
        run = self.get_object()
        if run.committed_attempt is None:
            raise Conflict("This run has no computed figures yet: there is nothing to review.")
        return Response(SettlementReviewSerializer(review.run_review(run)).data)

    @extend_schema(request=ApproveSerializer, responses=SettlementRunSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """A manager approves a computed run as reviewed: ``confirmed_total`` (the total seen),
        ``review_token`` (of the review read; a run recomputed or adjusted since is refused) and
        ``acknowledge_exceptions`` when it has exceptions. Never one they requested or computed (four eyes:
        403), never a preliminary one, nor one computed before an earlier period was approved (400, saying why)."""
        run = self.get_object()
        if approval_rules.is_requester(run, request.user):
            raise PermissionDenied(
                _("Four eyes: you requested or computed this settlement, another manager must approve it.")
            )
        if refusal := approval_rules.approval_refusal(run, request.user):
            raise as_drf_error(DjangoValidationError({refusal.field: [refusal.message]}))
        body = ApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            run = review.settlement_approve_reviewed(
                run=run, user=request.user, confirmed_total=data["confirmed_total"],
                review_token=data["review_token"], acknowledge_exceptions=data["acknowledge_exceptions"],
            )  # fmt: skip
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return Response(self.get_serializer(self.get_queryset().get(pk=run.pk)).data)

    @extend_schema(request=MarkPaidSerializer, responses=MarkPaidOutcomeSerializer)
    @action(detail=True, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request, pk=None):
        """Record by hand the payment of an approved run: the day it was executed, the batch's reference,
        and statements paid with their own reference (by partner SIREN). Statements of held partners (no
        billing details, IBAN awaiting confirmation) and statements in a payment file are not paid: they
        are listed in ``left_out``; the run is paid once every statement it must pay is paid."""
        run = self.get_object()
        body = MarkPaidSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        references = {item["partner_siren"]: item["reference"] for item in data.get("references", [])}
        try:
            outcome = paying.settlement_mark_paid(
                run=run, user=request.user, paid_on=data["paid_on"], reference=data["payment_reference"],
                references=references,
            )  # fmt: skip
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        answer = self.get_serializer(self.get_queryset().get(pk=run.pk)).data
        left_out = LeftOutSerializer(outcome.left_out, many=True).data
        return Response({**answer, "statements_paid": outcome.paid, "left_out": left_out})

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """Finance export: every line of a computed, approved or paid run, in the statement CSV format."""
        run = self.get_object()
        if run.committed_attempt is None:
            raise Conflict("This run has no computed lines yet.")
        return csv_response(
            statements.run_csv(run), "settlement", filename=f"settlement-{run.period}.csv", request=request
        )

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="export-xlsx")
    def export_xlsx(self, request, pk=None):
        """The finance export as a spreadsheet for people: labels, amounts as numbers, a total row."""
        run = self.get_object()
        if run.committed_attempt is None:
            raise Conflict("This run has no computed lines yet.")
        return xlsx_download(
            statements.run_xlsx(run), "settlement", filename=f"settlement-{run.period}.xlsx", request=request
        )


class SettlementExceptionViewSet(ScopedReadOnlyViewSet):
    """Won partner deals that no rule pays, with the reason (current attempt of each run)."""

    queryset = SettlementException.objects.filter(attempt=F("run__committed_attempt")).select_related(
        "run", "partner", "opportunity__account"
    )
    serializer_class = SettlementExceptionSerializer
    filterset_class = SettlementExceptionFilterSet
    read_roles = INTERNAL_ROLES
    write_roles = frozenset()


# --- Statements -----------------------------------------------------------------------------------


class StatementViewSet(ScopedReadOnlyViewSet):
    """Statements: one per partner per run. Partner users see their own, of approved or paid runs."""

    queryset = with_carried(Statement.objects.current().select_related("run", "partner"))
    serializer_class = StatementSerializer
    filterset_class = StatementFilterSet
    ordering_fields = ["run__period_start", "total"]
    read_roles = ALL_ROLES
    write_roles = frozenset()

    def get_serializer_class(self):
        if self.action == "earnings":
            return EarningsSerializer
        return StatementDetailSerializer if self.action == "retrieve" else StatementSerializer

    @extend_schema(
        parameters=[OpenApiParameter("partner", int, description="Internal users: whose earnings (required).")],
        responses=EarningsSerializer,
    )
    @action(detail=False, methods=["get"])
    def earnings(self, request):
        """A partner's commissions apart: earned so far this quarter (preliminary, from a computed run not
        approved yet), approved but not paid, and paid (with the day and reference). Partner users get their
        own; internal users name the partner."""
        partner_id = getattr(request.user, "partner_id", None)
        if partner_id is None:
            raw = request.query_params.get("partner", "")
            if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
                raise ValidationError({"partner": ["Give the id of the partner whose earnings to show."]})
            partner = Partner.objects.for_user(request.user).filter(pk=int(raw)).first()
            if partner is None:
                raise NotFound("No such partner.")
            partner_id = partner.pk
        return Response(EarningsSerializer(partner_earnings(partner_id, timezone.localdate())).data)

    def retrieve(self, request, *args, **kwargs):
        statement = self.get_object()
        lines = statements.with_open_disputes(statements.statement_lines(statement))
        serializer = StatementDetailSerializer(statement, context={"request": request, "lines": lines})
        return Response(serializer.data)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """The statement as CSV: partner_siren,partner,period,opportunity,account,product_line,amount,rule,
        calculation,payout."""
        statement = self.get_object()
        return csv_response(
            statements.statement_csv(statement), "statement",
            filename=statements.statement_filename(statement), request=request,
        )  # fmt: skip

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="export-xlsx")
    def export_xlsx(self, request, pk=None):
        """The statement as a spreadsheet for people: labels, amounts as numbers, a total row."""
        statement = self.get_object()
        return xlsx_download(
            statements.statement_xlsx(statement), "statement",
            filename=statements.statement_filename(statement, "xlsx"), request=request,
        )  # fmt: skip


# --- Disputes -------------------------------------------------------------------------------------


class DisputeViewSet(ScopedCreateReadViewSet):
    """Disputes of statement lines: a partner admin opens one, both sides write, the channel resolves."""

    queryset = Dispute.objects.select_related(
        "line__run", "line__partner", "line__rule", "line__opportunity__account", "opened_by", "adjustment__run"
    ).prefetch_related(Prefetch("messages", queryset=DisputeMessage.objects.select_related("author")))
    serializer_class = DisputeSerializer
    filterset_class = DisputeFilterSet
    ordering_fields = ["created_at"]
    read_roles = ALL_ROLES
    write_roles = PARTNER_ADMIN_ONLY
    action_roles = {
        "messages": frozenset({Role.CHANNEL, Role.PARTNER_ADMIN}),
        "resolve": CHANNEL_ONLY,
    }

    @extend_schema(request=DisputeCreateSerializer, responses={201: DisputeSerializer})
    def create(self, request, *args, **kwargs):
        body = DisputeCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        try:
            dispute = dispute_service.dispute_open(
                line=body.validated_data["line"], user=request.user, comment=body.validated_data["comment"]
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return Response(self.get_serializer(self.get_queryset().get(pk=dispute.pk)).data, status=201)

    @extend_schema(request=DisputeMessageCreateSerializer, responses={201: DisputeSerializer})
    @action(detail=True, methods=["post"])
    def messages(self, request, pk=None):
        """Write in the dispute's thread (the channel team, or the line's partner admins)."""
        dispute = self.get_object()
        body = DisputeMessageCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            dispute_service.dispute_post(dispute=dispute, user=request.user, body=body.validated_data["body"])
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return Response(self.get_serializer(self.get_queryset().get(pk=dispute.pk)).data, status=201)

    @extend_schema(request=DisputeResolveSerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """The channel team closes the dispute with its outcome: ``accepted`` with the ``amount`` granted (a
        manual adjustment line in the partner's next run, pointing at the disputed line) or ``rejected``; the
        ``resolution`` is the answer the partner reads. The partner's users are told by e-mail."""
        dispute = self.get_object()
        body = DisputeResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            dispute_service.dispute_resolve(
                dispute=dispute, user=request.user, outcome=data["outcome"], resolution=data["resolution"],
                amount=data.get("amount"),
            )  # fmt: skip
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return Response(self.get_serializer(self.get_queryset().get(pk=dispute.pk)).data)


# --- Estimator ------------------------------------------------------------------------------------


class _OneEstimateSchema(AutoSchema):
    """The estimator's ``list`` route answers one estimate, not a list of them."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class CommissionEstimateViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """``GET ?account=…&product_line=…&amount=…`` (internal users add ``&partner=…``): what the deal
    would pay under today's rules, with the explanation. Reads only."""

    schema = _OneEstimateSchema()
    serializer_class = EstimateSerializer
    read_roles = ALL_ROLES
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("account", int, required=True),
            OpenApiParameter("product_line", str, required=True, enum=ProductLine.values),
            OpenApiParameter("amount", str, required=True, description="EUR, a decimal string"),
            OpenApiParameter("expected_close", OpenApiTypes.DATE, description="The closing day; today when omitted"),
            OpenApiParameter("partner", int, description="Internal users only"),
        ],
        responses=EstimateSerializer,
    )
    def list(self, request, *args, **kwargs):
        query = EstimateQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        result = estimate(
            partner=data["partner"],
            account=data["account"],
            product_line=data["product_line"],
            amount=data["amount"],
            day=data.get("expected_close"),
        )
        return Response(EstimateSerializer(result).data)
