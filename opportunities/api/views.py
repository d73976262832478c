from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.api.errors import as_drf_error
from ecosystem.api.viewsets import ScopedModelViewSet
from ecosystem.roles import CHANNEL_AND_PARTNERS, CHANNEL_ONLY

from .. import services
from ..filtersets import OpportunityFilterSet
from ..models import Opportunity
from .serializers import DecisionSerializer, OpportunitySerializer


class OpportunityViewSet(ScopedModelViewSet):
    queryset = Opportunity.objects.select_related("account", "partner")
    serializer_class = OpportunitySerializer
    filterset_class = OpportunityFilterSet
    search_fields = ["account__name", "account__siren", "description", "external_id"]
    ordering_fields = ["created_at", "amount", "expected_close", "closed_on"]
    write_roles = CHANNEL_AND_PARTNERS
    action_roles = {"approve": CHANNEL_ONLY, "reject": CHANNEL_ONLY}

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("stage", None)
        data.pop("closed_on", None)
        try:
            serializer.instance = services.opportunity_register(user=self.request.user, **data)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error

    def perform_update(self, serializer):
        try:
            serializer.instance = services.opportunity_update(
                opportunity=serializer.instance, user=self.request.user, **serializer.validated_data
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from error

    def _decide(self, request, decide):
        opportunity = self.get_object()
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            opportunity = decide(opportunity=opportunity, user=request.user, reason=body.validated_data["reason"])
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return Response(self.get_serializer(opportunity).data)

    @extend_schema(request=DecisionSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a pending deal registration: the partner is protected for the protection period."""
        return self._decide(request, services.registration_approve)

    @extend_schema(request=DecisionSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject a pending deal registration, with a reason."""
        return self._decide(request, services.registration_reject)
