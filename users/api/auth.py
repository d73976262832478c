"""API tokens for tools.

- ``POST /api/v1/auth/token/`` with ``{"username", "password"}`` → ``{"token": …}``; behind a
  throttle and django-axes: every failure counts toward the lockout, and a locked-out user
  gets 429, never a token.
- ``POST /api/v1/auth/token/rotate/`` (authenticated) → a new token; the old one stops working.

A deactivated user's tokens are deleted (``users.services.deactivate_user``), and
``TokenAuthentication`` refuses inactive users anyway.
"""

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

import audit
from audit import kinds
from ecosystem.api.serializers import RejectUnknownFieldsMixin
from ecosystem.roles import ALL_ROLES

TokenResponse = inline_serializer("TokenResponse", {"token": serializers.CharField()})


class AxesAuthTokenSerializer(RejectUnknownFieldsMixin, AuthTokenSerializer):
    """Authenticates against Django's own request, so django-axes' lockout flags reach its middleware."""

    def validate(self, attrs):
        username = attrs.get("username")
        password = attrs.get("password")
        if not (username and password):
            raise serializers.ValidationError(_('Must include "username" and "password".'), code="authorization")
        request = self.context.get("request")
        django_request = getattr(request, "_request", request)
        user = authenticate(request=django_request, username=username, password=password)
        if not user:
            raise serializers.ValidationError(_("Unable to log in with provided credentials."), code="authorization")
        attrs["user"] = user
        return attrs


class ObtainTokenView(ObtainAuthToken):
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    serializer_class = AxesAuthTokenSerializer

    @extend_schema(request=AxesAuthTokenSerializer, responses=TokenResponse)
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, created = Token.objects.get_or_create(user=user)
        # A successful login: axes resets the failures, last_login moves, the audit trail records it.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        if created:
            audit.record(kinds.TOKEN_ISSUED, actor=user, request=request)
        return Response({"token": token.key})


class RotateTokenView(APIView):
    """Replace the caller's token: the new one is returned, the old one answers 401 from now on."""

    read_roles = frozenset()
    write_roles = ALL_ROLES

    @extend_schema(request=None, responses=TokenResponse)
    def post(self, request):
        user = request.user
        with transaction.atomic():
            revoked = Token.objects.filter(user=user).delete()[0]
            token = Token.objects.create(user=user)
            audit.record(kinds.TOKEN_ROTATED, actor=user, request=request, detail={"revoked": revoked})
        return Response({"token": token.key})
