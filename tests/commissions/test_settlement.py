"""Settlement runs against the database: lines, re-runs, the lock, crashes, approval, adjustments."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commissions import paying, settlement
from commissions.models import (
    ImmutableSettlementError,
    LineKind,
    PayoutLine,
    RunStatus,
    SettlementException,
    Statement,
)
from opportunities.models import Stage

from ..factories import PartnerFactory, RuleFactory, UserFactory, won
from ..payments.helpers import details_for
from .helpers import current_lines, english, run_for

Q3 = date(2026, 7, 15)


@pytest.mark.django_db
class TestCompute:
    def test_lines_statements_and_exceptions(self, partner_a, partner_b):
        RuleFactory(rate=D("0.05"), product_lines=["ai"])
        a1 = won(partner_a, "10000.00", Q3)
        won(partner_a, "2000.00", date(2026, 8, 1))
        won(partner_b, "5000.00", Q3)
        unpaid = won(partner_b, "700.00", Q3, product_line="security")
        won(partner_a, "99999.00", date(2026, 10, 1))  # next quarter: not in this run
        run = run_for()
        settlement.settle_now(run.pk)
        run.refresh_from_db()
        assert run.status == RunStatus.COMPUTED
        assert run.total == D("850.00") and run.line_count == 3 and run.exception_count == 1
        line = current_lines(run).get(opportunity=a1)
        assert line.payout == D("500.00") and "10,000.00 € × 5 % = 500.00 €" in english(line)
        statements = {s.partner_id: s.total for s in Statement.objects.filter(run=run)}
        assert statements == {partner_a.pk: D("600.00"), partner_b.pk: D("250.00")}
        exception = SettlementException.objects.get(run=run)
        assert exception.opportunity == unpaid and "product line Security not in AI" in english(exception)

    def test_rerun_replaces_lines_with_the_same_result(self, partner_a):
        RuleFactory(rate=D("0.1"))
        won(partner_a, "1000.00", Q3)
        run = run_for()
        settlement.settle_now(run.pk)
        first = list(current_lines(run).values_list("opportunity_id", "rule_id", "payout"))
        settlement.settle_now(run.pk)
        run.refresh_from_db()
        assert run.committed_attempt == 2
        assert list(current_lines(run).values_list("opportunity_id", "rule_id", "payout")) == first
        assert PayoutLine.objects.filter(run=run).count() == 1  # the first attempt's lines are gone

    def test_a_recomputation_in_progress_shows_only_the_committed_statements(self, partner_a, partner_b):
        RuleFactory(rate=D("0.1"))
        won(partner_a, "1000.00", Q3)
        won(partner_b, "500.00", Q3)
        run = run_for()
        settlement.settle_now(run.pk)
        plan = settlement.settlement_begin(run.pk, chunk_deals=1)
        settlement.settlement_compute_chunk(plan.run_id, plan.attempt, 0, plan.chunks[0])  # one chunk of two
        assert Statement.objects.filter(run=run).count() == 3  # the committed two and the new attempt's first
        current = Statement.objects.current().filter(run=run)
        assert sorted(current.values_list("partner_id", "total")) == sorted(
            [(partner_a.pk, D("100.00")), (partner_b.pk, D("50.00"))]
        )

    def test_many_chunks_give_the_same_lines_as_one(self, partner_a, partner_b):
        RuleFactory(rate=D("0.1"))
        for partner in [partner_a, partner_b, *PartnerFactory.create_batch(3)]:
            won(partner, "100.00", Q3)
        run = run_for("2026-Q3")
        settlement.settle_now(run.pk, chunk_deals=1000)
        one = sorted(current_lines(run).values_list("opportunity_id", "payout"))
        settlement.settle_now(run.pk, chunk_deals=1)
        run.refresh_from_db()
        assert run.chunks_total == 5
        assert sorted(current_lines(run).values_list("opportunity_id", "payout")) == one


@pytest.mark.django_db
class TestLockAndCrash:
    def test_a_second_computation_cannot_claim_a_running_run(self, partner_a, channel_user):
        RuleFactory()
        won(partner_a, "100.00", Q3)
        run = run_for()
        plan = settlement.settlement_begin(run.pk)
        assert plan is not None
        assert settlement.settlement_begin(run.pk) is None  # never two at once
        with pytest.raises(ValidationError, match="being computed"):
            settlement.settlement_request(period="2026-Q3", user=channel_user)

    def test_a_stale_running_run_can_be_taken_over(self, partner_a, settings):
        settings.SETTLEMENT_STALE_SECONDS = 0
        RuleFactory()
        won(partner_a, "100.00", Q3)
        run = run_for()
        settlement.settlement_begin(run.pk)
        assert settlement.settlement_begin(run.pk) is not None

    def test_killed_halfway_then_rerun_gives_exactly_the_lines(self, partner_a, partner_b, settings):
        RuleFactory(rate=D("0.1"))
        won(partner_a, "1000.00", Q3)
        won(partner_b, "2000.00", Q3)
        run = run_for()
        plan = settlement.settlement_begin(run.pk, chunk_deals=1)
        settlement.settlement_compute_chunk(plan.run_id, plan.attempt, 0, plan.chunks[0])
        # ... the worker dies here: one chunk written, no finish.
        run.refresh_from_db()
        assert run.status == RunStatus.RUNNING and run.committed_attempt is None
        assert not Statement.objects.current().filter(run=run).exists()  # the chunk's own is not shown
        settings.SETTLEMENT_STALE_SECONDS = 0
        settlement.settle_now(run.pk, chunk_deals=1)
        lines = current_lines(run)
        assert sorted(lines.values_list("payout", flat=True)) == [D("100.00"), D("200.00")]
        assert PayoutLine.objects.filter(run=run).count() == 2  # nothing twice
        assert Statement.objects.filter(run=run).count() == 2

    def test_a_retried_chunk_does_not_duplicate(self, partner_a):
        RuleFactory(rate=D("0.1"))
        won(partner_a, "1000.00", Q3)
        run = run_for()
        plan = settlement.settlement_begin(run.pk)
        for _ in range(2):  # redelivered after a worker loss
            settlement.settlement_compute_chunk(plan.run_id, plan.attempt, 0, plan.chunks[0])
        settlement.settlement_finish(plan.run_id, plan.attempt)
        assert current_lines(run).count() == 1

    def test_finish_refuses_a_missing_chunk(self, partner_a, partner_b):
        RuleFactory()
        won(partner_a, "1000.00", Q3)
        won(partner_b, "1000.00", Q3)
        run = run_for()
        plan = settlement.settlement_begin(run.pk, chunk_deals=1)
        settlement.settlement_compute_chunk(plan.run_id, plan.attempt, 0, plan.chunks[0])
        with pytest.raises(RuntimeError, match="1 of 2 chunks"):
            settlement.settlement_finish(plan.run_id, plan.attempt)


@pytest.mark.django_db
class TestApproval:
    def computed(self, partner, runner):
        RuleFactory(rate=D("0.1"))
        won(partner, "1000.00", Q3)
        run = run_for(user=runner)
        settlement.settle_now(run.pk)
        run.refresh_from_db()
        return run

    def test_four_eyes(self, partner_a, manager_user):
        run = self.computed(partner_a, runner=manager_user)
        with pytest.raises(ValidationError, match="Four eyes"):
            settlement.settlement_approve(run=run, user=manager_user)
        other = UserFactory(role="manager")
        assert settlement.settlement_approve(run=run, user=other).status == RunStatus.APPROVED

    def test_only_managers_approve(self, partner_a, channel_user, rep_a):
        run = self.computed(partner_a, runner=None)
        for user in (channel_user, rep_a):
            with pytest.raises(PermissionDenied):
                settlement.settlement_approve(run=run, user=user)

    def test_approved_runs_are_immutable(self, partner_a, channel_user, manager_user):
        run = self.computed(partner_a, runner=channel_user)
        details_for(partner_a)  # paid by hand below: a partner without billing details would be left out
        settlement.settlement_approve(run=run, user=manager_user)
        line = current_lines(run).get()
        line.payout = D("1.00")
        with pytest.raises(ImmutableSettlementError):
            line.save()
        with pytest.raises(ImmutableSettlementError):
            line.delete()
        run.refresh_from_db()
        run.total = D("0")
        with pytest.raises(ImmutableSettlementError):
            run.save()
        with pytest.raises(ValidationError, match="can no longer be recomputed"):
            settlement.settlement_request(period="2026-Q3", user=channel_user)
        assert settlement.settlement_begin(run.pk) is None
        paying.settlement_mark_paid(run=run, user=manager_user, paid_on=date.today(), reference="VIR-2026-10-001")
        run.refresh_from_db()
        assert run.status == RunStatus.PAID and run.total == D("100.00")


@pytest.mark.django_db
class TestAdjustments:
    def approve_q3(self, channel_user, manager_user):
        run = run_for(user=channel_user)
        settlement.settle_now(run.pk)
        run.refresh_from_db()
        settlement.settlement_approve(run=run, user=manager_user)
        return run

    def test_lost_corrected_and_late_wins_become_adjustments_next_quarter(self, partner_a, channel_user, manager_user):
        RuleFactory(rate=D("0.1"))
        turned_lost = won(partner_a, "1000.00", Q3)
        corrected = won(partner_a, "2000.00", Q3)
        unchanged = won(partner_a, "3000.00", Q3)
        q3 = self.approve_q3(channel_user, manager_user)
        originals = {line.opportunity_id: line for line in current_lines(q3)}

        turned_lost.stage = Stage.LOST
        turned_lost.save()
        corrected.amount = D("2500.00")
        corrected.save()
        late = won(partner_a, "400.00", date(2026, 9, 30))
        won(partner_a, "5000.00", date(2026, 11, 2))

        q4 = run_for("2026-Q4", user=channel_user)
        settlement.settle_now(q4.pk)
        adjustments = {line.opportunity_id: line for line in current_lines(q4).filter(kind=LineKind.ADJUSTMENT)}
        assert adjustments[turned_lost.pk].payout == D("-100.00")
        assert adjustments[turned_lost.pk].corrects == originals[turned_lost.pk]
        assert adjustments[corrected.pk].payout == D("50.00")
        assert adjustments[corrected.pk].corrects == originals[corrected.pk]
        assert adjustments[late.pk].payout == D("40.00") and adjustments[late.pk].corrects is None
        assert unchanged.pk not in adjustments
        assert all(line.deal_period == "2026-Q3" for line in adjustments.values())
        q4.refresh_from_db()
        assert q4.total == D("500.00") - D("100.00") + D("50.00") + D("40.00")
        # The approved quarter did not change.
        q3.refresh_from_db()
        assert q3.total == D("600.00") and current_lines(q3).count() == 3

    def test_adjustments_are_not_paid_twice(self, partner_a, channel_user, manager_user):
        RuleFactory(rate=D("0.1"))
        deal = won(partner_a, "1000.00", Q3)
        self.approve_q3(channel_user, manager_user)
        deal.stage = Stage.LOST
        deal.save()
        q4 = run_for("2026-Q4", user=channel_user)
        settlement.settle_now(q4.pk)
        q4.refresh_from_db()
        settlement.settlement_approve(run=q4, user=manager_user)
        q1 = run_for("2027-Q1", user=channel_user)
        settlement.settle_now(q1.pk)
        assert not current_lines(q1).exists()  # the clawback was already taken in Q4


@pytest.mark.django_db(transaction=True)
def test_request_runs_the_chord_after_commit(partner_a, partner_b, channel_user):
    RuleFactory(rate=D("0.1"))
    won(partner_a, "1000.00", Q3)
    won(partner_b, "1000.00", Q3)
    run = settlement.settlement_request(period="2026-q3", user=channel_user)
    run.refresh_from_db()
    assert run.status == RunStatus.COMPUTED and run.total == D("200.00")
    assert run.job.state == "succeeded" and run.job.progress == run.job.total
