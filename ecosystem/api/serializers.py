"""Shared serializer helpers, and the base of every serializer that reads a request body."""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ecosystem.validators import siren_error


class SirenField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 9)
        kwargs.setdefault("min_length", 9)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        error = siren_error(value)
        if error:
            raise serializers.ValidationError(error)
        return value


class ChoiceListSerializerField(serializers.MultipleChoiceField):
    """A list of codes, returned as a sorted JSON list (not a set)."""

    def to_internal_value(self, data):
        return sorted(super().to_internal_value(data))

    def to_representation(self, value):
        return list(value or [])


#: Names a client may send that are not fields: the CSRF token of a browser's form post.
NOT_FIELDS = frozenset({"csrfmiddlewaretoken"})


class RejectUnknownFieldsMixin:
    """A name the serializer does not know answers 400 ``{"name": ["Unknown field."]}``: a typo like
    ``ammount`` is never silently dropped (DRF ignores unknown names by default). Read-only fields
    are known: sending back what a GET returned is fine, they are ignored as before."""

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, Mapping):
            unknown = {
                name: [_("Unknown field.")] for name in data if name not in self.fields and name not in NOT_FIELDS
            }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if unknown and isinstance(error.detail, Mapping):
                raise serializers.ValidationError({**error.detail, **unknown}) from error
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class InputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """The base of a request body that is not a model (an action's parameters)."""


class InputModelSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """The base of a model serializer that is written to (POST, PUT, PATCH)."""
