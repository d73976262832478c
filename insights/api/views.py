from django.core.exceptions import ValidationError as DjangoValidationError

from ecosystem.api.errors import as_drf_error
from ecosystem.api.viewsets import ScopedModelViewSet
from ecosystem.roles import INTERNAL_ROLES

from .. import targets
from ..models import Target
from .serializers import TargetSerializer


class TargetViewSet(ScopedModelViewSet):
    """Targets of the ecosystem's share: internal users read them, the channel team writes them
    (insights/targets.py: validated, in the target's history, audited)."""

    queryset = Target.objects.all()
    serializer_class = TargetSerializer
    read_roles = INTERNAL_ROLES
    filterset_fields = ["region", "sector"]

    def perform_create(self, serializer):
        try:
            serializer.instance = targets.target_create(user=self.request.user, **serializer.validated_data)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error

    def perform_update(self, serializer):
        try:
            serializer.instance = targets.target_update(
                target=serializer.instance, user=self.request.user, **serializer.validated_data
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
