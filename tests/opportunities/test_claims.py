"""Claims (SPEC §4.2): a partner's win pays and counts only once confirmed; each euro is counted once.

The settlement tests here run on the reference module under SQLite and on the SQL engine under
PostgreSQL (CI), since ``settle_now`` picks the engine of the database.
"""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from commissions import settlement
from commissions.models import LineKind, PayoutLine, SettlementException
from ecosystem.periods import parse_period
from insights import selectors, share
from insights.bookings import import_bookings
from insights.snapshots import take_snapshot
from opportunities import claims
from opportunities.models import Confirmation, Opportunity, Stage
from opportunities.services import opportunity_change_stage

from ..commissions.helpers import approved, computed, current_lines
from ..factories import (
    AccountFactory,
    DirectOpportunityFactory,
    OpportunityFactory,
    RuleFactory,
    claim,
    won,
)

Q3 = date(2026, 7, 15)
HEADER = "external_id,account_siren,partner_siren,route,product_line,amount,closed_on\n"


def booking_file(*rows: str) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


def q3_share() -> dict:
    rows = share.breakdown(share.LiveSource(), date(2026, 7, 1), date(2026, 9, 30), "quarter")["rows"]
    return rows[0] if rows else {"total": D("0"), "partner": D("0")}


@pytest.mark.django_db
class TestFailureTwo:
    """Issue 13, failure 2: a rep moves a deal to won with a changed amount (27,000 € → 98,500 €) and
    nobody checks; a booking imported later for the same deal became a second won opportunity."""

    def test_the_claim_is_not_paid_or_counted_and_its_booking_confirms_it_once(
        self, partner_a, rep_a, channel_user, manager_user
    ):
        RuleFactory(rate=D("0.10"))
        account = AccountFactory()
        deal = OpportunityFactory(partner=partner_a, account=account, amount=D("27000.00"), registered_by=rep_a)
        DirectOpportunityFactory(amount=D("73000.00"), stage=Stage.WON, closed_on=Q3)

        opportunity_change_stage(opportunity=deal, user=rep_a, stage=Stage.WON, closed_on=Q3, amount="98500.00")
        deal.refresh_from_db()
        assert deal.is_claim and deal.claimed_amount == D("98500.00")
        assert deal.get_won_status_display() == "Won, awaiting confirmation"
        # Not paid (no line, and no exception either: it is not a won deal of the period yet) ...
        run = computed(user=channel_user)
        assert not current_lines(run).exists() and not SettlementException.objects.filter(run=run).exists()
        # ... and not counted: the share is direct business only.
        assert q3_share()["total"] == D("73000.00") and q3_share()["partner"] == D("0.00")

        # The order system booked 27,000 € for it: the booking confirms the claim, no second opportunity.
        result = import_bookings(
            booking_file(f"ORD-77,{account.siren},{partner_a.siren},partner_sourced,ai,27000.00,2026-07-20")
        )
        assert result.written and result.confirmed == 1 and result.created == 0 and result.queued == 0
        assert Opportunity.objects.filter(partner=partner_a).count() == 1
        deal.refresh_from_db()
        assert deal.is_confirmed_win and deal.confirmed_via == Confirmation.BOOKING
        assert deal.amount == D("27000.00") and deal.closed_on == date(2026, 7, 20)
        assert deal.claimed_amount == D("98500.00") and deal.claim_difference == D("-71500.00")
        # Counted once, at the booked amount.
        assert q3_share()["total"] == D("100000.00") and q3_share()["partner"] == D("27000.00")
        # The run is recomputed (not approved yet): it pays the booked amount, once.
        settlement.settle_now(run.pk)
        lines = current_lines(run)
        assert [(line.opportunity_id, line.payout) for line in lines] == [(deal.pk, D("2700.00"))]
        # Importing the same file again changes nothing.
        again = import_bookings(
            booking_file(f"ORD-77,{account.siren},{partner_a.siren},partner_sourced,ai,27000.00,2026-07-20")
        )
        assert again.unchanged == 1 and again.confirmed == again.created == again.updated == 0
        assert Opportunity.objects.filter(partner=partner_a).count() == 1

    def test_the_partner_sees_the_claim_and_the_difference(self, partner_a, rep_a, client):
        deal = claim(partner_a, "98500.00", Q3, registered_by=rep_a)
        client.force_login(rep_a)
        page = client.get(f"/opportunities/{deal.pk}/").content.decode()
        assert "Won, awaiting confirmation" in page and deal.registration_number in page
        import_bookings(
            booking_file(f"ORD-1,{deal.account.siren},{partner_a.siren},partner_sourced,ai,27000.00,2026-07-15")
        )
        page = client.get(f"/opportunities/{deal.pk}/").content.decode()
        assert "Confirmed by a booking" in page and 'id="claim-difference"' in page
        assert "-71" in page and "500.00" in page  # the difference, formatted for the reader
        listing = client.get("/opportunities/").content.decode()
        assert "<td>Won, awaiting confirmation</td>" not in listing and "<td>Won</td>" in listing


@pytest.mark.django_db
class TestWhoseWinIsAClaim:
    def test_a_partner_users_win_is_a_claim(self, partner_a, rep_a):
        deal = OpportunityFactory(partner=partner_a, registered_by=rep_a)
        opportunity_change_stage(opportunity=deal, user=rep_a, stage=Stage.WON, closed_on=Q3, amount="1000")
        deal.refresh_from_db()
        assert deal.awaiting_confirmation and deal.claimed_at is not None and deal.claimed_closed_on == Q3
        assert not Opportunity.objects.won().filter(pk=deal.pk).exists()
        assert Opportunity.objects.claims().filter(pk=deal.pk).exists()

    def test_the_channel_teams_win_is_confirmed_at_once(self, partner_a, channel_user):
        deal = OpportunityFactory(partner=partner_a)
        opportunity_change_stage(opportunity=deal, user=channel_user, stage=Stage.WON, closed_on=Q3, amount="1000")
        deal.refresh_from_db()
        assert not deal.awaiting_confirmation and deal.confirmed_via == Confirmation.INTERNAL
        assert deal.confirmed_by == channel_user and Opportunity.objects.won().filter(pk=deal.pk).exists()

    def test_a_claim_the_channel_team_turns_lost_is_no_claim(self, partner_a, channel_user):
        deal = claim(partner_a, "1000.00", Q3)
        opportunity_change_stage(opportunity=deal, user=channel_user, stage=Stage.LOST, closed_on=Q3)
        deal.refresh_from_db()
        assert deal.stage == Stage.LOST and not deal.awaiting_confirmation
        assert not Opportunity.objects.claims().exists()


@pytest.mark.django_db
class TestConfirmByHand:
    def test_the_channel_team_confirms_with_a_reason_audited(self, partner_a, channel_user, api):
        deal = claim(partner_a, "1000.00", Q3)
        response = api(channel_user).post(
            f"/api/v1/opportunities/{deal.pk}/confirm/", {"reason": "Service contract signed on paper"}
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["awaiting_confirmation"] is False and body["confirmed_via"] == "manual"
        deal.refresh_from_db()
        assert deal.confirmed_by == channel_user and deal.confirmation_reason == "Service contract signed on paper"
        event = AuditEvent.objects.get(kind="claim.confirmed")
        assert event.actor == channel_user and event.detail["reason"] == "Service contract signed on paper"
        again = api(channel_user).post(f"/api/v1/opportunities/{deal.pk}/confirm/", {"reason": "twice"})
        assert again.status_code == 400 and "awaiting_confirmation" in again.json()

    def test_a_reason_is_required(self, partner_a, channel_user, api):
        deal = claim(partner_a, "1000.00", Q3)
        response = api(channel_user).post(f"/api/v1/opportunities/{deal.pk}/confirm/", {"reason": "  "})
        assert response.status_code == 400 and "reason" in response.json()
        deal.refresh_from_db()
        assert deal.awaiting_confirmation

    def test_partners_and_managers_may_not_confirm(self, partner_a, rep_a, admin_a, manager_user, api):
        deal = claim(partner_a, "1000.00", Q3)
        for user in (rep_a, admin_a, manager_user):
            response = api(user).post(f"/api/v1/opportunities/{deal.pk}/confirm/", {"reason": "mine"})
            assert response.status_code == 403, user
        deal.refresh_from_db()
        assert deal.awaiting_confirmation

    def test_only_a_won_deal_is_confirmed(self, partner_a, channel_user, api):
        deal = OpportunityFactory(partner=partner_a)
        response = api(channel_user).post(f"/api/v1/opportunities/{deal.pk}/confirm/", {"reason": "why not"})
        assert response.status_code == 400 and "stage" in response.json()

    def test_the_page_form(self, partner_a, channel_user, rep_a, client):
        deal = claim(partner_a, "1000.00", Q3)
        client.force_login(rep_a)
        assert 'id="confirm"' not in client.get(f"/opportunities/{deal.pk}/").content.decode()
        assert client.post(f"/opportunities/{deal.pk}/confirm/", {"reason": "x"}).status_code == 403
        client.force_login(channel_user)
        assert 'id="confirm"' in client.get(f"/opportunities/{deal.pk}/").content.decode()
        refused = client.post(f"/opportunities/{deal.pk}/confirm/", {"reason": ""})
        assert refused.status_code == 400 and "Say why this win is confirmed by hand." in refused.content.decode()
        done = client.post(f"/opportunities/{deal.pk}/confirm/", {"reason": "Signed on paper"})
        assert done.status_code == 302
        deal.refresh_from_db()
        assert deal.confirmed_via == Confirmation.MANUAL


@pytest.mark.django_db
class TestSettlementPaysConfirmedWinsOnly:
    def test_a_claim_confirmed_after_approval_is_a_late_win_next_run(self, partner_a, channel_user, manager_user):
        RuleFactory(rate=D("0.10"))
        paid = won(partner_a, "1000.00", Q3)
        pending = claim(partner_a, "5000.00", Q3)
        q3 = approved(runner=channel_user, approver=manager_user)
        assert [line.opportunity_id for line in current_lines(q3)] == [paid.pk]
        claims.claim_confirm(opportunity=pending, user=channel_user, reason="Signed on paper")
        q4 = computed("2026-Q4", user=channel_user)
        adjustment = current_lines(q4).get(kind=LineKind.ADJUSTMENT)
        assert adjustment.opportunity_id == pending.pk and adjustment.payout == D("500.00")
        assert adjustment.deal_period == "2026-Q3" and adjustment.corrects is None
        # The approved quarter did not change.
        assert current_lines(q3).count() == 1

    def test_a_claim_never_becomes_an_exception(self, partner_a, channel_user):
        RuleFactory(rate=D("0.10"), product_lines=["ai"])
        claim(partner_a, "5000.00", Q3, product_line="security")  # no rule would pay it
        run = computed(user=channel_user)
        assert run.exception_count == 0 and not PayoutLine.objects.filter(run=run).exists()


@pytest.mark.django_db
class TestCountedOnce:
    def test_snapshot_dashboards_and_portal_count_confirmed_wins_only(self, partner_a):
        account = AccountFactory(is_select=True)
        won(partner_a, "1000.00", Q3, account=account)
        claim(partner_a, "9000.00", Q3, account=AccountFactory(is_select=True))  # a select account with a claim only
        DirectOpportunityFactory(
            amount=D("1000.00"), stage=Stage.WON, closed_on=Q3, account=AccountFactory(is_select=False)
        )
        live = q3_share()
        assert live["total"] == D("2000.00") and live["partner"] == D("1000.00")
        run = take_snapshot()
        snap = share.breakdown(share.SnapshotSource(run.pk), date(2026, 7, 1), date(2026, 9, 30), "quarter")["rows"]
        assert snap[0]["total"] == D("2000.00") and snap[0]["partner"] == D("1000.00")
        assert share.select_coverage(date(2026, 7, 1), date(2026, 9, 30))["with_won_deal"] == 1
        assert share.snapshot_coverage(run.pk, date(2026, 7, 1), date(2026, 9, 30))["with_won_deal"] == 1
        figures = selectors.partner_figures(partner_a.pk, date(2026, 12, 1))
        assert figures["won_ytd"] == D("1000.00") and figures["won_ytd_count"] == 1
        assert figures["claimed"] == D("9000.00") and figures["claimed_count"] == 1
        q3 = parse_period("2026-Q3")
        assert share.partner_quarterly(partner_a.pk, q3, q3)[0]["won"] == D("1000.00")


@pytest.mark.django_db
class TestOverdueClaims:
    def test_claims_older_than_the_setting_are_listed(self, partner_a, partner_b, channel_user, rep_a, api, client,
                                                      settings):  # fmt: skip
        settings.CLAIM_CONFIRMATION_DAYS = 90
        old = claim(partner_a, "1000.00", Q3)
        Opportunity.objects.filter(pk=old.pk).update(claimed_at=timezone.now() - timedelta(days=91))
        recent = claim(partner_a, "2000.00", Q3)
        old_of_b = claim(partner_b, "3000.00", Q3)
        Opportunity.objects.filter(pk=old_of_b.pk).update(claimed_at=timezone.now() - timedelta(days=200))
        ids = {
            row["id"] for row in api(channel_user).get("/api/v1/opportunities/?claim_overdue=true").json()["results"]
        }
        assert ids == {old.pk, old_of_b.pk}
        ids = {
            row["id"]
            for row in api(channel_user).get("/api/v1/opportunities/?awaiting_confirmation=true").json()["results"]
        }
        assert ids == {old.pk, recent.pk, old_of_b.pk}
        # A partner filters its own claims only.
        ids = {row["id"] for row in api(rep_a).get("/api/v1/opportunities/?claim_overdue=true").json()["results"]}
        assert ids == {old.pk}
        client.force_login(channel_user)
        response = client.get("/opportunities/claims/")
        assert response.status_code == 200
        assert response.context["claim_count"] == 3 and response.context["overdue_count"] == 2
        overdue = client.get("/opportunities/claims/?overdue=1")
        assert [o.pk for o in overdue.context["page_obj"]] == [old_of_b.pk, old.pk]
        client.force_login(rep_a)
        assert client.get("/opportunities/claims/").status_code == 403


@pytest.mark.django_db
def test_the_migration_confirms_the_wins_recorded_before_claims(partner_a):
    """Bookings' wins → booking, direct → internal, partner wins without a booking → migration, with the reason."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("opportunities.migrations.0006_confirm_existing_wins")
    booked = won(partner_a, "100.00", Q3, external_id="ORD-OLD-1")
    declared = won(partner_a, "200.00", Q3)
    direct = DirectOpportunityFactory(stage=Stage.WON, closed_on=Q3)
    still_open = OpportunityFactory(partner=partner_a)
    Opportunity.objects.update(confirmed_at=None, confirmed_via=None)
    migration.confirm_existing_wins(apps, None)
    found = {o.pk: o for o in Opportunity.objects.all()}
    assert found[booked.pk].confirmed_via == Confirmation.BOOKING
    assert found[direct.pk].confirmed_via == Confirmation.INTERNAL
    assert found[declared.pk].confirmed_via == Confirmation.MIGRATION
    assert found[declared.pk].confirmation_reason == migration.REASON
    assert found[still_open.pk].confirmed_via is None and found[still_open.pk].confirmed_at is None
    assert not Opportunity.objects.claims().exists()  # nothing already paid or counted changes
