"""``/api/v1/booking-reconciliation/``: the partner bookings waiting for the channel team (SPEC §4.2).

Internal users read the queue; the channel team links a booking to an opportunity or creates
one from it, with a reason. Partner users get 403: the queue is the channel team's.
"""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Account
from accounts.picking import AccountPickFilter
from ecosystem.api.fields import ScopedPrimaryKeyRelatedField
from ecosystem.api.serializers import InputSerializer
from ecosystem.api.viewsets import ScopedReadOnlyViewSet
from ecosystem.choices import ProductLine
from ecosystem.filtering import FilterSet
from ecosystem.roles import CHANNEL_ONLY, INTERNAL_ROLES
from partners.models import Partner
from partners.picking import PartnerPickFilter

from .. import reconciliation
from ..models import Opportunity, QueuedBooking, QueuedBookingReason, QueuedBookingStatus
from .serializers import OpportunitySerializer
from .views import service_call


class QueuedBookingSerializer(serializers.ModelSerializer):
    account_name = serializers.CharField(source="account.name", read_only=True)
    account_siren = serializers.CharField(source="account.siren", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    candidates = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, help_text="Ids of the opportunities it could confirm."
    )

    class Meta:
        model = QueuedBooking
        fields = [
            "id", "external_id", "account", "account_name", "account_siren", "partner", "partner_name", "route",
            "product_line", "amount", "closed_on", "registration", "reason", "candidates", "status", "opportunity",
            "resolved_at", "resolution_reason", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class LinkSerializer(InputSerializer):
    opportunity = ScopedPrimaryKeyRelatedField(
        queryset=Opportunity.objects.all(),
        help_text="The opportunity of the booking's partner that the booking confirms.",
        error_messages={"does_not_exist": _("No opportunity has the id {pk_value}.")},
    )
    reason = serializers.CharField(
        max_length=500, error_messages={"blank": _("Say why (it is kept in the audit trail).")}
    )


class CreateFromBookingSerializer(InputSerializer):
    reason = serializers.CharField(
        max_length=500, error_messages={"blank": _("Say why (it is kept in the audit trail).")}
    )


class QueuedBookingFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=QueuedBookingStatus.choices)
    reason = django_filters.MultipleChoiceFilter(choices=QueuedBookingReason.choices)
    product_line = django_filters.MultipleChoiceFilter(choices=ProductLine.choices)
    # A partner or an account named by SIREN or id (what the pickers send), not a bare number.
    partner = PartnerPickFilter(queryset=Partner.objects.all(), field_name="partner", label=_("Partner"))
    account = AccountPickFilter(queryset=Account.objects.all(), field_name="account", label=_("Account"))

    class Meta:
        model = QueuedBooking
        fields = ["status", "reason", "product_line", "partner", "account", "external_id"]


class QueuedBookingViewSet(ScopedReadOnlyViewSet):
    """Partner bookings that matched no claim, or several, oldest first; link or create with a reason."""

    queryset = QueuedBooking.objects.select_related("account", "partner")
    serializer_class = QueuedBookingSerializer
    filterset_class = QueuedBookingFilterSet
    search_fields = ["external_id", "account__name", "account__siren", "partner__name"]
    ordering_fields = ["created_at", "amount", "closed_on"]
    read_roles = INTERNAL_ROLES
    write_roles = CHANNEL_ONLY
    action_roles = {"link": CHANNEL_ONLY, "create_opportunity": CHANNEL_ONLY}

    @extend_schema(request=LinkSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def link(self, request, pk=None, **kwargs):
        """Link the booking to an opportunity of its partner, which it confirms (the booked figures win)."""
        booking = self.get_object()
        body = LinkSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        opportunity = service_call(reconciliation.queued_booking_link, booking=booking, user=request.user,
                                   **body.validated_data)  # fmt: skip
        return Response(OpportunitySerializer(opportunity, context=self.get_serializer_context()).data)

    @extend_schema(request=CreateFromBookingSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"], url_path="create-opportunity")
    def create_opportunity(self, request, pk=None, **kwargs):
        """Create the won, confirmed opportunity the booking describes (no claim of its partner matches it)."""
        booking = self.get_object()
        body = CreateFromBookingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        opportunity = service_call(reconciliation.queued_booking_create, booking=booking, user=request.user,
                                   reason=body.validated_data["reason"])  # fmt: skip
        return Response(OpportunitySerializer(opportunity, context=self.get_serializer_context()).data, status=201)
