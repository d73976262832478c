"""Serializer fields that respect scoping: a related id outside the caller's scope is 'does not exist'."""

from rest_framework import serializers


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """Choices limited to what the requesting user may see, so partner A cannot name partner B's rows."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return queryset.for_user(user)
