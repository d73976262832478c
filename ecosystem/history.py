"""A model's history (django-simple-history) in words people read: when, who, and which field went
from what to what — the field's label and the values' labels, in the reader's language, never codes.

    entries = history_entries(partner, ["name", "tier", "regions", "status"])

Each :class:`Entry` says when, who (the user's name, or "System"), what happened ("Created",
"Changed"), why (the change reason a service gave) and its :class:`Change`\\ s; :func:`entries` does
the same for the records of several rows at once (an account's assignments), each entry saying
which row it is about (``subject``). Values are shown
as a person reads them: a choice by its label, a list of choices by their labels, yes/no, a date
or an amount formatted for the active language, a related row by its name. ``m2m`` names
many-to-many fields recorded with ``HistoricalRecords(m2m_fields=...)``: their changes read
"added X; removed Y". A bounded number of queries, whatever the length of the history: the
records, one per related model named, one per many-to-many field.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .fields import ChoiceListField
from .periods import period_label

EMPTY = "—"


@dataclass(frozen=True)
class Change:
    label: str
    old: str  # "" when there was no value before (a creation, a many-to-many change)
    new: str


@dataclass(frozen=True)
class Entry:
    when: datetime
    who: str
    action: str
    reason: str
    changes: tuple[Change, ...]
    subject: str = ""  # which row the entry is about, where a history mixes several


def field_label(field) -> str:
    name = str(field.verbose_name)
    return name[:1].upper() + name[1:]


def _who(record) -> str:
    user = record.history_user
    if user is None:
        return _("System") if record.history_user_id is None else _("Former user")
    return user.get_full_name() or user.get_username()


def _action(history_type: str) -> str:
    return {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}.get(history_type, history_type)


#: Fields holding a period code (``2026-Q4``): shown as people say it ("Q4 2026" / "T4 2026").
PERIOD_FIELDS = frozenset({"period", "baseline_period", "deal_period"})


def display(field, value, related: dict | None = None, formatter=None) -> str:
    """``value`` of ``field`` as a person reads it, in the active language."""
    if formatter is not None and value not in (None, ""):
        return formatter(value)
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(field, ChoiceListField):
        labels = dict(field.choices_class.choices)
        return ", ".join(str(labels.get(item, item)) for item in value)
    if field.is_relation:
        return (related or {}).get(value, f"#{value}")
    if field.name in PERIOD_FIELDS:
        return period_label(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, Decimal | int | float):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


def _related_labels(model, fields, records) -> dict[str, dict]:
    """For each foreign key among ``fields``: {id: the related row's name}, one query per key."""
    labels = {}
    for name in fields:
        field = model._meta.get_field(name)
        if not field.is_relation or field.many_to_many:
            continue
        ids = {getattr(record, field.attname) for record in records} - {None}
        rows = field.related_model._base_manager.filter(pk__in=ids)
        labels[name] = {row.pk: str(row) for row in rows}
    return labels


def _m2m_sets(model, records, name) -> tuple[dict[int, set], dict]:
    """The related ids each record saw in the many-to-many ``name``, and their names."""
    history_model = model.history.model
    through = history_model._meta.get_field(f"{history_model._meta.model_name}_{name}").related_model
    target = model._meta.get_field(name).related_model
    key = next(f for f in through._meta.fields if f.is_relation and f.related_model is target)
    sets: dict[int, set] = {record.history_id: set() for record in records}
    rows = through.objects.filter(history_id__in=list(sets)).values_list("history_id", key.attname)
    for history_id, target_id in rows:
        sets[history_id].add(target_id)
    ids = set().union(*sets.values()) if sets else set()
    names = {row.pk: str(row) for row in target._base_manager.filter(pk__in=ids)}
    return sets, names


def history_entries(
    obj: models.Model, fields, *, m2m=(), formatters: dict | None = None, limit: int = 50
) -> list[Entry]:
    """The newest ``limit`` entries of ``obj``'s history, newest first."""
    model = type(obj)
    formatters = formatters or {}
    # The newest ``limit`` records, and the one before them to compare the oldest shown with.
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    records.reverse()
    related = _related_labels(model, fields, records)
    m2m_sets = {name: _m2m_sets(model, records, name) for name in m2m}
    entries, previous = [], None
    for record in records:
        changes = []
        for name in fields:
            field = model._meta.get_field(name)
            new = getattr(record, field.attname)
            old = getattr(previous, field.attname) if previous is not None else None
            if previous is None and new in (None, "", []):
                continue
            if previous is not None and old == new:
                continue
            labels, formatter = related.get(name), formatters.get(name)
            shown_old = display(field, old, labels, formatter) if previous is not None else ""
            changes.append(Change(field_label(field), shown_old, display(field, new, labels, formatter)))
        for name, (sets, names) in m2m_sets.items():
            now = sets.get(record.history_id, set())
            before = sets.get(previous.history_id, set()) if previous is not None else set()
            if now == before:
                continue
            parts = []
            if added := sorted(names.get(pk, f"#{pk}") for pk in now - before):
                parts.append(_("added %(names)s") % {"names": ", ".join(added)})
            if removed := sorted(names.get(pk, f"#{pk}") for pk in before - now):
                parts.append(_("removed %(names)s") % {"names": ", ".join(removed)})
            changes.append(Change(field_label(model._meta.get_field(name)), "", "; ".join(parts)))
        # A save that changed nothing shown (and says no why) tells nothing: left out.
        informative = record.history_type != "~" or changes or record.history_change_reason
        if informative and (previous is not None or len(records) <= limit):
            entries.append(
                Entry(
                    when=record.history_date,
                    who=_who(record),
                    action=_action(record.history_type),
                    reason=record.history_change_reason or "",
                    changes=tuple(changes),
                )
            )
        previous = record
    entries.reverse()
    return entries[:limit]


def entries(records, fields, *, subject, related: dict | None = None) -> list[Entry]:
    """Entries of ``records`` — history records of one model, of one or several rows, oldest first —
    each compared with the previous record of the same row; ``subject(record)`` says which row it is
    about; ``related`` gives, per foreign key among ``fields``, ``{id: name}`` (else one query each)."""
    records = list(records)
    if not records:
        return []
    model = records[0].instance_type
    related = {**_related_labels(model, [f for f in fields if f not in (related or {})], records), **(related or {})}
    result, last = [], {}
    for record in records:
        previous = last.get(record.id)
        last[record.id] = record
        changes = []
        for name in fields:
            field = model._meta.get_field(name)
            new = getattr(record, field.attname)
            old = getattr(previous, field.attname) if previous is not None else None
            if (previous is None and new in (None, "", [])) or (previous is not None and old == new):
                continue
            labels = related.get(name)
            shown_old = display(field, old, labels) if previous is not None else ""
            changes.append(Change(field_label(field), shown_old, display(field, new, labels)))
        if record.history_type == "~" and not changes and not record.history_change_reason:
            continue
        result.append(
            Entry(
                when=record.history_date,
                who=_who(record),
                action=_action(record.history_type),
                reason=record.history_change_reason or "",
                changes=tuple(changes),
                subject=str(subject(record)),
            )
        )
    return result
