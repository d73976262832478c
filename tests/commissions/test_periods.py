"""Periods never overlap (SPEC §4.1): a quarter and one of its months cannot both have a run other
than a failed one — refused with a message naming the run already there on the page, the API and
the ``settle`` command, and by the database itself (an exclusion constraint on PostgreSQL,
triggers on SQLite), even to two requests racing. Failure 1 of issue 13 (``2026-Q4`` and
``2026-10`` both computed and approved, October paid twice) cannot be reproduced any more.
"""

import importlib
import threading
from dataclasses import dataclass
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, OperationalError, connection, transaction

from commissions import overlap, settlement
from commissions.models import RunStatus, SettlementRun
from ecosystem.periods import parse_period, period_label

from ..factories import RuleFactory, UserFactory, won
from .helpers import run_for

pytestmark = pytest.mark.django_db

# The periods as people say them (issue 14 item 4), in the language of the test (English).
MESSAGE = "October 2026 overlaps the settlement of Q4 2026"


def runs():
    return sorted(SettlementRun.objects.values_list("period", "status"))


def requested(period, user):
    """Requested as ``user`` and computed (what the job does after commit)."""
    run = settlement.settlement_request(period=period, user=user, enqueue=False)
    settlement.settle_now(run.pk)
    run.refresh_from_db()
    return run


class TestEveryPathRefuses:
    def test_failure_1_a_quarter_then_one_of_its_months(self, channel_user, manager_user, partner_a):
        RuleFactory(rate=D("0.1"))
        won(partner_a, "1000.00", date(2026, 10, 15))
        q4 = requested("2026-Q4", channel_user)
        settlement.settlement_approve(run=q4, user=manager_user)
        with pytest.raises(ValidationError) as refused:
            settlement.settlement_request(period="2026-10", user=channel_user)
        assert refused.value.message_dict == {
            "period": [
                f"{MESSAGE} (approved, run {q4.pk}): periods never overlap, or their common days would be paid twice."
            ]
        }
        assert runs() == [("2026-Q4", "approved")]

    def test_a_month_then_its_quarter(self, channel_user):
        month = settlement.settlement_request(period="2026-11", user=channel_user)
        with pytest.raises(ValidationError, match=f"Q4 2026 overlaps the settlement of November 2026 .*run {month.pk}"):
            settlement.settlement_request(period="2026-Q4", user=channel_user)

    def test_neighbours_do_not_overlap(self, channel_user):
        for period in ("2026-Q3", "2026-10", "2026-11", "2026-12", "2027-Q1"):
            settlement.settlement_request(period=period, user=channel_user)
        assert len(runs()) == 5

    def test_a_failed_run_blocks_nothing_until_it_is_requested_again(self, channel_user):
        q4 = requested("2026-Q4", channel_user)
        SettlementRun.objects.filter(pk=q4.pk).update(status=RunStatus.FAILED)
        october = requested("2026-10", channel_user)
        with pytest.raises(
            ValidationError, match=f"Q4 2026 overlaps the settlement of October 2026 .*run {october.pk}"
        ):
            settlement.settlement_request(period="2026-Q4", user=channel_user)
        assert runs() == [("2026-10", "computed"), ("2026-Q4", "failed")]

    def test_the_page(self, client, channel_user):
        requested("2026-Q4", channel_user)
        client.force_login(channel_user)
        response = client.post("/commissions/settlements/run/", {"period": "2026-10"}, follow=True)
        assert MESSAGE in response.content.decode()
        assert runs() == [("2026-Q4", "computed")]

    def test_the_api(self, api, channel_user):
        q4 = requested("2026-Q4", channel_user)
        response = api(channel_user).post("/api/v1/settlements/", {"period": "2026-10"}, format="json")
        assert response.status_code == 400
        assert (
            list(response.json()) == ["period"] and f"{MESSAGE} (computed, run {q4.pk})" in response.json()["period"][0]
        )
        assert runs() == [("2026-Q4", "computed")]

    @pytest.mark.parametrize("here", [True, False])
    def test_the_command(self, channel_user, here):
        requested("2026-Q4", channel_user)
        with pytest.raises(CommandError, match=MESSAGE):
            call_command("settle", "2026-10", "--as", "channel", *(["--here"] if here else []))
        assert runs() == [("2026-Q4", "computed")]


class TestTheDatabaseRefuses:
    """Rows written past the service (a bare create or update): the database itself refuses them."""

    def create(self, period, status=RunStatus.COMPUTED):
        p = parse_period(period)
        return SettlementRun.objects.create(period=p.label, period_start=p.start, period_end=p.end, status=status)

    def refused(self, write):
        with pytest.raises(IntegrityError, match=overlap.NAME), transaction.atomic():
            write()

    def test_the_guard_is_installed(self):
        assert overlap.guard_installed(connection)

    def test_an_overlapping_row(self):
        self.create("2026-Q4")
        self.refused(lambda: run_for("2026-10"))
        self.refused(lambda: run_for("2026-12"))
        run_for("2027-01")  # the day after: no overlap
        assert runs() == [("2026-Q4", "computed"), ("2027-01", "queued")]

    def test_a_failed_run_may_overlap_but_not_come_back(self):
        self.create("2026-Q4")
        october = self.create("2026-10", status=RunStatus.FAILED)  # a failed run pays nothing
        self.refused(lambda: SettlementRun.objects.filter(pk=october.pk).update(status=RunStatus.QUEUED))

    def test_moving_a_run_onto_another(self):
        self.create("2026-Q4")
        january = self.create("2027-01")
        self.refused(lambda: SettlementRun.objects.filter(pk=january.pk).update(period_start=date(2026, 12, 31)))

    def test_post_migrate_puts_the_guard_back(self):
        """SQLite drops a table's triggers when a migration rebuilds it: every migrate reinstalls them."""
        overlap.remove_guard(connection)
        assert not overlap.guard_installed(connection)
        overlap.reinstall_after_migrate(sender=None, using="default")
        assert overlap.guard_installed(connection)
        self.create("2026-Q4")
        self.refused(lambda: run_for("2026-10"))


@dataclass
class _SchemaEditor:
    connection: object


class TestTheMigration:
    """Existing overlaps are resolved before the guard is installed, never by touching approved money."""

    migration = importlib.import_module("commissions.migrations.0007_settlementrun_periods_never_overlap")

    def migrate(self):
        from django.apps import apps

        self.migration.resolve_overlaps_then_guard(apps, _SchemaEditor(connection))

    def test_the_run_not_approved_fails_and_the_guard_is_installed(self, manager_user):
        overlap.remove_guard(connection)
        october = run_for("2026-10")  # the older one, but not approved
        SettlementRun.objects.filter(pk=october.pk).update(status=RunStatus.COMPUTED)
        q4 = run_for("2026-Q4")
        SettlementRun.objects.filter(pk=q4.pk).update(status=RunStatus.APPROVED, approved_by=manager_user,
                                                      approved_at=q4.created_at)  # fmt: skip
        november, december = run_for("2026-11"), run_for("2026-12")
        self.migrate()
        assert runs() == [("2026-10", "failed"), ("2026-11", "failed"), ("2026-12", "failed"), ("2026-Q4", "approved")]
        october.refresh_from_db()
        assert october.failure_reason == f"Overlaps the settlement of 2026-Q4 (run {q4.pk}): periods never overlap."
        assert overlap.guard_installed(connection) and november and december

    def test_two_approved_runs_over_the_same_days_stop_it(self, manager_user):
        overlap.remove_guard(connection)
        for period in ("2026-Q4", "2026-10"):
            run = run_for(period)
            SettlementRun.objects.filter(pk=run.pk).update(status=RunStatus.APPROVED, approved_by=manager_user,
                                                           approved_at=run.created_at)  # fmt: skip
        with pytest.raises(RuntimeError, match="2026-Q4 and 2026-10 are both approved/approved and share days"):
            self.migrate()


def _race(*writes):
    """Run each write in its own thread and connection, all released at the same moment; what each gave."""
    barrier, outcomes = threading.Barrier(len(writes)), {}

    def run(index, write):
        barrier.wait()
        try:
            outcomes[index] = write()
        except Exception as error:  # each refusal is an outcome to check
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, write)) for index, write in enumerate(writes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [outcomes[index] for index in range(len(writes))]


RACING = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two connections racing: PostgreSQL (SQLite writes one at a time)"
)


@RACING
@pytest.mark.django_db(transaction=True)
def test_two_requests_racing():
    """Two users ask for 2026-Q4 and 2026-10 at the same moment, each on its own connection: one run
    stands, the other request is refused with the message naming it."""
    channel, other = UserFactory(role="channel"), UserFactory(role="channel")
    outcomes = _race(
        lambda: settlement.settlement_request(period="2026-Q4", user=channel, enqueue=False),
        lambda: settlement.settlement_request(period="2026-10", user=other, enqueue=False),
    )
    (winner,) = SettlementRun.objects.exclude(status=RunStatus.FAILED)
    (refusal,) = [outcome for outcome in outcomes if not isinstance(outcome, SettlementRun)]
    loser = "2026-10" if winner.period == "2026-Q4" else "2026-Q4"
    assert isinstance(refusal, ValidationError), refusal
    assert refusal.message_dict["period"][0].startswith(
        f"{period_label(loser)} overlaps the settlement of {period_label(winner.period)} (queued, run {winner.pk})"
    )


@RACING
@pytest.mark.django_db(transaction=True)
def test_the_database_alone_refuses_two_rows_racing():
    """Past the service (no check, no queue): two overlapping rows written at the same moment on two
    connections; the exclusion constraint lets one in and refuses the other."""

    def write(period):
        p = parse_period(period)
        with transaction.atomic():
            return SettlementRun.objects.create(period=p.label, period_start=p.start, period_end=p.end)

    outcomes = _race(lambda: write("2026-Q4"), lambda: write("2026-11"))
    assert SettlementRun.objects.count() == 1
    (refusal,) = [outcome for outcome in outcomes if not isinstance(outcome, SettlementRun)]
    # A conflict with a committed row is a violation; two uncommitted rows meeting is a deadlock
    # PostgreSQL breaks by aborting one of them: a refusal either way.
    assert isinstance(refusal, IntegrityError | OperationalError), refusal
    assert overlap.NAME in str(refusal) or "deadlock detected" in str(refusal)
