"""``/api/v1/users/``: partner users, scoped like the pages (another partner's user is 404)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.api.errors import as_drf_error
from ecosystem.api.viewsets import ScopedViewSetMixin

from .. import services
from ..filtersets import UserFilterSet
from ..models import User
from ..views import READ_ROLES, WRITE_ROLES
from .serializers import InviteSerializer, RoleSerializer, UserSerializer


class UserViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """List and read users; ``POST`` invites a partner user; actions deactivate, reactivate, change the role.

    A partner administrator sees its own partner's users; the internal roles see everyone,
    and the actions apply to partner users only (internal users are managed in the admin).

    There is no ``PUT``/``PATCH``: a user's partner never changes, and every other change
    has its own action with its own rules.
    """

    queryset = User.objects.select_related("partner")
    serializer_class = UserSerializer
    filterset_class = UserFilterSet
    ordering_fields = ["username", "email", "last_login", "date_joined"]
    read_roles = READ_ROLES
    write_roles = WRITE_ROLES

    def _run(self, call, **kwargs):
        try:
            return call(actor=self.request.user, request=self.request, **kwargs)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error

    @extend_schema(request=InviteSerializer, responses={201: UserSerializer})
    def create(self, request, *args, **kwargs):
        """Invite a partner user: an inactive account and an email with a one-time link."""
        serializer = InviteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        user = self._run(
            services.invite_user,
            base_url=request.build_absolute_uri("/"),
            **serializer.validated_data,
        )
        return Response(
            UserSerializer(user, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses=UserSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        user = self._run(services.deactivate_user, user=self.get_object())
        return Response(UserSerializer(user, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=UserSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        user = self._run(services.reactivate_user, user=self.get_object())
        return Response(UserSerializer(user, context=self.get_serializer_context()).data)

    @extend_schema(request=RoleSerializer, responses=UserSerializer)
    @action(detail=True, methods=["post"])
    def role(self, request, pk=None):
        target = self.get_object()
        serializer = RoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = self._run(services.change_role, user=target, role=serializer.validated_data["role"])
        return Response(UserSerializer(user, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={202: None})
    @action(detail=True, methods=["post"], url_path="resend-invitation")
    def resend_invitation(self, request, pk=None):
        self._run(services.resend_invitation, user=self.get_object(), base_url=request.build_absolute_uri("/"))
        return Response(status=status.HTTP_202_ACCEPTED)
