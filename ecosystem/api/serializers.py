"""Shared serializer helpers."""

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
