"""The project's FilterSet: every filter label in the reader's language.

A filter declared without a label gets one from django-filter when a form is built: an English phrase
from the field path and the lookup ("Line run period", "Closed on is greater than or equal to"), and
once worked out it is plain text. Here such a filter is named, lazily, by its model field's verbose name,
so it is translated on each rendering; a filter whose name is no model field must say its own label
(``tests/test_filter_labels.py`` fails otherwise).
"""

import django_filters
from django.core.exceptions import FieldDoesNotExist
from django.utils.functional import lazy
from django.utils.text import capfirst


def _verbose_name(model, path: str) -> str:
    field = None
    for part in path.split("__"):
        field = model._meta.get_field(part)
        model = getattr(field, "related_model", None) or model
    return capfirst(str(field.verbose_name))


_lazy_verbose_name = lazy(_verbose_name, str)


class FilterSet(django_filters.FilterSet):
    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        model = cls._meta.model
        for filter_ in filters.values():
            if filter_._label is not None or model is None or not isinstance(filter_.field_name, str):
                continue
            try:
                _verbose_name(model, filter_.field_name)
            except (FieldDoesNotExist, AttributeError):
                continue  # not a model field: the filter says its own label
            filter_._label = _lazy_verbose_name(model, filter_.field_name)
        return filters
