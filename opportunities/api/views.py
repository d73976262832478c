from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.api.errors import as_drf_error
from ecosystem.api.viewsets import ScopedModelViewSet
from ecosystem.roles import ALL_ROLES, CHANNEL_AND_PARTNERS, CHANNEL_ONLY, PARTNER_ROLES

from .. import claims, services
from ..conflicts import conflicts_for
from ..filtersets import OpportunityFilterSet
from ..forms import account_search
from ..history import history_entries
from ..models import Opportunity, RegistrationStatus
from .serializers import (
    AccountLookupSerializer,
    BulkDecisionResultSerializer,
    BulkDecisionSerializer,
    ConfirmClaimSerializer,
    DecisionSerializer,
    ExtensionDecisionSerializer,
    ExtensionRequestSerializer,
    HistoryEntrySerializer,
    OpportunitySerializer,
    QueueEntrySerializer,
    StageChangeSerializer,
)

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Any unique string (e.g. a UUID) per registration: a retry with the same key returns the "
    "registration made the first time (200 and `Idempotent-Replayed: true`) instead of creating another.",
)


def service_call(function, **kwargs):
    try:
        return function(**kwargs)
    except DjangoValidationError as error:
        raise as_drf_error(error) from error


class OpportunityViewSet(ScopedModelViewSet):
    """Opportunities and their deal registrations.

    Partner users see and change their own partner's only; the channel team decides on
    registrations (one by one or in bulk) and on extension requests.
    """

    queryset = Opportunity.objects.select_related("account", "partner")
    serializer_class = OpportunitySerializer
    filterset_class = OpportunityFilterSet
    search_fields = ["account__name", "account__siren", "description", "external_id"]
    ordering_fields = ["created_at", "amount", "expected_close", "closed_on"]
    write_roles = CHANNEL_AND_PARTNERS
    action_roles = {
        "approve": CHANNEL_ONLY,
        "reject": CHANNEL_ONLY,
        "decide": CHANNEL_ONLY,
        "queue": CHANNEL_ONLY,
        "confirm": CHANNEL_ONLY,
        "decide_extension": CHANNEL_ONLY,
        "request_extension": PARTNER_ROLES,
        "stage": CHANNEL_AND_PARTNERS,
        "account_lookup": CHANNEL_AND_PARTNERS,
        "history": ALL_ROLES,
    }

    @extend_schema(parameters=[IDEMPOTENCY_HEADER])
    def create(self, request, *args, **kwargs):
        """Register an opportunity (a pending deal registration for a partner)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        for name in ("stage", "closed_on"):
            data.pop(name, None)
        result = service_call(
            services.registration_submit,
            user=request.user,
            idempotency_key=request.headers.get("Idempotency-Key"),
            **data,
        )
        body = self.get_serializer(result.opportunity).data
        if result.created:
            return Response(body, status=status.HTTP_201_CREATED)
        return Response(body, status=status.HTTP_200_OK, headers={"Idempotent-Replayed": "true"})

    def perform_update(self, serializer):
        serializer.instance = service_call(
            services.opportunity_update,
            opportunity=serializer.instance,
            user=self.request.user,
            **serializer.validated_data,
        )

    # --- Partner actions -------------------------------------------------------------------

    @extend_schema(request=StageChangeSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def stage(self, request, pk=None, **kwargs):
        """Move the opportunity on: registered → qualified → proposal → won | lost.

        Won needs `closed_on` and the final `amount`; lost records `closed_on` (today if empty).
        """
        opportunity = self.get_object()
        body = StageChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        opportunity = service_call(
            services.opportunity_change_stage, opportunity=opportunity, user=request.user, **body.validated_data
        )
        return Response(self.get_serializer(opportunity).data)

    @extend_schema(request=ExtensionRequestSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"], url_path="request-extension")
    def request_extension(self, request, pk=None, **kwargs):
        """Ask, once per registration and with a reason, for the protection to be extended."""
        opportunity = self.get_object()
        body = ExtensionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        opportunity = service_call(
            services.extension_request, opportunity=opportunity, user=request.user, reason=body.validated_data["reason"]
        )
        return Response(self.get_serializer(opportunity).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="SIREN (digits) or name, 3 characters at least")
        ],
        responses=AccountLookupSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="account-lookup", pagination_class=None, filter_backends=[])
    def account_lookup(self, request, **kwargs):
        """Find any account to register on, by SIREN or name: its id, name, SIREN and city, nothing more."""
        return Response(AccountLookupSerializer(account_search(request.query_params.get("q", "")), many=True).data)

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None, **kwargs):
        """Every change of the opportunity: when, who, what (old → new)."""
        opportunity = self.get_object()
        return Response(HistoryEntrySerializer(history_entries(opportunity, request.user), many=True).data)

    # --- Channel team actions -------------------------------------------------------------------

    def _decide(self, request, decision):
        opportunity = self.get_object()
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        opportunity = service_call(
            services.registration_decide,
            opportunity=opportunity,
            user=request.user,
            decision=decision,
            reason=body.validated_data["reason"],
            acknowledge_conflict=body.validated_data["acknowledge_conflict"],
        )
        return Response(self.get_serializer(opportunity).data)

    @extend_schema(request=DecisionSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None, **kwargs):
        """Approve a pending deal registration: the partner is protected for the protection period."""
        return self._decide(request, "approve")

    @extend_schema(request=DecisionSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None, **kwargs):
        """Reject a pending deal registration, with a reason."""
        return self._decide(request, "reject")

    @extend_schema(request=BulkDecisionSerializer, responses=BulkDecisionResultSerializer)
    @action(detail=False, methods=["post"])
    def decide(self, request, **kwargs):
        """Approve or reject many pending registrations at once; those no longer pending are skipped."""
        body = BulkDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = service_call(services.registrations_decide, user=request.user, **body.validated_data)
        return Response(
            BulkDecisionResultSerializer(
                {
                    "decision": result.decision,
                    "decided": result.decided,
                    "skipped": result.skipped,
                    "conflicting": sorted(result.conflicting),
                }
            ).data
        )

    @extend_schema(request=ExtensionDecisionSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"], url_path="decide-extension")
    def decide_extension(self, request, pk=None, **kwargs):
        """Grant (protection + the protection days) or refuse (with a reason) the partner's extension request."""
        opportunity = self.get_object()
        body = ExtensionDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        opportunity = service_call(
            services.extension_decide,
            opportunity=opportunity,
            user=request.user,
            grant=body.validated_data["decision"] == "grant",
            reason=body.validated_data["reason"],
        )
        return Response(self.get_serializer(opportunity).data)

    @extend_schema(request=ConfirmClaimSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None, **kwargs):
        """Confirm a partner's claimed win by hand, with a reason (audited), for business the order system lacks."""
        opportunity = self.get_object()
        body = ConfirmClaimSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        opportunity = service_call(
            claims.claim_confirm, opportunity=opportunity, user=request.user, reason=body.validated_data["reason"]
        )
        return Response(self.get_serializer(opportunity).data)

    @extend_schema(responses=QueueEntrySerializer(many=True))
    @action(detail=False, methods=["get"], filter_backends=[])
    def queue(self, request, **kwargs):
        """Pending registrations, conflicts first then oldest first, each with the records it conflicts with."""
        queryset = (
            self.get_queryset()
            .filter(registration_status=RegistrationStatus.PENDING)
            .select_related("account", "partner")
            .order_by("-has_conflict", "created_at", "id")
        )
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        context = {**self.get_serializer_context(), "conflicts": conflicts_for(rows)}
        data = QueueEntrySerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)
