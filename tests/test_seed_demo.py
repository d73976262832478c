"""``manage.py seed_demo``: proportional, valid, reproducible, all-or-nothing demo data."""

from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F, Q
from django.test import override_settings

from accounts.models import Account, Assignment
from commissions.models import Program, Quota, Rule, RunStatus, SettlementRun
from demo import generate, load
from ecosystem.periods import quarter_of
from ecosystem.validators import siren_error
from insights.models import Target
from insights.selectors import partner_figures, share_for
from insights.snapshots import current_run
from opportunities.models import Opportunity, QueuedBooking
from opportunities.reconciliation import match_bookings
from partners.models import Partner, Roadshow, Secondment

TODAY = date(2026, 11, 26)
SCALE = 0.02

pytestmark = pytest.mark.django_db
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(**options):
    out = StringIO()
    call_command("seed_demo", scale=SCALE, seed=1, today=TODAY, verbosity=1, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    """One seed shared by the read-only tests of a class, rolled back at its end."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER), transaction.atomic():
        output = seed()
        yield output
        transaction.set_rollback(True)


class TestOneSeed:
    """Read-only checks on one shared seed."""

    def test_counts_are_proportional_to_the_scale(self, seeded):
        output = seeded
        assert Partner.objects.count() == 12
        assert Account.objects.filter(is_select=True).count() == round(14_500 * SCALE)
        assert Account.objects.filter(is_select=False).count() == round(20_000 * SCALE)
        assert Opportunity.objects.count() == round(70_000 * SCALE)
        assert Roadshow.objects.count() == 3 and Secondment.objects.count() == 2
        assert set(Partner.objects.values_list("kind", flat=True)) == {
            "integrator",
            "reseller",
            "distributor",
            "isv",
            "msp",
        }
        assert set(Partner.objects.values_list("tier", flat=True)) == {"silver", "gold", "platinum"}
        # About 70 % of the select accounts have an open primary.
        covered = Assignment.objects.open().filter(role="primary").count()
        assert 0.55 * 290 <= covered <= 0.75 * 290
        # Direct business and both partner routes; every stage; every registration status.
        routes = set(Opportunity.objects.values_list("route", flat=True))
        assert routes == {"direct", "partner_sourced", "partner_influenced"}
        assert set(Opportunity.objects.values_list("stage", flat=True)) == {
            "registered", "qualified", "proposal", "won", "lost"
        }  # fmt: skip
        assert {"approved", "pending", "rejected", "expired"} <= set(
            Opportunity.objects.exclude(registration_status=None).values_list("registration_status", flat=True)
        )
        assert not Opportunity.objects.filter(partner=None).exclude(registration_status=None).exists()
        assert not Opportunity.objects.filter(stage="won", closed_on=None).exists()
        assert Opportunity.objects.filter(roadshow__isnull=False).exists()
        program = Program.objects.get()
        assert program.status == "active" and program.valid_from == date(2024, 10, 1)
        assert set(Rule.objects.values_list("calculation", flat=True)) == {"percent", "flat", "tiered"}
        assert Rule.objects.filter(select_only="yes", registration_required=True, stacking="base").exists()
        assert Quota.objects.exists()
        target = Target.objects.get(region="", sector="")
        assert str(target.value) == "0.5000" and target.baseline_period == "2024-Q4"
        # The managers' dashboards have a snapshot to read.
        assert current_run() is not None and current_run().cell_count > 0
        # History is written in bulk, one row per object.
        assert Opportunity.history.count() == Opportunity.objects.count()
        assert Account.history.count() == Account.objects.count()
        assert "http://127.0.0.1:8000/" in output and "partner.rep" in output

    def test_sirens_are_valid_and_unique(self, seeded):
        sirens = list(Partner.objects.values_list("siren", flat=True)) + list(
            Account.objects.values_list("siren", flat=True)
        )
        assert len(sirens) == len(set(sirens))
        assert [s for s in sirens if siren_error(s)] == []

    def test_each_select_account_has_at_most_one_open_primary_and_partners_work_their_accounts(self, seeded):
        doubles = (
            Assignment.objects.open().filter(role="primary").values("account").annotate(n=Count("id")).filter(n__gt=1)
        )
        assert not doubles.exists()
        assert not Assignment.objects.filter(account__is_select=False).exists()
        assert Assignment.objects.filter(valid_to__isnull=False).exists()  # some ended history
        assert Assignment.objects.filter(role="secondary").exists()
        # Only pending registrations carry the conflict flag, and a conflict is real.
        flagged = Opportunity.objects.filter(has_conflict=True)
        assert not flagged.exclude(registration_status="pending").exists()

    def test_demo_users_have_their_roles_and_a_well_populated_partner(self, seeded):
        users = {u.username: u for u in get_user_model().objects.filter(username__in=load.DEMO_USERNAMES)}
        assert {name: u.role for name, u in users.items()} == {
            "channel": "channel", "manager": "manager", "partner.admin": "partner_admin",
            "partner.rep": "partner_rep", "admin": "channel", "treasury": "channel",
        }  # fmt: skip
        assert users["partner.admin"].partner_id == users["partner.rep"].partner_id is not None
        assert users["channel"].partner_id is None and users["manager"].partner_id is None
        assert users["admin"].is_staff and users["admin"].is_superuser
        assert all(u.check_password(load.PASSWORD) for u in users.values())
        partner = users["partner.rep"].partner
        assert Account.objects.for_partner(partner.pk).filter(is_select=True).count() >= 5
        assert Opportunity.objects.filter(partner=partner, stage="won").count() >= 5
        assert Opportunity.objects.filter(partner=partner, registered_by=users["partner.rep"]).exists()

    def test_the_ecosystem_share_climbs_from_the_first_quarter_to_the_last(self, seeded):
        first, last = generate.Window.ending(TODAY).quarters[0], quarter_of(TODAY)
        first_share = share_for(first.start, first.end)["share"]
        last_share = share_for(last.start, last.end)["share"]
        assert 0.27 <= first_share <= 0.33
        assert 0.37 <= last_share <= 0.43
        assert first_share < last_share

    def test_claims_bookings_and_the_reconciliation_queue(self, seeded):
        """Claims (SPEC §4.2): most confirmed by their booking, a few with another amount, some still
        waiting, and partner bookings in the queue that the import would match to several claims or none."""
        partner_wins = Opportunity.objects.filter(stage="won", partner__isnull=False)
        claims = Opportunity.objects.claims()
        confirmed = partner_wins.filter(awaiting_confirmation=False)
        assert claims.exists() and confirmed.count() > 3 * claims.count()
        assert not claims.exclude(external_id=None).exists() and not claims.exclude(confirmed_at=None).exists()
        assert not confirmed.filter(external_id=None).exists()
        assert not confirmed.exclude(confirmed_via="booking").exists()
        assert not Opportunity.objects.filter(stage="won", partner=None).exclude(confirmed_via="booking").exists()
        differ = confirmed.exclude(claimed_amount=None).exclude(claimed_amount=F("amount"))
        assert 0 < differ.count() < confirmed.count() / 5
        assert not partner_wins.filter(claimed_amount=None).exists()
        waiting = list(QueuedBooking.objects.waiting())
        assert {"ambiguous", "unmatched"} <= {b.reason for b in waiting}
        assert not Opportunity.objects.filter(external_id__in=[b.external_id for b in waiting]).exists()
        # What the import's matching says of each booking waiting is why it waits.
        rows = [{"partner_id": b.partner_id, "account_id": b.account_id, "product_line": b.product_line,
                 "registration_id": None} for b in waiting]  # fmt: skip
        matching = match_bookings(rows)
        assert not matching.confirms
        assert [matching.waits[i][0] for i in range(len(waiting))] == [b.reason for b in waiting]
        for index, booking in enumerate(waiting):
            assert sorted(matching.waits[index][1]) == sorted(booking.candidates)
        # The partner's portal shows its claims apart from its won revenue.
        partner = get_user_model().objects.get(username="partner.rep").partner
        figures = partner_figures(partner.pk, TODAY)
        assert figures["claimed_count"] == claims.filter(partner=partner).count()

    def test_refuses_to_run_over_existing_data_without_reset(self, seeded):
        before = Opportunity.objects.count()
        with pytest.raises(CommandError, match="--reset"):
            seed()
        assert Opportunity.objects.count() == before
        assert Partner.objects.count() == 12


def test_same_seed_same_data_and_reset_replaces_it():
    seed()
    first = (
        list(Account.objects.order_by("id").values_list("siren", "name")),
        list(Opportunity.objects.order_by("id").values_list("amount", "stage", "account__siren", "partner__siren")),
    )
    seed(reset=True)
    again = (
        list(Account.objects.order_by("id").values_list("siren", "name")),
        list(Opportunity.objects.order_by("id").values_list("amount", "stage", "account__siren", "partner__siren")),
    )
    assert first == again
    assert Account.objects.order_by("id").first().pk == 1  # ids start over after a reset
    assert get_user_model().objects.filter(username="channel").count() == 1
    other = StringIO()
    call_command("seed_demo", scale=SCALE, seed=2, today=TODAY, reset=True, verbosity=0, stdout=other)
    assert list(Account.objects.order_by("id").values_list("siren", "name")) != first[0]


def test_a_failure_writes_nothing(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(generate, "make_quotas", broken)
    with pytest.raises(CommandError, match="nothing was written"):
        seed()
    assert not Partner.objects.exists() and not Account.objects.exists() and not Opportunity.objects.exists()
    assert not get_user_model().objects.filter(username__in=load.DEMO_USERNAMES).exists()


def test_settle_leaves_an_approved_history_and_one_run_awaiting_approval():
    seed(settle=True)
    runs = list(SettlementRun.objects.order_by("period_start"))
    assert [r.period for r in runs] == [
        "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"
    ]  # fmt: skip
    assert runs[-1].status == RunStatus.COMPUTED
    assert all(r.status == RunStatus.PAID for r in runs[:-2]), "older quarters paid through payment files"
    assert runs[-2].status == RunStatus.APPROVED
    channel, manager = (get_user_model().objects.get(username=name) for name in ("channel", "manager"))
    assert all(r.run_by_id == channel.pk for r in runs)
    assert all(r.approved_by_id == manager.pk for r in runs[:-1])
    # Legitimately: each run requested by the channel user (recorded, with its job), never by its approver.
    assert all(list(r.requesters.all()) == [channel] and r.job.created_by == channel for r in runs)
    assert not any(r.preliminary for r in runs)
    assert all(r.line_count > 0 and r.total > 0 for r in runs)
    # The late changes to the approved 2026-Q2 show up as adjustments in 2026-Q3.
    assert runs[-1].lines.filter(Q(kind="adjustment"), attempt=runs[-1].committed_attempt).exists()
    # Every partner has billing details; a few are exempt from VAT; the demo partner's new IBAN is held.
    from payments.models import BillingDetails, Invoice

    assert BillingDetails.objects.count() == Partner.objects.count()
    assert 1 <= BillingDetails.objects.filter(vat_exempt=True).count() < Partner.objects.count() / 4
    held = BillingDetails.objects.held().get()
    assert held.partner.name == generate.DEMO_PARTNER_NAME and held.iban_changed_by.username == "partner.admin"
    assert held.history.count() == 2
    # The approved quarters' statements are invoiced (a credit note for a negative total), numbered 1…n.
    for run in runs[:-1]:
        statements = run.statements.filter(attempt=run.committed_attempt).exclude(total=0).count()
        assert Invoice.objects.filter(run=run).count() == statements > 0
    assert not Invoice.objects.filter(run=runs[-1]).exists()
    numbers = sorted(Invoice.objects.values_list("sequence_number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    assert Invoice.objects.filter(vat=0).exists() and Invoice.objects.filter(vat__gt=0).exists()
    # Paid as a finance team pays: files made by the channel user, released by another (treasury), executed;
    # the latest approved quarter's file awaits release and lists the demo partner, held.
    from payments.models import PaymentFile

    treasury = get_user_model().objects.get(username="treasury")
    for run in runs[:-2]:
        (paid_by,) = PaymentFile.objects.filter(run=run)
        assert (paid_by.status, paid_by.created_by, paid_by.released_by) == ("executed", channel, treasury)
        assert (
            paid_by.transfers.filter(invoice__statement__paid_on=paid_by.executed_on).count() == paid_by.transfer_count
        )
    (waiting,) = PaymentFile.objects.filter(run=runs[-2])
    assert waiting.status == "awaiting_release" and waiting.created_by == channel
    assert [h["name"] for h in waiting.held if h["reason"] == "iban_unconfirmed"] == [generate.DEMO_PARTNER_NAME]


@pytest.mark.django_db
def test_if_empty_keeps_existing_data_and_says_so(capsys):
    from tests.factories import PartnerFactory

    PartnerFactory(name="Mine")
    call_command("seed_demo", scale=0.02, seed=1, if_empty=True)
    assert "already holds data" in capsys.readouterr().out
    from partners.models import Partner

    assert list(Partner.objects.values_list("name", flat=True)) == ["Mine"]
