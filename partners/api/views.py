from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.api.picker import PICK_PARAMETERS, PickResultsSerializer
from ecosystem.api.viewsets import ScopedModelViewSet
from ecosystem.picker import pick_limit, pick_results
from ecosystem.roles import ALL_ROLES

from ..filtersets import PartnerFilterSet, RoadshowFilterSet, SecondmentFilterSet
from ..models import Partner, PartnerStatus, Roadshow, Secondment
from ..picking import partner_label
from .serializers import PartnerSerializer, RoadshowSerializer, SecondmentSerializer


def _partner_detail(partner) -> str:
    if partner.status == PartnerStatus.ACTIVE:
        return str(partner.get_tier_display())
    return f"{partner.get_tier_display()} · {partner.get_status_display()}"


class PartnerViewSet(ScopedModelViewSet):
    """``?search=`` (name, SIREN; accent- and case-insensitive) is a filter of PartnerFilterSet."""

    queryset = Partner.objects.all()
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilterSet
    ordering_fields = ["name", "tier", "joined_on"]
    action_roles = {"pick": ALL_ROLES}

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
    queryset = Secondment.objects.select_related("partner")
    serializer_class = SecondmentSerializer
    filterset_class = SecondmentFilterSet
    ordering_fields = ["starts_on", "ends_on"]


class RoadshowViewSet(ScopedModelViewSet):
    queryset = Roadshow.objects.prefetch_related(Prefetch("partners", queryset=Partner.objects.only("id")))
    serializer_class = RoadshowSerializer
    filterset_class = RoadshowFilterSet
    search_fields = ["title", "city"]
    ordering_fields = ["date"]
