"""Type-ahead pickers: a form field, a filter and a JSON answer to choose one row among thousands.

A long ``<select>`` of 600 partners (or an id box) is replaced by a text input that
``static/js/picker.js`` turns into a combobox: the user types part of a name, a SIREN or a city,
the script asks the model's ``pick`` endpoint (scoped exactly like the model's list: a partner
user is never offered another partner's row) and the chosen row's id goes into the form.
Without JavaScript the input stays a plain text box that accepts an id or a SIREN.

- :class:`PickField` turns the submitted id or SIREN into the row, looked up in ``queryset``
  (which the form scopes to the user); anything else is refused with the field's message.
- :class:`PickerWidget` renders the input with what the script needs (the endpoint, the texts
  in the reader's language, the chosen row's label).
- :func:`pick_results` is the body of the ``pick`` endpoints: the best matches first.

The concrete fields, for partners and accounts, live in ``partners/picking.py`` and
``accounts/picking.py``.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .search import search_condition, starts_with, words
from .validators import MAX_ID

#: Suggestions a picker shows at most.
PICK_LIMIT = 10
MAX_PICK_LIMIT = 20


def parse_reference(value) -> dict | None:
    """The lookup an id or a SIREN typed in a picker names: ``{"siren": …}`` for 9 digits (spaces
    allowed), ``{"pk": …}`` for fewer, None for anything else. (A 9-digit id would read as a SIREN:
    ids of partners and accounts stay far below 100,000,000.)"""
    text = str(value).replace(" ", "").replace("\u00a0", "").strip()
    if not text.isascii() or not text.isdigit():
        return None
    if len(text) == 9:
        return {"siren": text}
    if len(text) > 9 or int(text) > MAX_ID or int(text) == 0:
        return None
    return {"pk": int(text)}


class PickerWidget(forms.TextInput):
    """A text input the picker script turns into a combobox (``source``: the URL name of the JSON
    endpoint; ``params``: its fixed query parameters)."""

    template_name = "ecosystem/widgets/picker.html"
    placeholder = _("Name or SIREN")
    without_script = _("SIREN (9 digits) or number")

    def __init__(self, source: str, *, params: str = "", placeholder=None, attrs=None):
        self.source, self.params = source, params
        if placeholder is not None:
            self.placeholder = placeholder
        #: The row the current value names (set by the field when the form is rendered).
        self.picked = None
        self.picked_label = ""
        super().__init__(attrs={"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        url = reverse(self.source)
        context["picker"] = {
            "url": f"{url}?{self.params}" if self.params else url,
            "label": self.picked_label,
            "placeholder": self.placeholder,
            "without_script": self.without_script,
        }
        return context


class PickField(forms.Field):
    """One row of ``queryset``, named by its id or its SIREN (what the picker or a person submits)."""

    widget = PickerWidget
    #: ``source`` of the widget: the URL name of the model's pick endpoint.
    source = ""
    params = ""
    placeholder = None
    default_error_messages = {
        "invalid": _("Choose from the suggestions, or type a SIREN (9 digits)."),
        "invalid_choice": _("Nothing you may choose has this SIREN or number."),
    }

    def __init__(self, queryset=None, *, label_of=str, source=None, **kwargs):
        for name in ("empty_label", "null_label", "null_value", "to_field_name", "limit_choices_to", "blank"):
            kwargs.pop(name, None)  # what django-filter and model forms pass to a choice field
        self.source = source or self.source
        kwargs.setdefault("widget", PickerWidget(self.source, params=self.params, placeholder=self.placeholder))
        super().__init__(**kwargs)
        self.queryset = queryset
        self.label_of = label_of

    def lookup(self, value):
        """The row ``value`` names, or None."""
        if isinstance(value, models.Model):
            return value
        reference = parse_reference(value)
        if reference is None or self.queryset is None:
            return None
        return self.queryset.filter(**reference).first()

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, models.Model):
            return value
        if parse_reference(value) is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        row = self.lookup(value)
        if row is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return row

    def prepare_value(self, value):
        """What the input holds: the id of a row, or the text a person typed. The row's label is
        given to the widget, shown in the box (with the script) or beside it (without)."""
        row = None if value in self.empty_values else self.lookup(value)
        self.widget.picked = row
        self.widget.picked_label = self.label_of(row) if row is not None else ""
        if isinstance(value, models.Model):
            return value.pk
        return value

    def has_changed(self, initial, data):
        initial_value = getattr(initial, "pk", initial)
        return str(initial_value or "") != str(data or "")


@extend_schema_field(OpenApiTypes.STR)  # an id or a SIREN
class PickFilter(django_filters.ModelChoiceFilter):
    """A filter on one related row, chosen with a picker (``source``: the pick endpoint's URL name).
    A model choice filter as far as ``scope_filter_choices`` is concerned: its rows are scoped."""

    field_class = PickField


def pick_results(
    queryset, text, *, folded, exact=("siren",), label, detail=None, prefer=None, limit=PICK_LIMIT
) -> list[dict]:
    """The ``pick`` endpoint's answer: the rows of ``queryset`` matching ``text`` — the ``prefer``red
    ones first (a condition, read back as ``row._preferred``), then those whose name starts with the
    first word, then by name — each as ``{"id", "label", "detail"}``. One query."""
    if not words(text):
        return []
    rows = queryset.filter(search_condition(text, folded=folded, exact=exact)).annotate(
        _starts=ExpressionWrapper(starts_with(folded[0], text), output_field=BooleanField())
    )
    order = ["-_starts", folded[0], "pk"]
    if prefer is not None:
        rows = rows.annotate(_preferred=ExpressionWrapper(prefer, output_field=BooleanField()))
        order.insert(0, "-_preferred")
    rows = rows.order_by(*order)[:limit]
    return [{"id": row.pk, "label": label(row), "detail": detail(row) if detail else ""} for row in rows]


def pick_limit(raw) -> int:
    try:
        return max(1, min(int(raw), MAX_PICK_LIMIT))
    except (TypeError, ValueError):
        return PICK_LIMIT
