from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.settings import api_settings


def as_drf_error(error: DjangoValidationError) -> serializers.ValidationError:
    """A service's ValidationError as the API's 400 ``{"field": ["message"]}`` (a model's errors that
    concern no one field under ``non_field_errors``, as DRF names them)."""
    if not hasattr(error, "error_dict"):
        return serializers.ValidationError(error.messages)
    detail = {
        (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
        for field, messages in error.message_dict.items()
    }
    return serializers.ValidationError(detail)


def exception_handler(exc, context):
    """DRF's handler, plus: a query parameter the database cannot hold (an id beyond 64 bits, a NUL
    character) answers 400 naming the problem, never 500."""
    from django.db import DataError
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, OverflowError | DataError):
        request = context.get("request")
        names = ", ".join(sorted(request.query_params)) if request is not None else ""
        exc = serializers.ValidationError(
            {"detail": [f"A parameter is out of range or holds a character that is not allowed ({names})."]}
        )
    return drf_exception_handler(exc, context)
