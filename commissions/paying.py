"""Marking an approved run paid (SPEC §4.3 "Paid"): the day the payment was executed and a
reference per statement.

Two paths pay statements. A payment file executed by the bank pays exactly its transfers'
statements (:func:`statements_mark_paid`, called by the payments app with the statements and their
references: this app never imports payments). The manual "mark paid" (:func:`settlement_mark_paid`)
pays what is left, but never a statement the payments app holds back — a partner without billing
details or whose new IBAN awaits confirmation, a statement already in a payment file: those are left
out and named in the answer. The payments app says which through :func:`register_holds` (from
``PaymentsConfig.ready``). The run becomes paid when every statement it must pay is paid; until then
it shows "n of m paid" (:func:`payment_progress`).

The run keeps the batch's reference (the transfer file's, say); every statement with a positive
total is paid with the reference given for its partner, else the batch's. A statement with a
total of zero or less is not paid (nothing is owed: a negative total is carried into the partner's
next run), so it keeps no payment. Only the payment fields change: the amounts of an approved run
never do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from audit import kinds as audit_kinds
from ecosystem.roles import INTERNAL_ROLES, role_of

from .models import RunStatus, SettlementRun, Statement

MAX_REFERENCE = 100

#: ``holds(run)`` → ``{statement_id: why it is not to be marked paid by hand, in words}``.
_holds: list[Callable[[SettlementRun], dict[int, str]]] = []


def register_holds(finder: Callable[[SettlementRun], dict[int, str]]) -> None:
    """An app above this one tells which statements of a run must not be marked paid by hand."""
    if finder not in _holds:
        _holds.append(finder)


def held_statements(run: SettlementRun) -> dict[int, str]:
    found: dict[int, str] = {}
    for finder in _holds:
        for statement_id, reason in finder(run).items():
            found.setdefault(statement_id, reason)
    return found


@dataclass(frozen=True)
class LeftOut:
    """A statement the manual "mark paid" did not pay, and why."""

    partner_name: str
    partner_siren: str
    reason: str


@dataclass
class PaymentOutcome:
    run: SettlementRun
    paid: int = 0
    left_out: list[LeftOut] = field(default_factory=list)

    @property
    def left_out_text(self) -> str:
        return "; ".join(f"{item.partner_name} ({item.partner_siren}): {item.reason}" for item in self.left_out)


@dataclass(frozen=True)
class Progress:
    paid: int
    payable: int

    @property
    def complete(self) -> bool:
        return self.payable > 0 and self.paid >= self.payable


def _reference(value: str, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [_("Give the payment reference.")]})
    if len(text) > MAX_REFERENCE:
        raise ValidationError({field: [_("Keep the reference under %(n)s characters.") % {"n": MAX_REFERENCE}]})
    return text


def _payable(run, attempt):
    """Statements of ``run``'s ``attempt`` (values or outer references) that a payment settles: a positive total."""
    return Statement.objects.filter(run=run, attempt=attempt, total__gt=0)


def payable_statements(run: SettlementRun):
    """The statements of the run's committed attempt that a payment settles (a positive total)."""
    return _payable(run, run.committed_attempt)


def payment_progress(run: SettlementRun) -> Progress:
    """How many of the statements the run must pay are paid ("n of m paid")."""
    found = payable_statements(run).aggregate(payable=Count("pk"), paid=Count("pk", filter=Q(paid_on__isnull=False)))
    return Progress(paid=found["paid"], payable=found["payable"])


def with_payment_progress(queryset: QuerySet) -> QuerySet:
    """Runs annotated with ``statements_payable`` and ``statements_paid`` (:func:`payment_progress`'s
    figures) in the same query, for lists."""
    payable = _payable(OuterRef("pk"), OuterRef("committed_attempt")).order_by()

    def count(statements) -> Coalesce:
        return Coalesce(Subquery(statements.values("run").annotate(n=Count("pk")).values("n")), 0)

    return queryset.annotate(
        statements_payable=count(payable), statements_paid=count(payable.filter(paid_on__isnull=False))
    )


def _locked_approved_run(run: SettlementRun) -> SettlementRun:
    run = SettlementRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.APPROVED:
        raise ValidationError(
            {"status": [_("Only an approved run can be marked paid; this one is %(status)s.")
                        % {"status": run.get_status_display().lower()}]}
        )  # fmt: skip
    return run


def _check_paid_on(run: SettlementRun, paid_on: date | None, field_name: str = "paid_on") -> None:
    if paid_on is None:
        raise ValidationError({field_name: [_("Give the day the payment was made.")]})
    if paid_on > timezone.localdate():
        raise ValidationError({field_name: [_("The payment date cannot be in the future.")]})
    approved_on = timezone.localdate(run.approved_at) if run.approved_at else None
    if approved_on and paid_on < approved_on:
        raise ValidationError(
            {field_name: [_("The payment date cannot be before the approval (%(day)s).") % {"day": approved_on}]}
        )


def _close_when_all_paid(run: SettlementRun, *, paid_on: date, reference: str) -> bool:
    """The run is paid once every statement it must pay is paid (the caller holds its row lock)."""
    if payable_statements(run).filter(paid_on__isnull=True).exists():
        return False
    run.status, run.paid_at, run.paid_on, run.payment_reference = RunStatus.PAID, timezone.now(), paid_on, reference
    run.save(update_fields=["status", "paid_at", "paid_on", "payment_reference"])
    return True


@transaction.atomic
def statements_mark_paid(
    *, run: SettlementRun, user, paid_on: date, references: dict[int, str], batch_reference: str, source: str
) -> PaymentOutcome:
    """Pay exactly the statements named in ``references`` (statement id → its payment reference) on
    ``paid_on``: the payments app calls it when the bank has executed a payment file. Each must be a
    statement of the run to pay and not paid yet (an execution recorded twice pays nothing twice)."""
    if role_of(user) not in INTERNAL_ROLES:
        raise PermissionDenied(_("Only internal users mark settlements paid."))
    run = _locked_approved_run(run)
    _check_paid_on(run, paid_on)
    statements = list(payable_statements(run).filter(pk__in=list(references)).select_for_update())
    unpaid = [s for s in statements if s.paid_on is None]
    if {s.pk for s in unpaid} != set(references):
        raise ValidationError(
            {"statements": [_("%(n)s of these statements are not unpaid statements of %(period)s.")
                            % {"n": len(set(references) - {s.pk for s in unpaid}), "period": run.period}]}
        )  # fmt: skip
    for statement in unpaid:
        statement.paid_on, statement.payment_reference = paid_on, _reference(references[statement.pk], "statements")
    # One statement per transfer of a file (thousands in a run): written in batches, not one by one.
    Statement.objects.bulk_update(unpaid, ["paid_on", "payment_reference"], batch_size=1000)
    closed = _close_when_all_paid(run, paid_on=paid_on, reference=batch_reference)
    progress = payment_progress(run)
    audit.record(
        audit_kinds.SETTLEMENT_PAID, actor=user, target=run,
        detail={"period": run.period, "paid_on": paid_on.isoformat(), "reference": batch_reference,
                "statements_paid": len(references), "source": source, "paid_so_far": progress.paid,
                "to_pay": progress.payable, "run_paid": closed},
    )  # fmt: skip
    return PaymentOutcome(run=run, paid=len(references))


@transaction.atomic
def settlement_mark_paid(
    *, run: SettlementRun, user, paid_on: date, reference: str, references: dict[str, str] | None = None
) -> PaymentOutcome:
    """Record by hand the payment of an approved run: ``paid_on`` (not in the future, not before the
    approval), the batch ``reference``, and ``references`` by partner SIREN for the statements paid apart.

    Statements the payments app holds (no billing details, an IBAN awaiting confirmation, already in a
    payment file) are left out and listed in the outcome; the run is paid once every statement it must
    pay is. Nothing left to mark paid is refused, naming who is left out."""
    if role_of(user) not in INTERNAL_ROLES:
        raise PermissionDenied(_("Only internal users mark settlements paid."))
    run = _locked_approved_run(run)
    batch = _reference(reference, "payment_reference")
    _check_paid_on(run, paid_on)
    held = held_statements(run)
    unpaid = payable_statements(run).filter(paid_on__isnull=True).select_related("partner").order_by("partner__name")
    payable, left_out = {}, []
    for statement in unpaid:
        if statement.pk in held:
            left_out.append(LeftOut(statement.partner.name, statement.partner.siren, held[statement.pk]))
        else:
            payable[statement.partner.siren] = statement
    specific: dict[int, str] = {}
    problems = []
    left_reasons = {item.partner_siren: item.reason for item in left_out}
    for siren, value in (references or {}).items():
        compact = (siren or "").replace(" ", "")
        statement = payable.get(compact)
        if statement is None:
            if compact in left_reasons:
                problems.append(
                    _("%(siren)s: not to be marked paid by hand (%(reason)s).")
                    % {"siren": siren, "reason": left_reasons[compact]}
                )
            else:
                problems.append(
                    _("%(siren)s: no statement of this run to pay for this SIREN.") % {"siren": siren or "—"}
                )
            continue
        try:
            specific[statement.pk] = _reference(value, "references")
        except ValidationError as error:
            problems.append(f"{siren}: {' '.join(error.messages)}")
    if problems:
        raise ValidationError({"references": problems})
    if not payable:
        outcome = PaymentOutcome(run=run, left_out=left_out)
        raise ValidationError(
            {"status": [_("Nothing to mark paid: every statement left unpaid is held or in a payment file (%(who)s).")
                        % {"who": outcome.left_out_text or "—"}]}
        )  # fmt: skip
    for statement_id, value in specific.items():
        Statement.objects.filter(pk=statement_id).update(paid_on=paid_on, payment_reference=value)
    others = [s.pk for s in payable.values() if s.pk not in specific]
    Statement.objects.filter(pk__in=others).update(paid_on=paid_on, payment_reference=batch)
    paid = len(payable)
    closed = _close_when_all_paid(run, paid_on=paid_on, reference=batch)
    audit.record(
        audit_kinds.SETTLEMENT_PAID, actor=user, target=run,
        detail={
            "period": run.period, "paid_on": paid_on.isoformat(), "reference": batch, "statements_paid": paid,
            "own_references": len(specific), "left_out": len(left_out), "run_paid": closed,
        },
    )  # fmt: skip
    return PaymentOutcome(run=run, paid=paid, left_out=left_out)
