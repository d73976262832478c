from decimal import Decimal

from rest_framework import serializers

from ecosystem.api.serializers import InputModelSerializer, InputSerializer

from ..models import Target, validate_period


class TargetSerializer(InputModelSerializer):
    value = serializers.DecimalField(
        max_digits=5, decimal_places=4, min_value=Decimal("0.0001"), max_value=Decimal("1")
    )
    baseline_period = serializers.CharField(max_length=7, validators=[validate_period])

    class Meta:
        model = Target
        fields = ["id", "name", "value", "baseline_period", "deadline", "region", "sector"]


class BookingImportSerializer(InputSerializer):
    file = serializers.FileField()
    good_rows_only = serializers.BooleanField(default=False)
