"""``/api/v1/assignment-proposals/``: request a proposal (202 + job), review its items, accept or discard.

Managers read proposals and their items (SPEC §2: managers read everything); only the channel team
requests, accepts and discards.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.api.errors import as_drf_error
from ecosystem.api.serializers import InputSerializer
from ecosystem.api.viewsets import ScopedReadOnlyViewSet
from ecosystem.choices import Region, Sector
from ecosystem.roles import CHANNEL_ONLY, INTERNAL_ROLES

from ..models import AssignmentProposal, ProposalItem
from ..proposing import proposal_accept, proposal_discard, proposal_request


class ProposalItemSerializer(serializers.ModelSerializer):
    account_name = serializers.CharField(source="account.name", read_only=True)
    account_siren = serializers.CharField(source="account.siren", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    score = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True)
    reasons = serializers.ListField(
        child=serializers.CharField(), source="reasons_text", read_only=True,
        help_text="Why this partner, in the request's language.",
    )  # fmt: skip
    reason_parts = serializers.JSONField(
        source="reasons",
        read_only=True,
        help_text="The same reasons as stored: each a kind with its codes and figures.",
    )

    class Meta:
        model = ProposalItem
        fields = [
            "id",
            "account",
            "account_name",
            "account_siren",
            "partner",
            "partner_name",
            "score",
            "reasons",
            "reason_parts",
            "status",
            "note",
        ]
        read_only_fields = fields


class ProposalSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, default=None, allow_null=True)

    class Meta:
        model = AssignmentProposal
        fields = ["id", "status", "params", "summary", "job", "created_by", "created_at", "decided_by", "decided_at"]
        read_only_fields = fields


class ProposalRequestSerializer(InputSerializer):
    region = serializers.ListField(child=serializers.ChoiceField(choices=Region.choices), required=False)
    sector = serializers.ListField(child=serializers.ChoiceField(choices=Sector.choices), required=False)


class ProposalAcceptSerializer(InputSerializer):
    items = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=False,
        max_length=20000,
        help_text="Ids of the items to accept; omit to accept every item.",
    )


class AssignmentProposalViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    queryset = AssignmentProposal.objects.select_related("created_by", "decided_by")
    serializer_class = ProposalSerializer
    read_roles = INTERNAL_ROLES
    write_roles = CHANNEL_ONLY
    filterset_fields = ["status"]

    @extend_schema(request=ProposalRequestSerializer, responses={202: ProposalSerializer})
    def create(self, request, *args, **kwargs):
        """Ask for a proposal for the unassigned select accounts (optionally of some regions or sectors)."""
        body = ProposalRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            proposal = proposal_request(user=request.user, params=body.validated_data)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        proposal.refresh_from_db()
        return Response(ProposalSerializer(proposal).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=ProposalItemSerializer(many=True))
    @action(detail=True, methods=["get"])
    def items(self, request, pk=None):
        """The proposed assignments with their score and reasons, paginated."""
        proposal = self.get_object()
        items = ProposalItem.objects.filter(proposal=proposal).select_related("account", "partner").order_by("id")
        page = self.paginate_queryset(items)
        return self.get_paginated_response(ProposalItemSerializer(page, many=True).data)

    @extend_schema(request=ProposalAcceptSerializer, responses={200: dict})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Write all items (or the listed ones) as primary assignments, in one transaction."""
        proposal = self.get_object()
        body = ProposalAcceptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            result = proposal_accept(proposal=proposal, user=request.user, item_ids=body.validated_data.get("items"))
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return Response(result)

    @extend_schema(request=None, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        proposal = self.get_object()
        try:
            proposal_discard(proposal=proposal, user=request.user)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        proposal.refresh_from_db()
        return Response(ProposalSerializer(proposal).data)
