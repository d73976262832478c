from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.api.errors import as_drf_error
from ecosystem.api.picker import PICK_PARAMETERS, PickResultsSerializer
from ecosystem.api.viewsets import ScopedModelViewSet
from ecosystem.picker import pick_limit, pick_results
from ecosystem.roles import ALL_ROLES

from .. import services
from ..filtersets import PartnerFilterSet, RoadshowFilterSet, SecondmentFilterSet
from ..models import Partner, PartnerStatus, Roadshow, Secondment
from ..picking import partner_label
from .serializers import (
    AttendeeSerializer,
    PartnerSerializer,
    PartnerStatusSerializer,
    PartnerSuspendSerializer,
    RoadshowSerializer,
    SecondmentEndSerializer,
    SecondmentSerializer,
)


def _call(service, **kwargs):
    """A service's refusal as the API's 400 ``{"field": ["message"]}``."""
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        raise as_drf_error(error) from error


def _partner_detail(partner) -> str:
    if partner.status == PartnerStatus.ACTIVE:
        return str(partner.get_tier_display())
    return f"{partner.get_tier_display()} · {partner.get_status_display()}"


class PartnerViewSet(ScopedModelViewSet):
    """Partners. ``?search=`` (name, SIREN; accent- and case-insensitive) is a filter of PartnerFilterSet.
    The channel team creates, edits, suspends and activates them (partners/services.py)."""

    queryset = Partner.objects.all()
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilterSet
    ordering_fields = ["name", "tier", "joined_on"]
    action_roles = {"pick": ALL_ROLES}

    def perform_create(self, serializer):
        serializer.instance = _call(services.partner_create, user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = _call(
            services.partner_update, partner=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    @extend_schema(request=PartnerSuspendSerializer, responses=PartnerSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        """Suspend a partner (the reason is required): it is offered for no new assignment, secondment or
        roadshow; what it holds stays."""
        body = PartnerSuspendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        partner = _call(services.partner_suspend, partner=self.get_object(), user=request.user, **body.validated_data)
        return Response(self.get_serializer(partner).data)

    @extend_schema(request=PartnerStatusSerializer, responses=PartnerSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Make a prospect or a suspended partner active."""
        body = PartnerStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        partner = _call(services.partner_activate, partner=self.get_object(), user=request.user, **body.validated_data)
        return Response(self.get_serializer(partner).data)

    @extend_schema(
        parameters=[
            *PICK_PARAMETERS,
            OpenApiParameter("suspended", OpenApiTypes.BOOL, description="false: leave suspended partners out."),
        ],
        responses=PickResultsSerializer,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def pick(self, request):
        """Suggestions for the partner picker: the partners the caller sees (a partner user: its own) whose
        name or SIREN holds every word of ``q``, names starting with it first."""
        queryset = self.get_queryset().only("id", "name", "siren", "tier", "status")
        if request.query_params.get("suspended", "").lower() in ("0", "false"):
            queryset = queryset.exclude(status=PartnerStatus.SUSPENDED)
        results = pick_results(
            queryset,
            request.query_params.get("q"),
            folded=("name",),
            label=partner_label,
            detail=_partner_detail,
            limit=pick_limit(request.query_params.get("limit")),
        )
        return Response({"results": results})


class SecondmentViewSet(ScopedModelViewSet):
    """Vendor experts placed inside partners; a partner user sees its own."""

    queryset = Secondment.objects.select_related("partner")
    serializer_class = SecondmentSerializer
    filterset_class = SecondmentFilterSet
    ordering_fields = ["starts_on", "ends_on"]

    def perform_create(self, serializer):
        serializer.instance = _call(services.secondment_create, user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = _call(
            services.secondment_update,
            secondment=serializer.instance,
            user=self.request.user,
            **serializer.validated_data,
        )

    @extend_schema(request=SecondmentEndSerializer, responses=SecondmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End a secondment before its planned last day (today unless ``ends_on`` says otherwise)."""
        body = SecondmentEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        secondment = _call(
            services.secondment_end, secondment=self.get_object(), user=request.user, **body.validated_data
        )
        return Response(self.get_serializer(secondment).data)


class RoadshowViewSet(ScopedModelViewSet):
    """Regional roadshows; a partner user sees those it attends, and of their attendees only itself."""

    queryset = Roadshow.objects.prefetch_related(Prefetch("partners", queryset=Partner.objects.only("id")))
    serializer_class = RoadshowSerializer
    filterset_class = RoadshowFilterSet
    search_fields = ["title", "city"]
    ordering_fields = ["date"]

    def perform_create(self, serializer):
        values = dict(serializer.validated_data)
        attendees = values.pop("partners", [])
        serializer.instance = _call(services.roadshow_create, user=self.request.user, attendees=attendees, **values)

    def perform_update(self, serializer):
        values = dict(serializer.validated_data)
        attendees = values.pop("partners", None)
        serializer.instance = _call(
            services.roadshow_update,
            roadshow=serializer.instance,
            user=self.request.user,
            attendees=attendees,
            **values,
        )

    def _attendee(self, request, service):
        body = AttendeeSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        roadshow = _call(service, roadshow=self.get_object(), partner=body.validated_data["partner"], user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=roadshow.pk)).data)

    @extend_schema(request=AttendeeSerializer, responses=RoadshowSerializer)
    @action(detail=True, methods=["post"], url_path="add-attendee")
    def add_attendee(self, request, pk=None):
        """Add an attending partner."""
        return self._attendee(request, services.roadshow_attendee_add)

    @extend_schema(request=AttendeeSerializer, responses=RoadshowSerializer)
    @action(detail=True, methods=["post"], url_path="remove-attendee")
    def remove_attendee(self, request, pk=None):
        """Remove an attending partner (the roadshow's history keeps that it attended)."""
        return self._attendee(request, services.roadshow_attendee_remove)
