"""Writes on targets, shared by the pages and the API: validated, in the target's history, audited.

A target's share is more than 0 and at most 1 (the database refuses the rest too), its baseline a
period (``2025-Q1`` or ``2025-01``) and its deadline after that period's last day.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

import audit
from audit import kinds

from .models import Target

TARGET_FIELDS = ("name", "value", "baseline_period", "deadline", "region", "sector")


def as_percent(value) -> str:
    """A share as people read it: 0.5 → "50 %", 0.505 → "50.5 %" ("50,5 %" in French)."""
    percent = (Decimal(value) * 100).quantize(Decimal("0.01")).normalize()
    if percent == percent.to_integral():
        percent = percent.quantize(Decimal("1"))
    return f"{formats.number_format(percent, use_l10n=True)}\u00a0%"


def _check(target: Target) -> None:
    errors = {}
    try:
        target.full_clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if target.value is not None and not (Decimal("0") < target.value <= Decimal("1")) and "value" not in errors:
        errors["value"] = [_("A target share is more than 0 and at most 1 (100 %).")]
    if errors:
        raise ValidationError(errors)


def _snapshot(target: Target) -> dict:
    return {name: getattr(target, name) for name in TARGET_FIELDS}


def _assign(target: Target, values: dict) -> None:
    unknown = set(values) - set(TARGET_FIELDS)
    if unknown:
        raise TypeError(f"not fields of Target: {sorted(unknown)}")
    for name, value in values.items():
        setattr(target, name, "" if value is None and name in ("region", "sector") else value)


@transaction.atomic
def target_create(*, user, **values) -> Target:
    target = Target()
    _assign(target, values)
    _check(target)
    target._history_user = user
    target.save()
    audit.record(kinds.TARGET_CREATED, actor=user, target=target, detail=_snapshot(target))
    return target


@transaction.atomic
def target_update(*, target: Target, user, **changes) -> Target:
    target = Target.objects.select_for_update().get(pk=target.pk)
    before = _snapshot(target)
    _assign(target, changes)
    _check(target)
    after = _snapshot(target)
    changed = {name: [before[name], value] for name, value in after.items() if before[name] != value}
    if changed:
        target._history_user = user
        target.save()
        audit.record(kinds.TARGET_CHANGED, actor=user, target=target, detail={"changes": changed})
    return target
