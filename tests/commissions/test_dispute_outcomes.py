"""Disputes end with an outcome (SPEC §4.3): accepted with an amount — a manual adjustment line in the
partner's next run, pointing at the disputed line, explained with the resolution — or rejected with a
reason; the partner's users are told by e-mail either way, once the decision is committed."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core import mail
from django.db import connection

from audit.models import AuditEvent
from commissions import disputes, settlement
from commissions.models import (
    Dispute,
    DisputeOutcome,
    DisputeStatus,
    LineKind,
    ManualAdjustment,
    PayoutLine,
    RunStatus,
    Statement,
)
from ecosystem.roles import Role

from ..factories import RuleFactory, UserFactory, won
from .helpers import Q3_DAY, approve_body, approved, computed, current_lines, english

DISPUTES = "/api/v1/disputes/"


@pytest.fixture(params=["reference", "sql"])
def engine(request, settings):
    """Both settlement engines: the pure reference module, and the SQL one (PostgreSQL only)."""
    if request.param == "sql" and connection.vendor != "postgresql":
        pytest.skip("the SQL engine runs on PostgreSQL only")
    settings.SETTLEMENT_SQL_ENGINE = request.param == "sql"
    return request.param


@pytest.fixture
def disputed(partner_a, partner_b, channel_user, manager_user, admin_a):
    """Q3 approved (A: 1 000 × 10 % = 100, B: 200); A's admin disputes its line."""
    RuleFactory(rate=D("0.1"))
    won(partner_a, "1000.00", Q3_DAY)
    won(partner_b, "2000.00", Q3_DAY)
    q3 = approved(runner=channel_user, approver=manager_user)
    line = current_lines(q3).get(partner=partner_a)
    dispute = disputes.dispute_open(line=line, user=admin_a, comment="The select-account rate is 12 %.")
    return {"q3": q3, "line": line, "dispute": dispute}


def decide(api, user, dispute, **body):
    return api(user).post(f"{DISPUTES}{dispute.pk}/resolve/", body, format="json")


@pytest.mark.django_db
class TestFailure4DisputesEndWithAnOutcome:
    """Issue 13, failure 4: "a dispute can only be closed with a comment: no outcome, no correction of
    the money". Now an accepted dispute pays its amount in the partner's next run."""

    def test_accepted_the_amount_is_paid_in_the_next_run(
        self, api, engine, disputed, channel_user, partner_a, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = decide(
                api, channel_user, disputed["dispute"], outcome="accepted", amount="20.00",
                resolution="Select account: 12 %, 20.00 € more.",
            )  # fmt: skip
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["status"], body["outcome"], body["outcome_amount"]) == ("resolved", "accepted", "20.00")
        assert body["adjustment_period"] is None  # no run after Q3 yet: it waits for the next one
        adjustment = ManualAdjustment.objects.get()
        assert adjustment.run is None and adjustment.line == disputed["line"] and adjustment.amount == D("20.00")

        q4 = computed("2026-Q4", user=channel_user)
        line = PayoutLine.objects.get(run=q4, attempt=q4.committed_attempt, kind=LineKind.MANUAL)
        assert line.partner == partner_a and line.payout == D("20.00") and line.corrects == disputed["line"]
        assert "Dispute #" in english(line) and "Select account: 12 %, 20.00 € more." in english(line)
        assert "channel" in english(line)  # who decided
        assert Statement.objects.get(run=q4, partner=partner_a).total == D("20.00")  # nothing else in Q4
        assert q4.total == D("20.00") and q4.line_count == 1
        adjustment.refresh_from_db()
        assert adjustment.run == q4
        assert api(channel_user).get(f"{DISPUTES}{disputed['dispute'].pk}/").json()["adjustment_period"] == "2026-Q4"

    def test_rejected_nothing_is_paid(self, api, engine, disputed, channel_user):
        response = decide(
            api, channel_user, disputed["dispute"], outcome="rejected", resolution="The deal was not registered."
        )
        assert response.status_code == 200
        assert (response.json()["outcome"], response.json()["outcome_amount"]) == ("rejected", None)
        assert not ManualAdjustment.objects.exists()
        q4 = computed("2026-Q4", user=channel_user)
        assert not current_lines(q4).exists()

    def test_the_partners_users_are_told_either_way_after_commit(
        self, api, disputed, channel_user, partner_a, rep_a, admin_a, rep_b, django_capture_on_commit_callbacks
    ):
        UserFactory(role=Role.PARTNER_REP, partner=partner_a, is_active=False)  # told nothing
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            decide(api, channel_user, disputed["dispute"], outcome="accepted", amount="20", resolution="Granted.")
        assert mail.outbox == []  # nothing before the decision is committed
        for callback in callbacks:
            callback()
        assert sorted(m.to[0] for m in mail.outbox) == sorted([admin_a.email, rep_a.email])
        message = mail.outbox[0]
        assert message.subject == f"Dispute #{disputed['dispute'].pk} accepted"
        assert "20.00\u00a0€" in message.body and "Granted." in message.body and "next statement" in message.body
        assert f"/commissions/disputes/{disputed['dispute'].pk}/" in message.body

    def test_rejected_the_reason_is_emailed(
        self, api, partner_a, channel_user, manager_user, admin_a, django_capture_on_commit_callbacks
    ):
        RuleFactory(rate=D("0.1"))
        won(partner_a, "1000.00", Q3_DAY)
        q3 = approved(runner=channel_user, approver=manager_user)
        dispute = disputes.dispute_open(line=current_lines(q3).get(), user=admin_a, comment="Too low")
        with django_capture_on_commit_callbacks(execute=True):
            decide(api, channel_user, dispute, outcome="rejected", resolution="No registration was approved.")
        [message] = mail.outbox
        assert message.subject == f"Dispute #{dispute.pk} rejected" and "No registration was approved." in message.body

    def test_the_decision_is_audited(self, api, disputed, channel_user):
        decide(api, channel_user, disputed["dispute"], outcome="accepted", amount="20", resolution="Granted.")
        event = AuditEvent.objects.get(kind="dispute.decided")
        assert event.detail["outcome"] == "accepted" and event.detail["amount"] == "20.00"
        assert event.partner_id == disputed["line"].partner_id
        assert AuditEvent.objects.filter(kind="settlement.manual_adjustment").count() == 1


@pytest.mark.django_db
class TestTheNextRun:
    def test_a_next_run_already_computed_shows_the_adjustment_at_once_and_keeps_it(
        self, api, engine, disputed, channel_user, partner_a, partner_b
    ):
        won(partner_b, "500.00", date(2026, 11, 2))
        q4 = computed("2026-Q4", user=channel_user)
        before = q4.total
        decide(api, channel_user, disputed["dispute"], outcome="accepted", amount="20", resolution="Granted.")
        q4.refresh_from_db()
        assert q4.total == before + D("20.00") and q4.line_count == 2
        statement = Statement.objects.current().get(run=q4, partner=partner_a)  # A had nothing else in Q4
        assert statement.total == D("20.00") and statement.line_count == 1
        assert ManualAdjustment.objects.get().run == q4
        settlement.settle_now(q4.pk)  # recomputed: the adjustment stays, the totals with it
        q4.refresh_from_db()
        assert q4.total == before + D("20.00") and q4.line_count == 2
        assert Statement.objects.current().get(run=q4, partner=partner_a).total == D("20.00")
        assert current_lines(q4).filter(kind=LineKind.MANUAL).count() == 1

    def test_the_manual_line_is_never_clawed_back_by_a_later_run(
        self, api, engine, disputed, channel_user, manager_user
    ):
        decide(api, channel_user, disputed["dispute"], outcome="accepted", amount="20", resolution="Granted.")
        q4 = computed("2026-Q4", user=channel_user)
        other = UserFactory(role="manager")
        assert (
            api(other).post(f"/api/v1/settlements/{q4.pk}/approve/", approve_body(q4), format="json").status_code == 200
        )
        q1 = computed("2027-Q1", user=channel_user)
        assert list(current_lines(q1)) == []  # nothing owed less, nothing owed more: the 20.00 stays paid
        assert q1.total == D("0")

    def test_an_approved_run_after_the_period_is_skipped_for_the_next_open_one(
        self, api, disputed, channel_user, manager_user
    ):
        approved("2026-Q4", runner=channel_user, approver=manager_user)
        q1 = computed("2027-Q1", user=channel_user)
        decide(api, channel_user, disputed["dispute"], outcome="accepted", amount="-5.50", resolution="Less.")
        assert ManualAdjustment.objects.get().run == q1
        q1.refresh_from_db()
        assert q1.total == D("-5.50")

    def test_a_run_being_computed_leaves_it_waiting(self, api, disputed, channel_user):
        q4 = computed("2026-Q4", user=channel_user)
        type(q4).objects.filter(pk=q4.pk).update(status=RunStatus.RUNNING)
        decide(api, channel_user, disputed["dispute"], outcome="accepted", amount="20", resolution="Granted.")
        assert ManualAdjustment.objects.get().run is None  # the running chunks may have read the adjustments
        type(q4).objects.filter(pk=q4.pk).update(status=RunStatus.COMPUTED)
        settlement.settle_now(q4.pk)
        assert ManualAdjustment.objects.get().run_id == q4.pk
        assert current_lines(q4).filter(kind=LineKind.MANUAL).get().payout == D("20.00")

    def test_a_failed_run_left_behind_does_not_keep_it(self, api, disputed, channel_user):
        q4 = computed("2026-Q4", user=channel_user)
        type(q4).objects.filter(pk=q4.pk).update(status=RunStatus.FAILED)
        decide(api, channel_user, disputed["dispute"], outcome="accepted", amount="20", resolution="Granted.")
        assert ManualAdjustment.objects.get().run == q4  # the earliest run after Q3 not approved
        q1 = computed("2027-Q1", user=channel_user)  # Q4 abandoned: the next computation takes it
        assert ManualAdjustment.objects.get().run == q1
        assert current_lines(q1).get(kind=LineKind.MANUAL).payout == D("20.00")
        settlement.settle_now(q4.pk)  # Q4 computed after all: it no longer pays it (one payment)
        assert not current_lines(q4).filter(kind=LineKind.MANUAL).exists()


@pytest.mark.django_db
class TestDecidingOnThePage:
    def test_the_channel_decides_and_the_partner_reads_the_outcome(self, client, disputed, channel_user, admin_a):
        url = f"/commissions/disputes/{disputed['dispute'].pk}/"
        client.force_login(channel_user)
        assert 'id="dispute-resolve-form"' in client.get(url).content.decode()
        response = client.post(
            f"{url}resolve/", {"outcome": "accepted", "amount": "20,00", "resolution": "Rate of 12 % applied."}
        )
        assert response.status_code == 302
        dispute = Dispute.objects.get()
        assert (dispute.status, dispute.outcome, dispute.outcome_amount) == (
            DisputeStatus.RESOLVED, DisputeOutcome.ACCEPTED, D("20.00"),
        )  # fmt: skip
        client.force_login(admin_a)
        page = client.get(url).content.decode()
        assert "Amount granted: 20.00\u00a0€" in page and "Rate of 12 % applied." in page
        assert "next run" in page

    def test_only_the_channel_team_decides(self, api, disputed, users):
        for key in ("manager", "partner_admin", "partner_rep"):
            response = decide(api, users[key], disputed["dispute"], outcome="accepted", amount="1", resolution="x")
            assert response.status_code == 403
        assert Dispute.objects.get().status == DisputeStatus.OPEN and not ManualAdjustment.objects.exists()

    def test_an_accepted_dispute_needs_an_amount(self, api, disputed, channel_user):
        response = decide(api, channel_user, disputed["dispute"], outcome="accepted", resolution="Yes")
        assert response.status_code == 400 and "amount" in response.json()
        assert Dispute.objects.get().status == DisputeStatus.OPEN


@pytest.mark.django_db
def test_the_email_speaks_the_partners_language(
    api, disputed, channel_user, settings, django_capture_on_commit_callbacks
):
    settings.LANGUAGE_CODE = "fr"  # the site's language, which partner users read by default
    with django_capture_on_commit_callbacks(execute=True):
        decide(api, channel_user, disputed["dispute"], outcome="accepted", amount="1234.5", resolution="Accordé.")
    message = mail.outbox[0]
    assert message.subject == f"Contestation n° {disputed['dispute'].pk} acceptée"  # one line, plain spaces
    assert "Montant accordé\u00a0: 1\u00a0234,50\u00a0€" in message.body and "Accordé." in message.body
