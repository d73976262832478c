"""Managing commission programs and rules (SPEC §4): validation, edits, revisions, history.

Every write goes through this module, for the pages and the API alike:

- :func:`rule_errors` / :func:`program_errors` check a rule's or a program's values and return
  ``{"field": ["message"]}`` (empty when valid); nothing is written when there is an error.
- A rule that paid a line of an approved (or paid) settlement is *locked*: it is never edited
  in place (:class:`RuleLockedError`). :func:`rule_revise` ends it the day before a given date and
  starts a new version from that date, in one transaction, so approved settlements keep pointing
  at the rule exactly as it was.
- Programs and rules keep a history of every change (django-simple-history); the user is recorded.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.utils.translation import gettext as _

import audit
from audit import kinds as audit_kinds

from .models import (
    LOCKED_STATUSES,
    Calculation,
    PayoutLine,
    Program,
    ProgramStatus,
    Rule,
    RuleUse,
    SelectOnly,
    SettlementRun,
    Stacking,
    TierMode,
)

ONE = Decimal("1")
ZERO = Decimal("0")

#: The rule fields a user sets (everything but the program, the version link and the id).
RULE_FIELDS = [
    "name", "priority", "stacking",
    "partner_tiers", "partner_kinds", "product_lines", "sectors", "regions", "select_only",
    "min_amount", "max_amount", "registration_required",
    "calculation", "rate", "flat_amount", "bands", "tier_mode",
    "cap_per_deal", "cap_per_period", "accelerator_threshold", "accelerator_multiplier",
    "valid_from", "valid_to",
]  # fmt: skip
PROGRAM_FIELDS = ["name", "valid_from", "valid_to", "status", "description"]
#: The parameter each calculation uses; the others are cleared when a rule is saved.
CALCULATION_PARAMETERS = {Calculation.PERCENT: "rate", Calculation.FLAT: "flat_amount", Calculation.TIERED: "bands"}


class RuleLockedError(Exception):
    """The rule paid an approved settlement: it can only be revised (ended, and a new version started)."""

    def __init__(self, rule: Rule, period: str | None):
        self.rule = rule
        self.period = period
        super().__init__(
            _(
                "Rule “%(name)s” paid the approved settlement %(period)s: it cannot be edited in place. "
                "Revise it instead: it ends the day before the date you give and a new version starts that day."
            )
            % {"name": rule.name, "period": period or "?"}
        )


# --- Locks ------------------------------------------------------------------------------------


def locked_uses():
    """Rules' uses by approved or paid runs: what makes a rule locked."""
    return RuleUse.objects.filter(run__status__in=LOCKED_STATUSES)


def record_uses(run: SettlementRun) -> None:
    """Record the rules that paid lines of ``run``, being approved (its lines never change after)."""
    rule_ids = (
        PayoutLine.objects.filter(run=run, attempt=run.committed_attempt, rule__isnull=False)
        .order_by()
        .values_list("rule_id", flat=True)
        .distinct()
    )
    RuleUse.objects.bulk_create([RuleUse(run=run, rule_id=rule_id) for rule_id in rule_ids], ignore_conflicts=True)


def with_locked(queryset: QuerySet) -> QuerySet:
    """Annotate rules with ``is_locked`` in the same query (for lists)."""
    return queryset.annotate(is_locked=Exists(locked_uses().filter(rule=OuterRef("pk"))))


def last_approved_use(rule: Rule) -> tuple[str, date] | None:
    """The latest approved (or paid) settlement the rule paid a line in: (period, its last day)."""
    row = locked_uses().filter(rule=rule).values("run__period", "run__period_end").order_by("-run__period_end").first()
    return (row["run__period"], row["run__period_end"]) if row else None


def rule_is_locked(rule: Rule) -> bool:
    return locked_uses().filter(rule=rule).exists()


def program_last_approved_use(program: Program) -> tuple[str, date] | None:
    row = (
        locked_uses()
        .filter(rule__program=program)
        .values("run__period")
        .annotate(end=Max("run__period_end"))
        .order_by("-end")
        .first()
    )
    return (row["run__period"], row["end"]) if row else None


# --- Validation -------------------------------------------------------------------------------


def _add(errors: dict, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(str(value)) from None
    if not result.is_finite():
        raise ValueError(str(value))
    return result


def parse_bands(raw) -> tuple[list[list[str]], list[str]]:
    """Bands as ``[[from_amount, rate], …]`` decimal strings, and the problems found.

    Accepts pairs as lists or ``{"from_amount", "rate"}`` objects, and the text form of the
    web form (one band a line, ``from_amount;rate``).
    """
    problems: list[str] = []
    if raw in (None, ""):
        return [], problems
    if isinstance(raw, str):
        pairs = []
        for number, line in enumerate(raw.splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            parts = [part.strip() for part in line.replace("\t", ";").split(";")]
            if len(parts) != 2:
                problems.append(_("Line %(n)s: write “from amount;rate”, e.g. “100000;0.08”.") % {"n": number})
                continue
            pairs.append(parts)
        raw = pairs
    if not isinstance(raw, list | tuple):
        return [], [_("Give a list of [from amount, rate] pairs.")]
    bands: list[list[str]] = []
    previous: Decimal | None = None
    for index, pair in enumerate(raw, start=1):
        if isinstance(pair, dict):
            pair = [pair.get("from_amount"), pair.get("rate")]
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            problems.append(_("Band %(n)s: give [from amount, rate].") % {"n": index})
            continue
        try:
            start, rate = _decimal(pair[0]), _decimal(pair[1])
        except ValueError:
            problems.append(_("Band %(n)s: amounts and rates must be decimal numbers.") % {"n": index})
            continue
        if start is None or rate is None:
            problems.append(_("Band %(n)s: give both the from amount and the rate.") % {"n": index})
            continue
        if start < 0:
            problems.append(_("Band %(n)s: the from amount cannot be negative.") % {"n": index})
        if not ZERO <= rate <= ONE:
            problems.append(_("Band %(n)s: the rate must be between 0 and 1 (0.08 for 8 %%).") % {"n": index})
        if previous is not None and start <= previous:
            problems.append(_("Band %(n)s: bands must be in increasing order of from amount.") % {"n": index})
        previous = start
        bands.append([f"{start.normalize():f}", f"{rate.normalize():f}"])
    return bands, problems


def rule_errors(values: dict, program: Program | None) -> dict[str, list[str]]:
    """Check a rule's complete values (as they would be saved). Returns ``{"field": [messages]}``."""
    errors: dict[str, list[str]] = {}
    if program is None:
        _add(errors, "program", _("Choose the program."))
    if not str(values.get("name") or "").strip():
        _add(errors, "name", _("Give the rule a name."))
    if values.get("stacking") not in Stacking.values:
        _add(errors, "stacking", _("Choose base or bonus."))
    if values.get("select_only", SelectOnly.ANY) not in SelectOnly.values:
        _add(errors, "select_only", _("Choose any, yes or no."))
    kind = values.get("calculation")
    if kind not in Calculation.values:
        _add(errors, "calculation", _("Choose percent, flat or tiered."))
    rate = values.get("rate")
    if rate is not None and not ZERO <= rate <= ONE:
        _add(errors, "rate", _("The rate must be between 0 and 1 (0.08 for 8 %)."))
    if kind == Calculation.PERCENT and rate is None:
        _add(errors, "rate", _("A percent rule needs its rate."))
    flat = values.get("flat_amount")
    if flat is not None and flat < 0:
        _add(errors, "flat_amount", _("The flat amount cannot be negative."))
    if kind == Calculation.FLAT and flat is None:
        _add(errors, "flat_amount", _("A flat rule needs its amount per deal."))
    if kind == Calculation.TIERED:
        bands, problems = parse_bands(values.get("bands"))
        for problem in problems:
            _add(errors, "bands", problem)
        if not bands and not problems:
            _add(errors, "bands", _("A tiered rule needs at least one band."))
        if values.get("tier_mode") not in TierMode.values:
            _add(errors, "tier_mode", _("Choose marginal or retroactive."))
    for field in ("min_amount", "max_amount", "cap_per_deal", "cap_per_period"):
        value = values.get(field)
        if value is not None and value < 0:
            _add(errors, field, _("This amount cannot be negative."))
    low, high = values.get("min_amount"), values.get("max_amount")
    if low is not None and high is not None and high < low:
        _add(errors, "max_amount", _("The maximum amount must not be below the minimum amount."))
    threshold, multiplier = values.get("accelerator_threshold"), values.get("accelerator_multiplier")
    if (threshold is None) != (multiplier is None):
        missing = "accelerator_multiplier" if multiplier is None else "accelerator_threshold"
        _add(errors, missing, _("An accelerator needs both its threshold and its multiplier."))
    if threshold is not None and threshold <= 0:
        _add(errors, "accelerator_threshold", _("The threshold must be above 0 (1.0 = the quota)."))
    if multiplier is not None and multiplier < 1:
        _add(errors, "accelerator_multiplier", _("The multiplier must be at least 1."))
    starts, ends = values.get("valid_from"), values.get("valid_to")
    if starts and ends and ends < starts:
        _add(errors, "valid_to", _("The end date must not be before the start date."))
    if program is not None:
        if ends and ends < program.valid_from:
            _add(
                errors,
                "valid_to",
                _("The rule would end before its program starts (%(d)s).") % {"d": program.valid_from},
            )
        if starts and program.valid_to and starts > program.valid_to:
            _add(
                errors,
                "valid_from",
                _("The rule would start after its program ends (%(d)s).") % {"d": program.valid_to},
            )
    return errors


def program_errors(values: dict, program: Program | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not str(values.get("name") or "").strip():
        _add(errors, "name", _("Give the program a name."))
    starts, ends = values.get("valid_from"), values.get("valid_to")
    if not starts:
        _add(errors, "valid_from", _("Give the start date."))
    if starts and ends and ends < starts:
        _add(errors, "valid_to", _("The end date must not be before the start date."))
    if values.get("status", ProgramStatus.DRAFT) not in ProgramStatus.values:
        _add(errors, "status", _("Choose draft, active or closed."))
    if program is not None and program.pk:
        used = program_last_approved_use(program)
        if used:
            period, last_day = used
            if starts != program.valid_from:
                _add(
                    errors,
                    "valid_from",
                    _("Rules of this program paid the approved settlement %(p)s: its start date cannot change.")
                    % {"p": period},
                )
            if ends and ends < last_day:
                _add(
                    errors,
                    "valid_to",
                    _("Rules of this program paid the approved settlement %(p)s: it cannot end before %(d)s.")
                    % {"p": period, "d": last_day},
                )
    return errors


def _normalise(values: dict) -> dict:
    """Keep only the calculation's own parameter; bands as decimal strings."""
    values = dict(values)
    kind = values.get("calculation")
    if kind == Calculation.TIERED:
        values["bands"], _problems = parse_bands(values.get("bands"))
    else:
        values["bands"] = []
    if kind != Calculation.PERCENT:
        values["rate"] = None
    if kind != Calculation.FLAT:
        values["flat_amount"] = None
    for field in ("partner_tiers", "partner_kinds", "product_lines", "sectors", "regions"):
        values[field] = sorted(set(values.get(field) or []))
    values["name"] = str(values.get("name") or "").strip()
    return values


def rule_values(rule: Rule) -> dict:
    return {field: getattr(rule, field) for field in RULE_FIELDS}


# --- Writes -----------------------------------------------------------------------------------


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def program_create(*, user, **values) -> Program:
    values = {field: values.get(field) for field in PROGRAM_FIELDS if field in values}
    values.setdefault("status", ProgramStatus.DRAFT)
    values["description"] = values.get("description") or ""
    _raise_if(program_errors(values))
    program = Program(**values)
    program._history_user = user
    program.save()
    return program


@transaction.atomic
def program_update(*, program: Program, user, **changes) -> Program:
    program = Program.objects.select_for_update().get(pk=program.pk)
    values = {field: getattr(program, field) for field in PROGRAM_FIELDS}
    values.update({field: value for field, value in changes.items() if field in PROGRAM_FIELDS})
    values["description"] = values.get("description") or ""
    _raise_if(program_errors(values, program))
    for field, value in values.items():
        setattr(program, field, value)
    program._history_user = user
    program.save()
    return program


@transaction.atomic
def rule_create(*, program: Program, user, **values) -> Rule:
    base = rule_values(Rule())  # the model's defaults
    base.update({field: value for field, value in values.items() if field in RULE_FIELDS})
    _raise_if(rule_errors(base, program))
    rule = Rule(program=program, **_normalise(base))
    rule._history_user = user
    rule.save()
    _audit_rule(user, rule, change="created")
    return rule


@transaction.atomic
def rule_update(*, rule: Rule, user, program: Program | None = None, **changes) -> Rule:
    """Edit a rule in place; refused (:class:`RuleLockedError`) once it paid an approved settlement."""
    rule = Rule.objects.select_for_update().select_related("program").get(pk=rule.pk)
    used = last_approved_use(rule)
    if used:
        raise RuleLockedError(rule, used[0])
    values = rule_values(rule)
    values.update({field: value for field, value in changes.items() if field in RULE_FIELDS})
    program = program or rule.program
    _raise_if(rule_errors(values, program))
    for field, value in _normalise(values).items():
        setattr(rule, field, value)
    rule.program = program
    rule._history_user = user
    rule.save()
    _audit_rule(user, rule, change="edited", fields=sorted(changes))
    return rule


@transaction.atomic
def rule_revise(*, rule: Rule, starts_on: date, user, **changes) -> Rule:
    """End ``rule`` the day before ``starts_on`` and start a new version from ``starts_on``.

    The new version takes the old one's values with ``changes`` applied; it keeps the old
    one's end date unless ``valid_to`` is given. Both writes happen in one transaction.
    """
    rule = Rule.objects.select_for_update().select_related("program").get(pk=rule.pk)
    if Rule.objects.filter(replaces=rule).exists():
        raise ValidationError({"rule": [_("This rule was already revised: revise its newest version.")]})
    errors: dict[str, list[str]] = {}
    if starts_on is None:
        _add(errors, "valid_from", _("Give the date the new version starts."))
    else:
        first_day = max(d for d in (rule.valid_from, rule.program.valid_from) if d)
        if starts_on <= first_day:
            _add(
                errors,
                "valid_from",
                _("The new version must start after %(d)s, when this one starts.") % {"d": first_day},
            )
        last_day = min((d for d in (rule.valid_to, rule.program.valid_to) if d), default=None)
        if last_day and starts_on > last_day + timedelta(days=1):
            _add(errors, "valid_from", _("This rule already ended on %(d)s.") % {"d": last_day})
        used = last_approved_use(rule)
        if used and starts_on <= used[1]:
            _add(
                errors,
                "valid_from",
                _("This rule paid the approved settlement %(p)s: the new version must start after %(d)s.")
                % {"p": used[0], "d": used[1]},
            )
    _raise_if(errors)
    values = rule_values(rule)
    values.update({field: value for field, value in changes.items() if field in RULE_FIELDS})
    values["valid_from"] = starts_on
    _raise_if(rule_errors(values, rule.program))
    # The old version ends; its values otherwise stay exactly as the approved settlements saw them.
    rule.valid_to = starts_on - timedelta(days=1)
    rule._history_user = user
    rule._change_reason = f"ended by a revision starting {starts_on.isoformat()}"
    rule.save(update_fields=["valid_to"])
    new = Rule(program=rule.program, replaces=rule, **_normalise(values))
    new._history_user = user
    new._change_reason = f"revision of rule {rule.pk}"
    new.save()
    _audit_rule(user, new, change="revised", revision_of=rule.pk, starts_on=starts_on)
    return new


def _audit_rule(user, rule: Rule, *, change: str, **facts) -> None:
    """The change as codes and values (``audit.display`` words them for the reader)."""
    audit.record(audit_kinds.RULE_CHANGED, actor=user, target=rule, detail={"rule": rule.pk, "change": change, **facts})


# --- History ----------------------------------------------------------------------------------


def history_of(obj, fields: list[str], limit: int = 100) -> list[dict]:
    """Each recorded change of ``obj``, newest first: when, who, what kind and which fields changed."""
    # The newest ``limit`` records, plus the one before them to diff the oldest shown against.
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    records.reverse()
    entries = []
    previous = None
    for record in records:
        changes = []
        if previous is not None:
            for field in fields:
                old, new = getattr(previous, field), getattr(record, field)
                if old != new:
                    changes.append({"field": field, "old": _plain(old), "new": _plain(new)})
        entries.append(
            {
                "id": record.history_id,
                "date": record.history_date,
                "type": {"+": "created", "~": "changed", "-": "deleted"}.get(record.history_type, record.history_type),
                "user": record.history_user.username if record.history_user else None,
                "reason": record.history_change_reason or "",
                "changes": changes,
            }
        )
        previous = record
    entries.reverse()
    return entries[:limit]


def _plain(value):
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


def versions_of(rule: Rule) -> list[Rule]:
    """The chain of versions the rule belongs to, oldest first (few rows: one query per version)."""
    chain = [rule]
    current = rule
    while current.replaces_id:
        current = Rule.objects.get(pk=current.replaces_id)
        chain.insert(0, current)
    current = rule
    while True:
        following = Rule.objects.filter(replaces=current).first()
        if following is None:
            break
        chain.append(following)
        current = following
    return chain
