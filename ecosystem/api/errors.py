from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers


def as_drf_error(error: DjangoValidationError) -> serializers.ValidationError:
    """A service's ValidationError as the API's 400 ``{"field": ["message"]}``."""
    return serializers.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)
