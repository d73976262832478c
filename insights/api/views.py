from ecosystem.api.viewsets import ScopedModelViewSet
from ecosystem.roles import INTERNAL_ROLES

from ..models import Target
from .serializers import TargetSerializer


class TargetViewSet(ScopedModelViewSet):
    queryset = Target.objects.all()
    serializer_class = TargetSerializer
    read_roles = INTERNAL_ROLES
    filterset_fields = ["region", "sector"]
