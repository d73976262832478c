"""A model's recorded history (django-simple-history) in words for people.

Every history page of the product shows the same thing: when, who, what was done, and for each
field that changed, its label and the old and new values as the reader says them — a choice's
label rather than its code, ``yes``/``no`` rather than ``True``, dates in the reader's format, the
name of a related row rather than its id. This module turns records into such entries; pages
decide which fields to show and whose names to put on the rows they point at.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .fields import ChoiceListField

#: A record's ``history_type`` as a verb.
ACTIONS = {
    "+": pgettext_lazy("history of a record", "created"),
    "~": pgettext_lazy("history of a record", "changed"),
    "-": pgettext_lazy("history of a record", "deleted"),
}


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.label}: {self.new}" if self.old == "" else f"{self.label}: {self.old} → {self.new}"


@dataclass(frozen=True)
class Entry:
    at: datetime
    who: str
    subject: str  # what the record is about ("Account", "Assignment of Alpha")
    action: str  # created, changed, deleted: in words
    changes: tuple[Change, ...] = field(default=())


def field_label(model_field) -> str:
    name = str(model_field.verbose_name)
    return name[:1].upper() + name[1:]


def display_value(model_field, value, names: dict | None = None) -> str:
    """``value`` of ``model_field`` for a reader: labels for codes, yes/no, localized dates, related names."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(model_field, models.ForeignKey) and names is not None:
        return str(names.get(value, f"#{value}"))
    if isinstance(model_field, ChoiceListField):
        labels = dict(model_field.choices_class.choices)
        return ", ".join(str(labels.get(item, item)) for item in value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def changes_between(previous, record, field_names, names: dict | None = None) -> tuple[Change, ...]:
    """What changed from ``previous`` to ``record`` (two history records of one row) among ``field_names``;
    every non-empty field when ``previous`` is None (a creation)."""
    model = record.instance_type
    result = []
    for name in field_names:
        model_field = model._meta.get_field(name)
        attname = model_field.attname
        new = getattr(record, attname)
        old = getattr(previous, attname) if previous is not None else None
        if previous is not None and old == new:
            continue
        if previous is None and new in (None, "", []):
            continue
        result.append(
            Change(
                field=name,
                label=field_label(model_field),
                old="" if previous is None else display_value(model_field, old, (names or {}).get(name)),
                new=display_value(model_field, new, (names or {}).get(name)),
            )
        )
    return tuple(result)


def who(record) -> str:
    user = record.history_user
    if user is None:
        return str(_("System"))
    return user.get_full_name() or user.get_username()


def entries(records, field_names, *, subject, names: dict | None = None) -> list[Entry]:
    """Entries of ``records`` (history records of one model, oldest first), each diffed against the
    previous record of the same row; ``subject(record)`` names what a record is about; ``names`` gives,
    per foreign-key field, ``{id: name}`` of the rows it points at."""
    result, last = [], {}
    for record in records:
        previous = last.get(record.id)
        changes = changes_between(previous, record, field_names, names)
        last[record.id] = record
        if record.history_type == "~" and not changes:
            continue
        result.append(
            Entry(
                at=record.history_date,
                who=who(record),
                subject=str(subject(record)),
                action=str(ACTIONS.get(record.history_type, record.history_type)),
                changes=changes,
            )
        )
    return result
