"""An opportunity's history as readable entries: when, who, what changed (old → new).

Partner users read their own opportunities' history too, so it is filtered for them:
internal people appear as "Channel team", and the channel team's triage marker
(``has_conflict``) and internal keys are never shown. An entry with nothing left to
show is dropped.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ecosystem.history import display, field_label
from ecosystem.roles import is_internal, partner_id_of
from partners.models import Roadshow

from .models import Opportunity

# Timestamps of decisions and requests are the entry's own date; they are not repeated as changes.
ALWAYS_HIDDEN = {
    "updated_at",
    "created_at",
    "idempotency_key",
    "id",
    "decided_at",
    "extension_requested_at",
    "extension_decided_at",
    "claimed_at",
    "confirmed_at",
}
HIDDEN_FROM_PARTNERS = ALWAYS_HIDDEN | {"has_conflict", "external_id"}
# Who decided or asked is told by the entry's author; the raw user ids are not repeated.
USER_FIELDS = {"registered_by", "decided_by", "extension_requested_by", "extension_decided_by", "confirmed_by"}


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: object
    who: str
    kind: str  # created, changed
    reason: str
    changes: list[Change]
    stage: str
    registration: str


def _display(field, value, roadshows: dict) -> str:
    return display(field, value, roadshows if field.name == "roadshow" else None)


def _who(record, viewer) -> str:
    user = record.history_user
    if user is None:
        return _("System") if record.history_user_id is None else _("Former user")
    if is_internal(viewer) or (partner_id_of(viewer) is not None and user.partner_id == partner_id_of(viewer)):
        return user.get_full_name() or user.username
    return _("Channel team")


def history_entries(opportunity: Opportunity, viewer, limit: int = 200) -> list[Entry]:
    """Newest first, at most ``limit`` entries."""
    hidden = ALWAYS_HIDDEN | USER_FIELDS if is_internal(viewer) else HIDDEN_FROM_PARTNERS | USER_FIELDS
    records = list(
        opportunity.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    records.reverse()  # oldest first to diff each against the one before
    fields = {f.name: f for f in Opportunity._meta.concrete_fields}
    roadshow_ids = {r.roadshow_id for r in records if r.roadshow_id}
    roadshows = {r.pk: str(r.title) for r in Roadshow.objects.filter(pk__in=roadshow_ids)}
    entries = []
    previous = None
    for record in records:
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=hidden)
            for change in delta.changes:
                field = fields.get(change.field)
                if field is None:
                    continue
                changes.append(
                    Change(
                        field=change.field,
                        label=field_label(field),
                        old=_display(field, change.old, roadshows),
                        new=_display(field, change.new, roadshows),
                    )
                )
        kind = "created" if record.history_type == "+" else "changed"
        if previous is None and len(records) > limit:
            previous = record
            continue  # the oldest record only served as the base of the next diff
        previous = record
        if kind == "changed" and not changes:
            continue
        entries.append(
            Entry(
                when=record.history_date,
                who=_who(record, viewer),
                kind=kind,
                reason=record.history_change_reason or "",
                changes=changes,
                stage=record.get_stage_display(),
                registration=record.get_registration_status_display() if record.registration_status else "",
            )
        )
    entries.reverse()
    return entries
