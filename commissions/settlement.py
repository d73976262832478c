"""Settlement runs (SPEC §4): compute a period's lines in chunks of partners, swap them in atomically.

The life of a run: ``settlement_request`` creates or re-queues the period's run and enqueues it
after commit; ``settlement_begin`` moves it to ``running`` with a compare-and-set on its status
(so two computations of one period never overlap) and a new attempt number; each chunk of
partners is computed by ``settlement_compute_chunk`` — idempotent, in its own transaction, its
lines tagged with the attempt; ``settlement_finish`` checks every chunk is there and, in one
transaction, builds the statements, commits the attempt and drops every other attempt's lines.
Readers only ever see the committed attempt, so a run never shows half its lines, and a
worker killed halfway leaves leftovers that the next attempt replaces.

SPEC §4.1 and §4.3 here: requests record their requester and never overlap another period's run
(:mod:`.overlap`); a run computed before its period ends is preliminary; approval follows
:mod:`.approval_rules` (four eyes, not preliminary, diffed against every approved period); an
approved period's corrections are re-settled and diffed line by line (:func:`_adjustments`).
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from audit import kinds as audit_kinds
from ecosystem.bulk import copy_insert
from ecosystem.periods import Period, parse_period, period_label
from ecosystem.roles import INTERNAL_ROLES, role_of
from jobs.models import Job
from jobs.services import job_create, job_fail, job_progress, job_succeed, send_after_commit

from . import adjusting, approval_rules, calculation, overlap, sql_calculation
from .line_rows import LINE_COLUMNS, PAYOUT, line_row, stored_parts
from .loading import load_deals, load_quotas, load_rules
from .models import (
    LOCKED_STATUSES,
    LineKind,
    PayoutLine,
    RunStatus,
    SettlementChunk,
    SettlementException,
    SettlementRun,
    Statement,
)
from .rules import record_uses
from .signals import settlement_approved

RESTARTABLE = (RunStatus.QUEUED, RunStatus.COMPUTED, RunStatus.FAILED)


def stale_after() -> timedelta:
    return timedelta(seconds=settings.SETTLEMENT_STALE_SECONDS)


# --- Requests -----------------------------------------------------------------------------------


def settlement_request(*, period: str, user, enqueue: bool = True) -> SettlementRun:
    """Create (or re-queue) the period's run, record ``user`` as its requester, and enqueue its
    computation after commit (``enqueue=False``: the caller computes it, as ``settle --here`` does).

    Refused when the user may not run settlements (an internal user, active), when the run is
    approved or paid (corrections go to the next period), is being computed right now, or when
    its days overlap another run that is not failed (SPEC §4.1; the database refuses it too, even
    to two requests racing).
    """
    parsed = parse_period(period)  # ValueError → the caller's 400
    if user is None or not user.is_active or role_of(user) not in INTERNAL_ROLES:
        raise PermissionDenied(_("Only an active member of the channel team or a manager runs settlements."))
    for retry in (False, True):
        try:
            with transaction.atomic():
                run = _queue(parsed, user)
            break
        except IntegrityError as error:
            # A request that committed first holds an overlapping period (the database refused this
            # one), or created this very period's run (then queue that one).
            if clash := _overlapping_run(parsed):
                raise ValidationError({"period": [_overlap_message(parsed, clash)]}) from error
            if retry or not SettlementRun.objects.filter(period=parsed.label).exists():
                raise
    if enqueue:
        send_after_commit(
            "commissions.settle_run",
            (run.pk,),
            job_id=run.job_id,
            on_unreachable=lambda reason: _fail_queued(run.pk, reason),
        )
    return run


def _queue(parsed: Period, user) -> SettlementRun:
    overlap.queue_requests(connection)
    run = SettlementRun.objects.select_for_update().filter(period=parsed.label).first()
    reopened = run is None or run.status == RunStatus.FAILED  # a failed run blocks no one: check again
    if reopened and (clash := _overlapping_run(parsed, exclude=run)):
        raise ValidationError({"period": [_overlap_message(parsed, clash)]})
    if run is None:
        run = SettlementRun.objects.create(period=parsed.label, period_start=parsed.start, period_end=parsed.end)
    if run.is_locked:
        raise ValidationError(
            {"period": [_("%(period)s is %(status)s: it can no longer be recomputed; corrections go to the next "
                          "period.") % {"period": period_label(run.period),
                                        "status": run.get_status_display().lower()}]}
        )  # fmt: skip
    if run.status == RunStatus.RUNNING and not _is_stale(run):
        busy = _("%(period)s is being computed right now; wait for it to finish.")
        raise ValidationError({"period": [busy % {"period": period_label(run.period)}]})
    job = job_create(kind="settlement", user=user, params={"period": run.period, "run": run.pk})
    run.status, run.job, run.run_by, run.failure_reason = RunStatus.QUEUED, job, user, ""
    run.save(update_fields=["status", "job", "run_by", "failure_reason"])
    run.requesters.add(user)
    return run


def _overlapping_run(parsed: Period, *, exclude: SettlementRun | None = None) -> SettlementRun | None:
    runs = SettlementRun.objects.filter(overlap.overlaps(parsed.start, parsed.end)).exclude(period=parsed.label)
    if exclude is not None:
        runs = runs.exclude(pk=exclude.pk)
    return runs.order_by("period_start", "pk").first()


def _overlap_message(parsed: Period, clash: SettlementRun) -> str:
    return _(
        "%(period)s overlaps the settlement of %(other)s (%(status)s, run %(id)s): periods never overlap, "
        "or their common days would be paid twice."
    ) % {
        "period": period_label(parsed),
        "other": period_label(clash.period),
        "status": clash.get_status_display().lower(),
        "id": clash.pk,
    }


def _fail_queued(run_id: int, reason: str) -> None:
    SettlementRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.FAILED, failure_reason=reason[:5000]
    )


def _is_stale(run: SettlementRun) -> bool:
    return run.heartbeat_at is None or timezone.now() - run.heartbeat_at > stale_after()


# --- Computation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    run_id: int
    attempt: int
    chunks: list[list[int]]  # partner ids per chunk


def settlement_begin(run_id: int, *, chunk_deals: int = 25_000) -> Plan | None:
    """Claim the run (compare-and-set to running) and split its partners into chunks.

    Returns None when another computation holds the run: never two at once.
    """
    now = timezone.now()
    claimable = Q(status__in=RESTARTABLE) | Q(status=RunStatus.RUNNING, heartbeat_at__lt=now - stale_after())
    with transaction.atomic():
        period_end = SettlementRun.objects.filter(pk=run_id).values_list("period_end", flat=True).first()
        if period_end is None:
            return None
        preliminary, figures_through = approval_rules.figures_of(period_end, approval_rules.today())
        claimed = SettlementRun.objects.filter(claimable, pk=run_id).update(
            status=RunStatus.RUNNING, attempt=F("attempt") + 1, heartbeat_at=now, failure_reason="",
            preliminary=preliminary, figures_through=figures_through, started_at=now,
        )  # fmt: skip
        if not claimed:
            return None
        run = SettlementRun.objects.get(pk=run_id)
        adjusting.claim_waiting(run)  # accepted disputes' adjustments waiting for the partner's next run
        partners = _partners_to_settle(run)
        chunks = _chunk_partners(partners, chunk_deals)
        SettlementRun.objects.filter(pk=run_id).update(chunks_total=len(chunks))
    if run.job_id:
        Job.objects.filter(pk=run.job_id).update(state="running", started_at=now, total=len(chunks), progress=0)
    return Plan(run_id=run.pk, attempt=run.attempt, chunks=chunks)


def _approved_periods_before(run: SettlementRun) -> list[Period]:
    return [
        parse_period(label)
        for label in SettlementRun.objects.filter(status__in=LOCKED_STATUSES, period_end__lt=run.period_start)
        .order_by("period_start")
        .values_list("period", flat=True)
    ]


def _partners_to_settle(run: SettlementRun) -> list[tuple[int, int]]:
    """(partner id, weight) for every partner the run may owe or claw back something.

    That is every partner with won deals in the period or in an approved earlier one (what is owed
    now), and every partner paid for an approved earlier period (what may be clawed back — such a
    partner may have no won deal left at all, its deal lost or moved to another partner).
    """
    from opportunities.models import Opportunity, confirmed_win_q

    earlier = _approved_periods_before(run)
    windows = Q(closed_on__range=(run.period_start, run.period_end))
    for period in earlier:
        windows |= Q(closed_on__range=(period.start, period.end))
    counts = dict(
        Opportunity.objects.filter(windows, confirmed_win_q(), partner__isnull=False)
        .values("partner_id")
        .annotate(n=Count("id"))
        .values_list("partner_id", "n")
    )
    paid_before = (
        PayoutLine.objects.filter(run__status__in=LOCKED_STATUSES, deal_period__in=[p.label for p in earlier])
        .order_by()
        .values_list("partner_id", flat=True)
        .distinct()
    )
    for partner_id in paid_before if earlier else ():
        counts.setdefault(partner_id, 1)
    # A partner with nothing but a manual adjustment in this run still gets its statement.
    for partner_id in adjusting.partners_with_adjustments(run.pk):
        counts.setdefault(partner_id, 1)
    return sorted(counts.items())


def _chunk_partners(partners: list[tuple[int, int]], chunk_deals: int) -> list[list[int]]:
    chunks, current, weight = [], [], 0
    for partner_id, count in partners:
        current.append(partner_id)
        weight += count
        if weight >= chunk_deals:
            chunks.append(current)
            current, weight = [], 0
    if current or not chunks:
        chunks.append(current)
    return chunks


def settlement_compute_chunk(run_id: int, attempt: int, index: int, partner_ids: list[int]) -> int:
    """Compute and write one chunk's lines, statements and exceptions, once per attempt.

    Its marker row is written first, in the same transaction: a redelivered chunk finds it and
    stops (or, if the first delivery is still running, waits on it and then stops); a delivery
    killed before commit leaves nothing, marker included, and the next one computes it all.
    """
    run = SettlementRun.objects.get(pk=run_id)
    if run.attempt != attempt or run.status != RunStatus.RUNNING:
        return 0  # a newer attempt took over: this one's work is moot
    period = parse_period(run.period)
    rules, quotas = load_rules(period.start, period.end), load_quotas(period.label, partner_ids)
    earlier_periods, sql = _approved_periods_before(run), uses_sql_engine()
    adjustments = [] if sql else [row for earlier in earlier_periods for row in _adjustments(earlier, partner_ids)]
    with transaction.atomic():
        chunk = _claim_chunk(run_id, attempt, index, len(partner_ids))
        if chunk is None:
            return 0  # written by an earlier delivery of this chunk
        if sql:
            result = sql_calculation.settle_chunk(
                run_id=run_id, attempt=attempt, period_label=period.label, start=period.start, end=period.end,
                partner_ids=partner_ids, rules=rules, quotas=quotas,
            )  # fmt: skip
            written, lines, exceptions = [result.written], result.lines, result.exceptions
            written += [_sql_adjustments(run_id, attempt, earlier, partner_ids) for earlier in earlier_periods]
        else:
            computed = calculation.calculate(load_deals(period.start, period.end, partner_ids), rules, quotas)
            written, lines, exceptions = [], computed.lines, computed.exceptions
        rows = [line_row(line, LineKind.COMMISSION, period.label, None) for line in lines] + adjustments
        rows += adjusting.manual_rows(run_id, period.label, partner_ids)
        copy_insert(PayoutLine, LINE_COLUMNS, [(run_id, attempt, *row) for row in rows])
        written.append(_totals(rows))
        SettlementException.objects.bulk_create(
            [
                SettlementException(
                    run_id=run_id, attempt=attempt, partner_id=e.partner_id, opportunity_id=e.deal_id,
                    reason_parts=e.reason,
                )
                for e in exceptions
            ],
            batch_size=5000,
        )
        line_count = _write_statements(run_id, attempt, written)
        SettlementChunk.objects.filter(pk=chunk.pk).update(line_count=line_count)
        SettlementRun.objects.filter(pk=run_id, attempt=attempt).update(heartbeat_at=timezone.now())
    if run.job_id:
        done = SettlementChunk.objects.filter(run_id=run_id, attempt=attempt).count()
        job_progress(run.job_id, done, run.chunks_total, f"{done} of {run.chunks_total} partner chunks computed")
    return line_count


def _claim_chunk(run_id: int, attempt: int, index: int, partner_count: int) -> SettlementChunk | None:
    """The chunk's marker, inserted now (its unique constraint makes a concurrent delivery wait), or
    None when a committed delivery already wrote it."""
    try:
        with transaction.atomic():
            return SettlementChunk.objects.create(
                run_id=run_id, attempt=attempt, index=index, partner_count=partner_count, line_count=0
            )
    except IntegrityError:
        return None


def _totals(rows: list[tuple]) -> dict[int, tuple[Decimal, int]]:
    """Per partner, the total and count of line rows (``line_row`` tuples)."""
    totals: dict[int, tuple[Decimal, int]] = {}
    for row in rows:
        total, count = totals.get(row[0], (Decimal("0"), 0))
        totals[row[0]] = (total + row[PAYOUT], count + 1)
    return totals


def _write_statements(run_id: int, attempt: int, parts: list[dict[int, tuple[Decimal, int]]]) -> int:
    """One statement per partner of the chunk with lines, from the totals of what was written; the line count."""
    merged: dict[int, tuple[Decimal, int]] = {}
    for part in parts:
        for partner_id, (total, count) in part.items():
            before = merged.get(partner_id, (Decimal("0"), 0))
            merged[partner_id] = (before[0] + total, before[1] + count)
    Statement.objects.bulk_create(
        [
            Statement(run_id=run_id, partner_id=partner_id, attempt=attempt, total=total, line_count=count)
            for partner_id, (total, count) in sorted(merged.items())
        ],
        batch_size=2000,
    )
    return sum(count for _, count in merged.values())


def uses_sql_engine() -> bool:
    """PostgreSQL computes the lines set-based (:mod:`.sql_calculation`); elsewhere the pure module does."""
    return connection.vendor == "postgresql" and settings.SETTLEMENT_SQL_ENGINE


def _delete_rows(queryset) -> None:
    """One DELETE statement. Safe here: these rows belong to a run being computed, which nothing
    references yet (disputes and corrections only point at lines of approved runs)."""
    queryset._raw_delete(queryset.db)


def adjustment_parts(period_label: str, paid_before: bool, owed: Decimal, paid: Decimal, now: dict) -> dict:
    """An adjustment line's explanation parts (:data:`.sql_calculation.ADJUST_SQL` writes the same)."""
    return {
        "kind": "adjustment", "period": period_label, "change": "changed" if paid_before else "newly_owed",
        "owed": calculation.cents(owed), "paid": calculation.cents(paid), "difference": calculation.cents(owed - paid),
        "now": now,
    }  # fmt: skip


def clawback_parts(period_label: str, paid: Decimal) -> dict:
    """A clawback line's explanation parts (:data:`.sql_calculation.ADJUST_SQL` writes the same)."""
    return {"kind": "clawback", "period": period_label, "paid": calculation.cents(paid)}


def _adjustments(period: Period, partner_ids: list[int]) -> list[tuple]:
    """Re-settle an approved period for the chunk's partners and diff it with what was paid (SPEC §4.1).

    Lines pair by (deal, rule, partner): a line no longer owed to its partner is clawed back from
    that partner — even when the deal has moved to another one — and the new partner gets the
    newly owed line. So the result is the same whichever chunk each partner falls in. The period
    is recomputed on its own (its deals, rules and quotas): nothing here touches the new period's
    tiers, caps or attainment.
    """
    paid = _paid_lines(period, partner_ids)
    paid_rule_ids = {rule_id for _, rule_id, _ in paid}
    deals = load_deals(period.start, period.end, partner_ids)
    owed = calculation.calculate(
        deals, load_rules(period.start, period.end, also_rule_ids=paid_rule_ids), load_quotas(period.label, partner_ids)
    )
    rows = []
    for line in owed.lines:
        key = (line.deal_id, line.rule_id, line.partner_id)
        already, corrects = paid.get(key, (Decimal("0"), None))
        if line.payout != already:
            parts = adjustment_parts(period.label, key in paid, line.payout, already, stored_parts(line))
            rows.append(
                line_row(line, LineKind.ADJUSTMENT, period.label, corrects, payout=line.payout - already, parts=parts)
            )
    owed_keys = {(line.deal_id, line.rule_id, line.partner_id) for line in owed.lines}
    for key, (already, corrects) in sorted(paid.items()):
        if key in owed_keys or not already:
            continue
        deal_id, rule_id, partner_id = key
        rows.append(
            (
                partner_id, deal_id, rule_id, LineKind.ADJUSTMENT, period.label, Decimal("0"), None, None, "",
                -already, clawback_parts(period.label, already), corrects,
            )
        )  # fmt: skip
    return rows


#: The lines the re-settle-and-diff compares with what is owed: the engine's own. A line of another kind
#: (a correction decided by a person, SPEC §4.3) is nobody's computation to diff and is never clawed back.
DIFFED_KINDS = (LineKind.COMMISSION, LineKind.ADJUSTMENT)


def _paid_lines(period: Period, partner_ids: list[int]) -> dict[tuple[int, int, int], tuple[Decimal, int]]:
    """What approved runs paid the chunk's partners for a period's deals, by (deal, rule, partner): the
    total, and the line an adjustment points at (the commission line, else the first adjustment)."""
    rows = (
        PayoutLine.objects.filter(run__status__in=LOCKED_STATUSES, deal_period=period.label, partner_id__in=partner_ids)
        .filter(attempt=F("run__committed_attempt"), kind__in=DIFFED_KINDS)
        .values("opportunity_id", "rule_id", "partner_id")
        .annotate(total=Sum("payout"), original=Min("id", filter=Q(kind=LineKind.COMMISSION)), first=Min("id"))
        .order_by()
    )
    return {
        (row["opportunity_id"], row["rule_id"], row["partner_id"]): (row["total"], row["original"] or row["first"])
        for row in rows
    }


def _sql_adjustments(run_id: int, attempt: int, period: Period, partner_ids: list[int]) -> dict:
    """What :func:`_adjustments` computes, set-based by PostgreSQL; per partner, the total and count written."""
    paid_rule_ids = sql_calculation.paid_rule_ids(period.label, partner_ids, list(LOCKED_STATUSES))
    return sql_calculation.adjust_chunk(
        run_id=run_id, attempt=attempt, period_label=period.label, start=period.start, end=period.end,
        partner_ids=partner_ids, rules=load_rules(period.start, period.end, also_rule_ids=paid_rule_ids),
        quotas=load_quotas(period.label, partner_ids), locked_statuses=list(LOCKED_STATUSES),
        diffed_kinds=list(DIFFED_KINDS),
    )  # fmt: skip


def settlement_finish(run_id: int, attempt: int) -> SettlementRun | None:
    """Commit the attempt if every chunk is written (lines and statements): totals and the swap, in one transaction."""
    with transaction.atomic():
        run = SettlementRun.objects.select_for_update().get(pk=run_id)
        if run.attempt != attempt or run.status != RunStatus.RUNNING:
            return None
        done = SettlementChunk.objects.filter(run=run, attempt=attempt).count()
        if done != run.chunks_total:
            raise RuntimeError(f"only {done} of {run.chunks_total} chunks were computed")
        totals = Statement.objects.filter(run=run, attempt=attempt).aggregate(total=Sum("total"), n=Sum("line_count"))
        # Every other attempt, as two ranges of the (run, attempt) index: NOT (attempt = n) reads the whole run's.
        others = Q(attempt__lt=attempt) | Q(attempt__gt=attempt)
        for model in (PayoutLine, SettlementException, Statement, SettlementChunk):
            _delete_rows(model.objects.filter(others, run=run))
        run.status = RunStatus.COMPUTED
        run.committed_attempt = attempt
        run.total = totals["total"] or Decimal("0")
        run.line_count = totals["n"] or 0
        run.exception_count = SettlementException.objects.filter(run=run, attempt=attempt).count()
        run.computed_at = timezone.now()
        run.save()
    if run.job_id:
        job_succeed(
            run.job_id,
            {"run": run.pk, "period": run.period, "total": str(run.total), "lines": run.line_count,
             "exceptions": run.exception_count},
            message=f"{run.period}: {run.line_count} lines, {calculation.euros(run.total)}",
        )  # fmt: skip
    return run


def settlement_fail(run_id: int, attempt: int | None, reason: str) -> None:
    filters = {"pk": run_id, "status": RunStatus.RUNNING}
    if attempt is not None:
        filters["attempt"] = attempt
    SettlementRun.objects.filter(**filters).update(status=RunStatus.FAILED, failure_reason=reason[:5000])
    job_id = SettlementRun.objects.filter(pk=run_id).values_list("job_id", flat=True).first()
    if job_id:
        job_fail(job_id, reason)


def settle_now(run_id: int, *, chunk_deals: int = 25_000) -> SettlementRun | None:
    """Compute a run in this process (the command and tests); the Celery path runs chunks in parallel."""
    plan = settlement_begin(run_id, chunk_deals=chunk_deals)
    if plan is None:
        return None
    try:
        for index, partner_ids in enumerate(plan.chunks):
            settlement_compute_chunk(plan.run_id, plan.attempt, index, partner_ids)
        return settlement_finish(plan.run_id, plan.attempt)
    except Exception as error:
        settlement_fail(plan.run_id, plan.attempt, f"{type(error).__name__}: {error}")
        raise


# --- Approval (its review: commissions/review.py; payment: commissions/paying.py) ------------------


@transaction.atomic
def settlement_approve(*, run: SettlementRun, user) -> SettlementRun:
    """A manager approves a computed run (:mod:`.approval_rules`: four eyes, never a preliminary run,
    never one computed before an earlier period was approved). Then it never changes.

    People approve through :func:`commissions.review.settlement_approve_reviewed` (page and API):
    the review's checks (the total seen, the exceptions acknowledged, no recomputation since), then this.
    """
    if not approval_rules.may_approve(user):
        raise PermissionDenied(_("Only a manager approves settlements."))
    run = SettlementRun.objects.select_for_update().get(pk=run.pk)
    if refusal := approval_rules.approval_refusal(run, user):
        raise ValidationError({refusal.field: [refusal.message]})
    run.status, run.approved_by, run.approved_at = RunStatus.APPROVED, user, timezone.now()
    run.save(update_fields=["status", "approved_by", "approved_at"])
    record_uses(run)  # its rules are locked from now on
    audit.record(
        audit_kinds.APPROVAL, actor=user, target=run,
        detail={"what": "settlement", "period": run.period, "total": str(run.total), "run_by": run.run_by_id},
    )  # fmt: skip
    settlement_approved.send(sender=SettlementRun, run=run, user=user)
    return run
