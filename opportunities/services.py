"""Writes on opportunities: registration, updates and stages, the channel team's decisions, extensions.

Web views and API views are thin: they parse input and call these functions, which check
everything again (a service may be called from a shell or a job) and raise
``ValidationError({"field": [message]})`` for bad input and ``PermissionDenied`` for a
role that may not act. Every change is saved with its author, so the opportunity's
history (django-simple-history) tells who changed what and when.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

import audit
from audit import kinds as audit_kinds
from ecosystem.bulk import insert_history
from ecosystem.choices import ProductLine
from ecosystem.roles import Role, partner_id_of, role_of
from ecosystem.validators import MAX_ID

from . import claims, validation
from .conflicts import (
    conflicting_assignment,
    conflicting_registrations,
    conflicts_for,
    describe_conflict,
    open_registration_q,
    refresh_conflict_flags,
)
from .models import (
    CLOSED_STAGES,
    OPEN_STAGES,
    ExtensionStatus,
    Opportunity,
    RegistrationStatus,
    Route,
    Stage,
)
from .notifications import notify_partners

# Kept for callers that read the life-cycle from here; the rules live in ``stages``.
from .stages import TRANSITIONS as STAGE_TRANSITIONS  # noqa: F401
from .stages import stage_change_errors

MAX_BULK = 500  # registrations decided in one bulk call


def _authored(opportunity: Opportunity, user, reason: str = "") -> Opportunity:
    """Make the next save's history row name its author (and why), in requests, jobs and shells alike."""
    opportunity._history_user = user if getattr(user, "is_authenticated", False) else None
    if reason:
        opportunity._change_reason = reason[:100]
    return opportunity


def _require_channel(user) -> None:
    if role_of(user) != Role.CHANNEL:
        raise PermissionDenied(_("Only the channel team decides on deal registrations."))


def _as_decimal(value) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


# --- Registration --------------------------------------------------------------------------


@dataclass
class RegistrationResult:
    opportunity: Opportunity
    created: bool  # False: an earlier submission with the same idempotency key answered


def _replayed(user, key: str, *, account, product_line, amount) -> Opportunity | None:
    """The registration ``user`` already made with ``key``; refuses a key reused for different content."""
    existing = Opportunity.objects.filter(registered_by=user, idempotency_key=key).first()
    if existing is None:
        return None
    same = (
        existing.account_id == getattr(account, "pk", None)
        and existing.product_line == product_line
        and existing.amount == _as_decimal(amount)
    )
    if not same:
        raise ValidationError(
            {"idempotency_key": [_("This key was already used for a different registration; use a new key.")]}
        )
    return existing


def _registering_partner(user, partner, route: str):
    """The partner the registration is for and its route; a partner user always registers for its own."""
    role = role_of(user)
    if partner_id_of(user) is not None:
        partner = user.partner
    elif role != Role.CHANNEL:
        raise PermissionDenied(_("Your role does not allow registering opportunities."))
    if partner is None:
        return None, Route.DIRECT
    if partner.status == "suspended":
        if partner_id_of(user) is not None:
            raise PermissionDenied(_("Your partner is suspended: it cannot register opportunities."))
        raise ValidationError({"partner": [_("This partner is suspended: it cannot register opportunities.")]})
    if route == Route.DIRECT:
        raise ValidationError({"route": [_("A partner opportunity is partner sourced or partner influenced.")]})
    return partner, route or Route.PARTNER_SOURCED


def registration_errors(
    *, partner, account, product_line, amount, expected_close, roadshow, description, today: date
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if account is None:
        errors["account"] = [_("Choose the account.")]
    if product_line not in ProductLine.values:
        errors["product_line"] = [_("Choose one of the product lines.")]
    if message := validation.amount_error(amount):
        errors["amount"] = [message]
    if message := validation.expected_close_error(expected_close, today, registering=True):
        errors["expected_close"] = [message]
    if len(description or "") > 300:
        errors["description"] = [_("Keep the description under 300 characters.")]
    if partner is not None and roadshow is not None and not roadshow.partners.filter(pk=partner.pk).exists():
        errors["roadshow"] = [_("Choose a roadshow your partner attended.")]
    if partner is not None and account is not None and "product_line" not in errors:
        mine = (
            Opportunity.objects.filter(open_registration_q(today), partner=partner, account=account)
            .filter(product_line=product_line)
            .values_list("pk", flat=True)
            .first()
        )
        if mine:
            errors["product_line"] = [
                _("Your partner already holds an open registration on this account for this product line (#%(id)s).")
                % {"id": mine}
            ]
    return errors


def registration_submit(
    *,
    user,
    account,
    product_line: str,
    amount,
    expected_close: date | None = None,
    roadshow=None,
    route: str = Route.PARTNER_SOURCED,
    partner=None,
    description: str = "",
    external_id: str | None = None,
    idempotency_key: str | None = None,
    today: date | None = None,
) -> RegistrationResult:
    """Register an opportunity once: the same ``idempotency_key`` from the same user returns the first one.

    A partner opportunity gets a pending registration, flagged when it conflicts with
    another partner (SPEC §3); the other partner's pending registrations on the same
    account and product line are flagged too. Nothing is rejected for a conflict.
    """
    today = today or timezone.localdate()
    if message := validation.idempotency_key_error(idempotency_key):
        raise ValidationError({"idempotency_key": [message]})
    if idempotency_key:
        existing = _replayed(user, idempotency_key, account=account, product_line=product_line, amount=amount)
        if existing is not None:
            return RegistrationResult(existing, created=False)
    partner, route = _registering_partner(user, partner, route)
    errors = registration_errors(
        partner=partner,
        account=account,
        product_line=product_line,
        amount=amount,
        expected_close=expected_close,
        roadshow=roadshow,
        description=description,
        today=today,
    )
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            opportunity = _create(
                user=user,
                partner=partner,
                route=route,
                account=account,
                product_line=product_line,
                amount=_as_decimal(amount),
                expected_close=expected_close,
                roadshow=roadshow,
                description=description or "",
                external_id=external_id or None,
                idempotency_key=idempotency_key or None,
                today=today,
            )
    except IntegrityError:
        # A concurrent submission with the same key won the race: answer with its registration.
        if idempotency_key:
            existing = _replayed(user, idempotency_key, account=account, product_line=product_line, amount=amount)
            if existing is not None:
                return RegistrationResult(existing, created=False)
        if external_id and Opportunity.objects.filter(external_id=external_id).exists():
            raise ValidationError(
                {"external_id": [_("An opportunity with this external id exists already.")]}
            ) from None
        raise
    return RegistrationResult(opportunity, created=True)


def _create(*, user, partner, route, account, product_line, amount, today, **values) -> Opportunity:
    opportunity = Opportunity(
        account=account,
        partner=partner,
        route=route,
        product_line=product_line,
        amount=amount,
        registered_by=user if getattr(user, "is_authenticated", False) else None,
        registration_status=RegistrationStatus.PENDING if partner else None,
        **values,
    )
    others = []
    if partner is not None:
        others = list(conflicting_registrations(opportunity, today))
        opportunity.has_conflict = bool(others) or conflicting_assignment(opportunity) is not None
    _authored(opportunity, user, "registered").save()
    pending_others = [o.pk for o in others if o.registration_status == RegistrationStatus.PENDING]
    if pending_others:
        # Both sides of the conflict go to the top of the channel team's queue (see refresh_conflict_flags).
        Opportunity.objects.filter(pk__in=pending_others, has_conflict=False).update(has_conflict=True)
    return opportunity


def opportunity_register(**kwargs) -> Opportunity:
    """Register an opportunity (see ``registration_submit``) and return it."""
    return registration_submit(**kwargs).opportunity


# --- Updates and stages ------------------------------------------------------------------

PARTNER_EDITABLE = frozenset({"amount", "expected_close", "description", "roadshow", "stage", "closed_on"})
CHANNEL_EDITABLE = PARTNER_EDITABLE | {"route", "external_id"}


def _partner_may_edit(opportunity: Opportunity) -> None:
    if opportunity.stage in CLOSED_STAGES:
        raise ValidationError(
            {"stage": [_("This opportunity is closed (%(stage)s); ask the channel team to correct it.")
                       % {"stage": opportunity.get_stage_display()}]}
        )  # fmt: skip
    if opportunity.registration_status not in (RegistrationStatus.PENDING, RegistrationStatus.APPROVED):
        raise ValidationError(
            {"registration_status": [_("This registration is %(status)s: the opportunity can no longer change.")
                                     % {"status": opportunity.get_registration_status_display()}]}
        )  # fmt: skip


@transaction.atomic
def opportunity_update(*, opportunity: Opportunity, user, today: date | None = None, **changes) -> Opportunity:
    """Change an opportunity's details or stage; the stage rules are in ``stages``.

    A partner user changes its own open opportunities while the registration is pending
    or approved; the channel team may correct anything, stages included. Moving to won
    needs ``closed_on`` and the final ``amount``; moving to lost records ``closed_on``
    (today when not given).
    """
    today = today or timezone.localdate()
    role = role_of(user)
    if role not in (Role.CHANNEL, Role.PARTNER_ADMIN, Role.PARTNER_REP):
        raise PermissionDenied(_("Your role does not allow changing opportunities."))
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    corrective = role == Role.CHANNEL
    if not corrective:
        if opportunity.partner_id is None or opportunity.partner_id != partner_id_of(user):
            raise PermissionDenied(_("This opportunity is not your partner's."))
        _partner_may_edit(opportunity)
    editable = CHANNEL_EDITABLE if corrective else PARTNER_EDITABLE
    errors: dict[str, list[str]] = {}
    for name in changes:
        if name not in editable:
            errors[name] = [_("This field cannot be changed.")]
    new_stage = changes.pop("stage", None)
    if new_stage == opportunity.stage:
        new_stage = None
    if "amount" in changes and (message := validation.amount_error(changes["amount"])):
        errors["amount"] = [message]
    expected_close = changes.get("expected_close")
    if "expected_close" in changes and (
        message := validation.expected_close_error(expected_close, today, registering=False)
    ):
        errors["expected_close"] = [message]
    if "closed_on" in changes and (message := validation.closed_on_error(changes["closed_on"], today)):
        errors["closed_on"] = [message]
    if len(changes.get("description") or "") > 300:
        errors["description"] = [_("Keep the description under 300 characters.")]
    roadshow = changes.get("roadshow")
    if (
        roadshow is not None
        and opportunity.partner_id
        and not roadshow.partners.filter(pk=opportunity.partner_id).exists()
    ):
        errors["roadshow"] = [_("Choose a roadshow your partner attended.")]
    if "route" in changes and (changes["route"] == Route.DIRECT) != (opportunity.partner_id is None):
        errors["route"] = [_("A partner opportunity is partner sourced or partner influenced; direct has no partner.")]
    if changes.get("external_id") and (
        Opportunity.objects.filter(external_id=changes["external_id"]).exclude(pk=opportunity.pk).exists()
    ):
        errors["external_id"] = [_("An opportunity with this external id exists already.")]
    resulting_stage = new_stage or opportunity.stage
    if new_stage:
        for name, messages in stage_change_errors(
            current=opportunity.stage,
            new=new_stage,
            closed_on=changes.get("closed_on"),
            amount=_as_decimal(changes.get("amount")),
            today=today,
            corrective=corrective,
        ).items():
            errors.setdefault(name, messages)
    elif changes.get("closed_on") is not None and resulting_stage in OPEN_STAGES:
        errors.setdefault("closed_on", [_("Only a won or lost deal has a closing date.")])
    elif "closed_on" in changes and changes["closed_on"] is None and resulting_stage in CLOSED_STAGES:
        errors.setdefault("closed_on", [_("A won or lost deal keeps its closing date.")])
    if errors:
        raise ValidationError(errors)
    for name, value in changes.items():
        setattr(opportunity, name, _as_decimal(value) if name == "amount" else value)
    reason = "updated"
    if new_stage:
        reason = f"stage {opportunity.stage} → {new_stage}"
        opportunity.stage = new_stage
        if new_stage in CLOSED_STAGES and opportunity.closed_on is None:
            opportunity.closed_on = today
        # A partner's win is a claim until a booking or the channel team confirms it (SPEC §4.2).
        if new_stage == Stage.WON:
            claims.record_win(opportunity, user=user, internal=corrective)
        else:
            claims.record_unwin(opportunity)
    if opportunity.stage in OPEN_STAGES:
        opportunity.closed_on = None
    _authored(opportunity, user, reason).save()
    return opportunity


def opportunity_change_stage(
    *, opportunity: Opportunity, user, stage: str, closed_on: date | None = None, amount=None
) -> Opportunity:
    """Move an opportunity to ``stage``; won needs ``closed_on`` and the final ``amount``."""
    changes = {"stage": stage}
    if closed_on is not None:
        changes["closed_on"] = closed_on
    if amount is not None and amount != "":
        changes["amount"] = amount
    return opportunity_update(opportunity=opportunity, user=user, **changes)


# --- The channel team's decisions ------------------------------------------------------------

DECISIONS = {"approve": RegistrationStatus.APPROVED, "reject": RegistrationStatus.REJECTED}


@dataclass
class DecisionResult:
    decision: str
    decided: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)  # id → why it was not decided
    #: Skipped because approving them needs the conflict acknowledged (a subset of ``skipped``).
    conflicting: set[int] = field(default_factory=set)
    #: Approved although they conflicted, the conflict acknowledged with the reason.
    despite_conflict: list[int] = field(default_factory=list)


def registrations_decide(
    *, user, ids, decision: str, reason: str = "", acknowledge_conflicts: bool = False, today: date | None = None
) -> DecisionResult:
    """Approve or reject pending registrations, one or many, in one transaction.

    Set-based: one UPDATE and one history INSERT … SELECT for the whole batch. A
    registration that is no longer pending, or that the deciding user registered
    themselves (four eyes), is skipped with the reason. A registration that conflicts now
    (another partner's open registration or primary assignment, SPEC §3) is approved only
    with ``acknowledge_conflicts`` and a reason: otherwise it is skipped, saying with what it
    conflicts. Approval protects the partner for ``REGISTRATION_PROTECTION_DAYS``; the
    partners' users are e-mailed after commit.
    """
    _require_channel(user)
    if decision not in DECISIONS:
        raise ValidationError({"decision": [_("Choose approve or reject.")]})
    reason = (reason or "").strip()
    if message := validation.reason_error(
        reason, required=decision == "reject", what=_("Say why the registration is rejected.")
    ):
        raise ValidationError({"reason": [message]})
    if decision == "approve" and acknowledge_conflicts and not reason:
        raise ValidationError({"reason": [_("Say why you approve despite the conflict.")]})
    try:
        ids = list(dict.fromkeys(int(pk) for pk in ids))
        if not all(0 < pk <= MAX_ID for pk in ids):
            raise ValueError("an id out of range")
    except (TypeError, ValueError):
        raise ValidationError({"ids": [_("Give the ids of the registrations to decide.")]}) from None
    if not ids:
        raise ValidationError({"ids": [_("Choose at least one registration.")]})
    if len(ids) > MAX_BULK:
        raise ValidationError({"ids": [_("Decide at most %(max)s registrations at once.") % {"max": MAX_BULK}]})
    today = today or timezone.localdate()
    status = DECISIONS[decision]
    result = DecisionResult(decision=decision)
    with transaction.atomic():
        rows = {
            o.pk: o
            for o in Opportunity.objects.select_for_update()
            .filter(pk__in=ids)
            .only("pk", "registration_status", "registered_by_id", "account_id", "product_line", "partner_id")
        }
        for pk in ids:
            row = rows.get(pk)
            if row is None:
                result.skipped[pk] = _("No such registration.")
            elif row.registration_status != RegistrationStatus.PENDING:
                status_label = RegistrationStatus(row.registration_status).label if row.registration_status else "—"
                result.skipped[pk] = _("It is %(status)s, not pending.") % {"status": status_label}
            elif row.registered_by_id is not None and row.registered_by_id == user.pk:
                result.skipped[pk] = _("You registered it yourself: another member of the channel team decides.")
            else:
                result.decided.append(pk)
        if decision == "approve" and result.decided:
            found = conflicts_for([rows[pk] for pk in result.decided], today)
            for pk in [pk for pk in result.decided if describe_conflict(found[pk])]:
                if acknowledge_conflicts:
                    result.despite_conflict.append(pk)
                    continue
                result.decided.remove(pk)
                result.conflicting.add(pk)
                result.skipped[pk] = _(
                    "It conflicts with %(what)s: approve it only if you mean to, confirming the conflict with a reason."
                ) % {"what": describe_conflict(found[pk])}
        if result.decided:
            now = timezone.now()
            changes = {
                "registration_status": status,
                "decided_by": user,
                "decided_at": now,
                "decision_reason": reason,
                "updated_at": now,
            }
            if status == RegistrationStatus.APPROVED:
                changes["protected_until"] = today + timedelta(days=settings.REGISTRATION_PROTECTION_DAYS)
            Opportunity.objects.filter(pk__in=result.decided).update(**changes)
            insert_history(
                Opportunity, key_field="id", keys=result.decided, history_type="~", user=user, reason=f"{status}"
            )
            refresh_conflict_flags({(rows[pk].account_id, rows[pk].product_line) for pk in result.decided}, today)
            notify_partners(status, result.decided)
            decided = ", ".join(map(str, result.decided))
            audit.record(
                audit_kinds.APPROVAL, actor=user, target_repr=f"registrations {decided}"[:200],
                detail={"what": "registration", "decision": decision, "ids": result.decided, "reason": reason,
                        **({"despite_conflict": result.despite_conflict} if result.despite_conflict else {})},
            )  # fmt: skip
    return result


def registration_decide(
    *, opportunity: Opportunity, user, decision: str, reason: str = "", acknowledge_conflict: bool = False
) -> Opportunity:
    """Approve or reject one registration; refusals are errors here, not skips."""
    _require_channel(user)
    if opportunity.registered_by_id is not None and opportunity.registered_by_id == user.pk:
        raise PermissionDenied(
            _("You registered this opportunity yourself: another member of the channel team decides.")
        )
    result = registrations_decide(
        user=user, ids=[opportunity.pk], decision=decision, reason=reason, acknowledge_conflicts=acknowledge_conflict
    )
    if opportunity.pk in result.conflicting:
        raise ValidationError({"acknowledge_conflict": [result.skipped[opportunity.pk]]})
    if opportunity.pk in result.skipped:
        raise ValidationError({"registration_status": [result.skipped[opportunity.pk]]})
    return Opportunity.objects.get(pk=opportunity.pk)


def registration_approve(
    *, opportunity: Opportunity, user, reason: str = "", acknowledge_conflict: bool = False
) -> Opportunity:
    return registration_decide(
        opportunity=opportunity, user=user, decision="approve", reason=reason, acknowledge_conflict=acknowledge_conflict
    )


def registration_reject(*, opportunity: Opportunity, user, reason: str = "") -> Opportunity:
    return registration_decide(opportunity=opportunity, user=user, decision="reject", reason=reason)


# --- Extensions --------------------------------------------------------------------------------


def extension_request_errors(opportunity: Opportunity) -> dict[str, list[str]]:
    """Why this registration cannot be extended now; empty when it can."""
    if opportunity.extension_status is not None:
        asked_on = timezone.localtime(opportunity.extension_requested_at).date()
        return {
            "extension_status": [
                _("An extension can be asked only once per registration; it was asked on %(date)s.")
                % {"date": formats.date_format(asked_on, "DATE_FORMAT")}
            ]
        }
    if opportunity.registration_status != RegistrationStatus.APPROVED:
        return {"registration_status": [_("Only an approved registration can be extended.")]}
    if opportunity.stage not in OPEN_STAGES:
        return {"stage": [_("A closed deal needs no extension.")]}
    return {}


@transaction.atomic
def extension_request(*, opportunity: Opportunity, user, reason: str) -> Opportunity:
    """The partner asks, once per registration and with a reason, to extend its protection."""
    own_partner = partner_id_of(user)
    if own_partner is None:
        raise PermissionDenied(_("Only the partner's users ask for an extension."))
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if opportunity.partner_id != own_partner:
        raise PermissionDenied(_("This opportunity is not your partner's."))
    errors = extension_request_errors(opportunity)
    if message := validation.reason_error(reason, required=True, what=_("Say why you need more time.")):
        errors.setdefault("reason", [message])
    if errors:
        raise ValidationError(errors)
    opportunity.extension_status = ExtensionStatus.REQUESTED
    opportunity.extension_reason = reason.strip()
    opportunity.extension_requested_by = user
    opportunity.extension_requested_at = timezone.now()
    _authored(opportunity, user, "extension requested").save()
    return opportunity


@transaction.atomic
def extension_decide(
    *, opportunity: Opportunity, user, grant: bool, reason: str = "", today: date | None = None
) -> Opportunity:
    """The channel team grants (protection + the protection days) or refuses (with a reason) an extension."""
    _require_channel(user)
    today = today or timezone.localdate()
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    reason = (reason or "").strip()
    if opportunity.extension_status != ExtensionStatus.REQUESTED:
        raise ValidationError({"extension_status": [_("No extension request is waiting on this registration.")]})
    if grant and opportunity.registration_status != RegistrationStatus.APPROVED:
        raise ValidationError({"registration_status": [_("Only an approved registration can be extended.")]})
    if message := validation.reason_error(reason, required=not grant, what=_("Say why the extension is refused.")):
        raise ValidationError({"reason": [message]})
    opportunity.extension_status = ExtensionStatus.GRANTED if grant else ExtensionStatus.REFUSED
    opportunity.extension_decided_by = user
    opportunity.extension_decided_at = timezone.now()
    opportunity.extension_decision_reason = reason
    if grant:
        opportunity.protected_until = (opportunity.protected_until or today) + timedelta(
            days=settings.REGISTRATION_PROTECTION_DAYS
        )
    _authored(opportunity, user, f"extension {opportunity.extension_status}").save()
    notify_partners(f"extension_{opportunity.extension_status}", [opportunity.pk])
    return opportunity
