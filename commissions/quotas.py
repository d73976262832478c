"""Quotas per partner and period (SPEC §4.3), entered by the channel team on the page, the API and
the CSV import alike; what the accelerators of the period's rules measure won amounts against.

- :func:`quota_errors` checks the values and returns ``{"field": ["message"]}`` (empty when valid).
- :func:`quota_create` / :func:`quota_update` write one quota, recorded in its history (who, when,
  why) and in the audit trail.
- **A quota of a period whose settlement is approved (or paid) never changes, and none is added to
  it**: that period's payouts were computed against it, and the corrections of later runs
  recompute approved periods under the quotas in force for them, so changing it would move money
  that was approved without anyone approving it. The refusal names the run. Quotas of a computed
  run not yet approved may change; the approval review says so until the run is recomputed.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

import audit
from audit import kinds as audit_kinds
from ecosystem.periods import parse_period, period_label

from .models import LOCKED_STATUSES, Quota, SettlementRun

MAX_QUOTA = Decimal("999999999999.99")
MAX_REASON = 100  # the history's change reason column


def parse_quota_amount(value) -> Decimal:
    """A positive amount with at most two decimals (``12500``, ``12 500,50``); ValueError with the reason."""
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value if value is not None else "").strip()
        cleaned = text.replace(" ", "").replace("\u202f", "").replace("\xa0", "")
        if "," in cleaned and "." not in cleaned:
            cleaned = cleaned.replace(",", ".")
        try:
            amount = Decimal(cleaned)
        except (InvalidOperation, ValueError) as error:
            raise ValueError(_("'%(value)s' is not an amount.") % {"value": text}) from error
    if not amount.is_finite():
        raise ValueError(_("'%(value)s' is not an amount.") % {"value": value})
    if amount <= 0:
        raise ValueError(_("A quota is a positive amount."))
    if amount > MAX_QUOTA:
        raise ValueError(_("The amount is too large."))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(_("The amount has more than two decimals."))
    return amount.quantize(Decimal("0.01"))


def parse_quota_period(value) -> str:
    try:
        return parse_period(str(value or "")).label
    except ValueError as error:
        raise ValueError(
            _("'%(value)s' is not a period: use a quarter like 2026-Q3 or a month like 2026-07.") % {"value": value}
        ) from error


def locked_run(period: str, *, for_update: bool = False) -> SettlementRun | None:
    """The approved or paid run of ``period``, if any (locked against a concurrent approval when asked)."""
    runs = SettlementRun.objects.filter(period=period)
    if for_update:
        runs = runs.select_for_update()
    run = runs.first()
    return run if run is not None and run.status in LOCKED_STATUSES else None


def locked_message(run: SettlementRun) -> str:
    return _(
        "Settlement %(period)s is %(status)s: its payouts were computed against this period's quotas, "
        "which no longer change."
    ) % {"period": run.period, "status": run.get_status_display().lower()}


def quota_errors(*, partner, period, amount, reason: str = "", instance: Quota | None = None) -> dict:
    """``{"field": ["message"]}`` for a quota's values; empty when they may be written."""
    errors: dict[str, list[str]] = {}
    label = None
    try:
        label = parse_quota_period(period)
    except ValueError as error:
        errors["period"] = [str(error)]
    try:
        parse_quota_amount(amount)
    except ValueError as error:
        errors["amount"] = [str(error)]
    if len(reason or "") > MAX_REASON:
        errors["reason"] = [_("Keep the reason under %(n)s characters.") % {"n": MAX_REASON}]
    if partner is None:
        errors["partner"] = [_("Choose the partner.")]
    if label and partner is not None:
        duplicate = Quota.objects.filter(partner=partner, period=label)
        if instance is not None:
            duplicate = duplicate.exclude(pk=instance.pk)
        if duplicate.exists():
            errors["period"] = [_("%(partner)s already has a quota for %(period)s: change that one.") % {
                "partner": partner.name, "period": period_label(label),
            }]  # fmt: skip
    return errors


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _check_unlocked(period: str) -> None:
    run = locked_run(period, for_update=True)
    if run is not None:
        raise ValidationError({"period": [locked_message(run)]})


def _audit(quota: Quota, user, *, old: Decimal | None, reason: str) -> None:
    audit.record(
        audit_kinds.QUOTA_CHANGED, actor=user, target=quota, partner=quota.partner_id,
        detail={
            "partner": quota.partner.siren, "period": quota.period, "old": None if old is None else str(old),
            "new": str(quota.amount), "reason": reason,
        },
    )  # fmt: skip


@transaction.atomic
def quota_create(*, partner, period, amount, user, reason: str = "") -> Quota:
    _raise_if(quota_errors(partner=partner, period=period, amount=amount, reason=reason))
    label = parse_quota_period(period)
    _check_unlocked(label)
    quota = Quota(partner=partner, period=label, amount=parse_quota_amount(amount))
    quota._history_user = user
    quota._change_reason = (reason or "").strip() or None
    try:
        with transaction.atomic():
            quota.save()
    except IntegrityError as error:  # created meanwhile by someone else
        raise ValidationError(
            {
                "period": [
                    _("%(partner)s already has a quota for %(period)s: change that one.")
                    % {
                        "partner": partner.name,
                        "period": period_label(label),
                    }
                ]
            }  # fmt: skip
        ) from error
    _audit(quota, user, old=None, reason=reason)
    return quota


@transaction.atomic
def quota_update(*, quota: Quota, amount, user, reason: str = "") -> Quota:
    """Change a quota's amount (its partner and period stay: enter another quota for another one)."""
    quota = Quota.objects.select_for_update().select_related("partner").get(pk=quota.pk)
    _raise_if(quota_errors(partner=quota.partner, period=quota.period, amount=amount, reason=reason, instance=quota))
    _check_unlocked(quota.period)
    old, new = quota.amount, parse_quota_amount(amount)
    if new == old:
        return quota
    quota.amount = new
    quota._history_user = user
    quota._change_reason = (reason or "").strip() or None
    quota.save(update_fields=["amount"])
    _audit(quota, user, old=old, reason=reason)
    return quota


def quota_history(quota: Quota, *, show_users: bool, limit: int = 100) -> list[dict]:
    """The quota's recorded values, newest first: when, who (internal readers only), the amount and why."""
    records = quota.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    records = list(records)
    entries = []
    for index, record in enumerate(records[:limit]):
        before = records[index + 1] if index + 1 < len(records) else None
        entries.append(
            {
                "date": record.history_date,
                "type": record.history_type,
                "user": (record.history_user.username if record.history_user else None) if show_users else None,
                "old": before.amount if before is not None else None,
                "amount": record.amount,
                "reason": record.history_change_reason or "",
            }
        )
    return entries
