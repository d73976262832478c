"""Audit event details in words: each detail's label and its value written for the reader.

Events store facts as codes (``{"role": "partner_rep", "expires_at": "2026-12-09T01:50:55Z"}``);
pages show them as ``role: Partner representative · valid until: 9 Dec 2026 01:50`` in the
reader's language. The labels of the keys and of the coded values live here; an app above
``audit`` that records its own coded values registers their labels with :func:`register`
(from its ``AppConfig.ready``), so this module never imports it. ``tests/audit`` checks that
every detail key the code records has a label.
"""

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from ecosystem.choices import ProductLine, Region, Sector
from ecosystem.periods import period_label
from ecosystem.roles import Role

#: Detail key → its label.
DETAIL_LABELS: dict[str, str] = {
    "path": _("page"),
    "email": _("e-mail address"),
    "known": _("known address"),
    "limits": _("limits exceeded"),
    "tokens_revoked": _("API tokens revoked"),
    "idle_seconds": _("idle for"),
    "age_seconds": _("session age"),
    "role": _("role"),
    "expires_at": _("valid until"),
    "was": _("status before"),
    "invitations_revoked": _("invitations cancelled"),
    "from": _("from"),
    "to": _("to"),
    "export": _("export"),
    "query": _("filters"),
    "revoked": _("previous token revoked"),
    "rule": _("rule"),
    "change": _("change"),
    "fields": _("fields"),
    "revision_of": _("revision of rule"),
    "starts_on": _("in force from"),
    "created": _("created"),
    "what": _("what"),
    "period": _("period"),
    "total": _("total"),
    "run_by": _("computed by (user no.)"),
    "reference": _("payment reference"),
    "decision": _("decision"),
    "ids": _("registrations"),
    "reason": _("reason"),
    "despite_conflict": _("approved despite a conflict"),
    "changes": _("changes"),
    "amount": _("amount"),
    "region": _("region"),
    "regions": _("regions"),
    "sector": _("sector"),
    "specialisations": _("specialisations"),
    "product_line": _("product line"),
}

#: Detail key → {coded value → label}: the values shown as words.
VALUE_LABELS: dict[str, dict[str, str]] = {
    "role": dict(Role.choices),
    "from": dict(Role.choices),
    "to": dict(Role.choices),
    "what": {
        "settlement": _("settlement approved"),
        "settlement paid": _("settlement paid"),
        "registration": _("registration decision"),
    },
    "decision": {"approve": _("approved"), "reject": _("rejected")},
    "change": {
        "created": pgettext_lazy("a commission rule", "created"),
        "edited": pgettext_lazy("a commission rule", "edited in place"),
        "revised": pgettext_lazy("a commission rule", "revised"),
    },
    "export": {"accounts": _("accounts"), "assignments": _("assignments")},
    "limits": {"address": _("per client address"), "email": _("per e-mail address")},
    "region": dict(Region.choices),
    "regions": dict(Region.choices),
    "sector": dict(Sector.choices),
    "specialisations": dict(ProductLine.choices),
    "product_line": dict(ProductLine.choices),
}

#: Detail keys whose value is ``{field: [before, after]}``: each shown as ``field: before → after``.
CHANGE_KEYS = frozenset({"changes"})

#: Detail keys whose value is a number of seconds, shown as a duration.
DURATION_KEYS = frozenset({"idle_seconds", "age_seconds"})
#: Detail keys whose value is an amount in euros.
MONEY_KEYS = frozenset({"total", "amount", "previous_total", "confirmed_total"})
#: Keys whose value is a period code (``2026-Q3``): shown as people say it ("Q3 2026" / "T3 2026").
PERIOD_KEYS = frozenset({"period", "deal_period", "baseline_period"})


def register(*, labels: Mapping[str, str] | None = None, values: Mapping[str, Mapping[str, str]] | None = None):
    """Add the labels of an app's detail keys and coded values (call it from ``AppConfig.ready``)."""
    DETAIL_LABELS.update(labels or {})
    for key, mapping in (values or {}).items():
        VALUE_LABELS.setdefault(key, {}).update(mapping)


def label(key: str) -> str:
    return str(DETAIL_LABELS.get(key, key.replace("_", " ")))


def _duration(seconds) -> str:
    try:
        minutes = round(float(seconds) / 60)
    except (TypeError, ValueError):
        return str(seconds)
    if minutes < 120:
        return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
    hours = round(minutes / 60)
    return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}


def _money(value) -> str:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{formats.number_format(amount, 2, use_l10n=True, force_grouping=True)}\u00a0€"


def _moment(value) -> str | None:
    """A date or date-time (an object or its ISO text) in the reader's format; None when it is neither."""
    if isinstance(value, str):
        parsed = parse_datetime(value) if "T" in value or " " in value else None
        value = parsed or (parse_date(value) if len(value) == 10 else None) or value
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return None


def value_text(key: str, value) -> str:
    """``value`` of detail ``key`` in words: a label for a code, yes/no, a formatted date, amount or duration."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list | tuple):
        return ", ".join(value_text(key, item) for item in value) or "—"
    if isinstance(value, dict) and key in CHANGE_KEYS:
        return ", ".join(f"{label(k)}: {_change_text(k, v)}" for k, v in value.items()) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{label(k)}: {value_text(k, v)}" for k, v in value.items()) or "—"
    labels = VALUE_LABELS.get(key, {})
    if isinstance(value, str) and value in labels:
        return str(labels[value])
    if key in DURATION_KEYS:
        return _duration(value)
    if key in MONEY_KEYS:
        return _money(value)
    if key in PERIOD_KEYS and isinstance(value, str):
        return period_label(value)
    if isinstance(value, str | date):
        moment = _moment(value)
        if moment is not None:
            return moment
    return str(value)


def _change_text(key: str, change) -> str:
    if isinstance(change, list | tuple) and len(change) == 2:
        return f"{value_text(key, change[0])} → {value_text(key, change[1])}"
    return value_text(key, change)


def detail_items(detail) -> list[tuple[str, str]]:
    """The (label, text) pairs of an event's detail, in the order recorded."""
    if not isinstance(detail, dict):
        return []
    return [(label(key), value_text(key, value)) for key, value in detail.items()]
