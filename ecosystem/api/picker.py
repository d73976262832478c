"""The shape of a ``pick`` endpoint's answer (ecosystem/picker.py), for the OpenAPI schema."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

PICK_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Words of a name, a SIREN or a city (2 characters at least)."),
    OpenApiParameter("limit", OpenApiTypes.INT, description="Suggestions to return, 1 to 20 (10 by default)."),
]


class PickResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField(help_text="What the picker shows and puts in the box once chosen.")
    detail = serializers.CharField(help_text="A second line: the city, the tier.")


class PickResultsSerializer(serializers.Serializer):
    results = PickResultSerializer(many=True)
