from django.db.models import Prefetch

from ecosystem.api.viewsets import ScopedModelViewSet

from ..filtersets import PartnerFilterSet, RoadshowFilterSet, SecondmentFilterSet
from ..models import Partner, Roadshow, Secondment
from .serializers import PartnerSerializer, RoadshowSerializer, SecondmentSerializer


class PartnerViewSet(ScopedModelViewSet):
    queryset = Partner.objects.all()
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilterSet
    search_fields = ["name", "siren"]
    ordering_fields = ["name", "tier", "joined_on"]


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
