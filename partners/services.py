"""Writes on partners, secondments and roadshows, shared by the pages and the API.

Each one checks what the models check (a SIREN with its check digit and unique, choices, dates in
order) plus the rule of its action; on the first refusal it raises ``ValidationError({field:
[message]})`` and writes nothing. It records who acted (and why) in the row's history, which the
detail pages show in words, and writes an audit event.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

import audit
from audit import kinds

from .models import Partner, PartnerStatus, Roadshow, Secondment

PARTNER_FIELDS = ("name", "siren", "kind", "tier", "regions", "specialisations", "status", "joined_on", "capacity")
SECONDMENT_FIELDS = ("expert_name", "expert_email", "expertise", "partner", "starts_on", "ends_on")
ROADSHOW_FIELDS = ("title", "city", "region", "date")
REASON_MAX_LENGTH = 500


# --- Shared -----------------------------------------------------------------------------------


def _snapshot(obj, fields) -> dict:
    """The fields' stored values (a related row by its id), for the audit trail's before/after."""
    return {name: getattr(obj, obj._meta.get_field(name).attname) for name in fields}


def _changes(before: dict, after: dict) -> dict:
    return {name: [before[name], value] for name, value in after.items() if before[name] != value}


def _assign(obj, values: dict, fields) -> None:
    unknown = set(values) - set(fields)
    if unknown:
        raise TypeError(f"not fields of {type(obj).__name__}: {sorted(unknown)}")
    for name, value in values.items():
        setattr(obj, name, value)


def _stamp(obj, user, reason: str = "") -> None:
    """Who (and why) for the history record the next save writes."""
    obj._history_user = user if getattr(user, "is_authenticated", False) else None
    if reason:
        obj._change_reason = reason[:100]


def _reason(reason, *, required: bool, message: str = "") -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({"reason": [message]})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": [_("At most %(count)s characters.") % {"count": REASON_MAX_LENGTH}]})
    return reason


def _not_suspended(partner: Partner, message: str) -> None:
    if partner.status == PartnerStatus.SUSPENDED:
        raise ValidationError({"partner": [message % {"partner": partner.name}]})


# --- Partners ---------------------------------------------------------------------------------


@transaction.atomic
def partner_create(*, user, **values) -> Partner:
    partner = Partner()
    _assign(partner, values, PARTNER_FIELDS)
    partner.full_clean()
    _stamp(partner, user)
    partner.save()
    audit.record(kinds.PARTNER_CREATED, actor=user, target=partner, detail=_snapshot(partner, PARTNER_FIELDS))
    return partner


@transaction.atomic
def partner_update(*, partner: Partner, user, reason: str = "", **changes) -> Partner:
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    before = _snapshot(partner, PARTNER_FIELDS)
    _assign(partner, changes, PARTNER_FIELDS)
    partner.full_clean()
    changed = _changes(before, _snapshot(partner, PARTNER_FIELDS))
    if changed:
        _stamp(partner, user, reason)
        partner.save()
        audit.record(kinds.PARTNER_CHANGED, actor=user, target=partner, detail={"changes": changed})
    return partner


@transaction.atomic
def partner_suspend(*, partner: Partner, user, reason: str) -> Partner:
    """A suspended partner is offered for no new assignment, secondment or roadshow; what it holds stays."""
    reason = _reason(reason, required=True, message=_("Say why the partner is suspended: it is kept in its history."))
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if partner.status == PartnerStatus.SUSPENDED:
        raise ValidationError({"status": [_("This partner is already suspended.")]})
    previous = partner.status
    partner.status = PartnerStatus.SUSPENDED
    _stamp(partner, user, reason)
    partner.save(update_fields=["status"])
    audit.record(
        kinds.PARTNER_SUSPENDED, actor=user, target=partner, detail={"previous_status": previous, "reason": reason}
    )
    return partner


@transaction.atomic
def partner_activate(*, partner: Partner, user, reason: str = "") -> Partner:
    """A prospect becomes active, a suspended partner active again."""
    reason = _reason(reason, required=False)
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if partner.status == PartnerStatus.ACTIVE:
        raise ValidationError({"status": [_("This partner is already active.")]})
    previous = partner.status
    partner.status = PartnerStatus.ACTIVE
    _stamp(partner, user, reason)
    partner.save(update_fields=["status"])
    audit.record(
        kinds.PARTNER_ACTIVATED, actor=user, target=partner, detail={"previous_status": previous, "reason": reason}
    )
    return partner


# --- Secondments ------------------------------------------------------------------------------


@transaction.atomic
def secondment_create(*, user, **values) -> Secondment:
    secondment = Secondment()
    _assign(secondment, values, SECONDMENT_FIELDS)
    secondment.full_clean()
    _not_suspended(secondment.partner, _("%(partner)s is suspended: it receives no new secondment."))
    _stamp(secondment, user)
    secondment.save()
    audit.record(
        kinds.SECONDMENT_CREATED, actor=user, target=secondment, detail=_snapshot(secondment, SECONDMENT_FIELDS)
    )
    return secondment


@transaction.atomic
def secondment_update(*, secondment: Secondment, user, reason: str = "", **changes) -> Secondment:
    secondment = Secondment.objects.select_for_update().select_related("partner").get(pk=secondment.pk)
    before = _snapshot(secondment, SECONDMENT_FIELDS)
    _assign(secondment, changes, SECONDMENT_FIELDS)
    secondment.full_clean()
    if secondment.partner_id != before["partner"]:
        _not_suspended(secondment.partner, _("%(partner)s is suspended: it receives no new secondment."))
    changed = _changes(before, _snapshot(secondment, SECONDMENT_FIELDS))
    if changed:
        _stamp(secondment, user, reason)
        secondment.save()
        audit.record(kinds.SECONDMENT_CHANGED, actor=user, target=secondment, detail={"changes": changed})
    return secondment


@transaction.atomic
def secondment_end(*, secondment: Secondment, user, ends_on=None, reason: str = "") -> Secondment:
    """End a secondment before its planned last day (today unless said): the expert leaves the partner."""
    reason = _reason(reason, required=False)
    secondment = Secondment.objects.select_for_update().get(pk=secondment.pk)
    ends_on = ends_on or timezone.localdate()
    if ends_on >= secondment.ends_on:
        planned = date_format(secondment.ends_on, "DATE_FORMAT")
        raise ValidationError(
            {"ends_on": [_("An early end comes before the planned last day (%(date)s).") % {"date": planned}]}
        )
    if ends_on < secondment.starts_on:
        raise ValidationError({"ends_on": [_("A secondment cannot end before it starts.")]})
    planned = secondment.ends_on
    secondment.ends_on = ends_on
    _stamp(secondment, user, reason)
    secondment.save(update_fields=["ends_on"])
    audit.record(
        kinds.SECONDMENT_ENDED,
        actor=user,
        target=secondment,
        detail={"planned_end": planned, "ends_on": ends_on, "reason": reason},
    )
    return secondment


# --- Roadshows --------------------------------------------------------------------------------


def _check_attendees(attendees) -> None:
    for partner in attendees:
        _not_suspended(partner, _("%(partner)s is suspended: it cannot be added to a roadshow."))


@transaction.atomic
def roadshow_create(*, user, attendees=(), **values) -> Roadshow:
    roadshow = Roadshow()
    _assign(roadshow, values, ROADSHOW_FIELDS)
    roadshow.full_clean()
    attendees = list(attendees)
    _check_attendees(attendees)
    _stamp(roadshow, user)
    roadshow.save()
    if attendees:
        roadshow.partners.add(*attendees)
    detail = {**_snapshot(roadshow, ROADSHOW_FIELDS), "partners": sorted(p.pk for p in attendees)}
    audit.record(kinds.ROADSHOW_CREATED, actor=user, target=roadshow, detail=detail)
    return roadshow


@transaction.atomic
def roadshow_update(*, roadshow: Roadshow, user, attendees=None, **changes) -> Roadshow:
    """Change the roadshow's fields and, when ``attendees`` is given, set its attending partners."""
    roadshow = Roadshow.objects.select_for_update().get(pk=roadshow.pk)
    before = _snapshot(roadshow, ROADSHOW_FIELDS)
    _assign(roadshow, changes, ROADSHOW_FIELDS)
    roadshow.full_clean()
    changed = _changes(before, _snapshot(roadshow, ROADSHOW_FIELDS))
    if attendees is not None:
        current = set(roadshow.partners.values_list("pk", flat=True))
        wanted = {partner.pk: partner for partner in attendees}
        _check_attendees(partner for pk, partner in wanted.items() if pk not in current)
        if set(wanted) != current:
            changed["partners"] = [sorted(current), sorted(wanted)]
    if changed:
        _stamp(roadshow, user)
        roadshow.save()
        if "partners" in changed:
            roadshow.partners.set(list(wanted.values()))
        audit.record(kinds.ROADSHOW_CHANGED, actor=user, target=roadshow, detail={"changes": changed})
    return roadshow


@transaction.atomic
def roadshow_attendee_add(*, roadshow: Roadshow, partner: Partner, user) -> Roadshow:
    roadshow = Roadshow.objects.select_for_update().get(pk=roadshow.pk)
    if roadshow.partners.filter(pk=partner.pk).exists():
        raise ValidationError({"partner": [_("%(partner)s already attends.") % {"partner": partner.name}]})
    _not_suspended(partner, _("%(partner)s is suspended: it cannot be added to a roadshow."))
    _stamp(roadshow, user)
    roadshow.partners.add(partner)
    audit.record(kinds.ROADSHOW_ATTENDEE_ADDED, actor=user, target=roadshow, partner=partner)
    return roadshow


@transaction.atomic
def roadshow_attendee_remove(*, roadshow: Roadshow, partner: Partner, user) -> Roadshow:
    roadshow = Roadshow.objects.select_for_update().get(pk=roadshow.pk)
    if not roadshow.partners.filter(pk=partner.pk).exists():
        raise ValidationError({"partner": [_("%(partner)s does not attend.") % {"partner": partner.name}]})
    _stamp(roadshow, user)
    roadshow.partners.remove(partner)
    audit.record(kinds.ROADSHOW_ATTENDEE_REMOVED, actor=user, target=roadshow, partner=partner)
    return roadshow
