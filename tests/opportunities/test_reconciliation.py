"""The reconciliation queue (SPEC §4.2): the channel team links a waiting booking or creates an
opportunity from it, with a reason (audited); nobody else may, and partners never see the queue."""

from datetime import date
from decimal import Decimal as D

import pytest

from audit.models import AuditEvent
from insights import share
from opportunities.models import Confirmation, Opportunity, QueuedBooking, QueuedBookingStatus, Stage
from opportunities.reconciliation import queued_booking_create, queued_booking_link

from ..factories import AccountFactory, OpportunityFactory, claim


def queued(partner, *, external_id="ORD-100", amount="2500.00", account=None, **kwargs) -> QueuedBooking:
    return QueuedBooking.objects.create(
        external_id=external_id,
        account=account or AccountFactory(),
        partner=partner,
        route="partner_sourced",
        product_line="ai",
        amount=D(amount),
        closed_on=date(2026, 7, 20),
        reason="ambiguous",
        **kwargs,
    )


def q3_partner_won() -> D:
    rows = share.breakdown(share.LiveSource(), date(2026, 7, 1), date(2026, 9, 30), "quarter")["rows"]
    return rows[0]["partner"] if rows else D("0")


@pytest.mark.django_db
class TestServices:
    def test_link_confirms_the_opportunity_with_the_booked_figures(self, partner_a, channel_user):
        deal = claim(partner_a, "3000.00", date(2026, 7, 10))
        booking = queued(partner_a, account=deal.account, candidates=[deal.pk])
        assert q3_partner_won() == D("0")
        queued_booking_link(booking=booking, opportunity=deal, user=channel_user, reason="Same order, two lines")
        deal.refresh_from_db(), booking.refresh_from_db()
        assert deal.is_confirmed_win and deal.confirmed_via == Confirmation.BOOKING and deal.external_id == "ORD-100"
        assert deal.amount == D("2500.00") and deal.claimed_amount == D("3000.00")
        assert deal.confirmation_reason == "Same order, two lines" and deal.confirmed_by == channel_user
        assert booking.status == QueuedBookingStatus.LINKED and booking.opportunity == deal
        assert booking.resolved_by == channel_user and booking.resolution_reason == "Same order, two lines"
        event = AuditEvent.objects.get(kind="booking.reconciled")
        assert event.detail["outcome"] == "linked" and event.partner_id == partner_a.pk
        assert q3_partner_won() == D("2500.00")  # counted once, at the booked amount

    def test_create_makes_a_won_confirmed_opportunity(self, partner_a, channel_user):
        booking = queued(partner_a)
        opportunity = queued_booking_create(booking=booking, user=channel_user, reason="A deal never registered")
        assert opportunity.stage == Stage.WON and opportunity.is_confirmed_win
        assert opportunity.external_id == "ORD-100" and opportunity.partner == partner_a
        booking.refresh_from_db()
        assert booking.status == QueuedBookingStatus.CREATED and booking.opportunity == opportunity
        assert q3_partner_won() == D("2500.00")

    def test_refusals(self, partner_a, partner_b, channel_user, manager_user):
        from django.core.exceptions import PermissionDenied, ValidationError

        booking = queued(partner_a)
        of_b = OpportunityFactory(partner=partner_b)
        with pytest.raises(ValidationError) as error:
            queued_booking_link(booking=booking, opportunity=of_b, user=channel_user, reason="wrong partner")
        assert "opportunity" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            queued_booking_create(booking=booking, user=channel_user, reason="  ")
        assert "reason" in error.value.message_dict
        with pytest.raises(PermissionDenied):
            queued_booking_create(booking=booking, user=manager_user, reason="a manager")
        confirmed = OpportunityFactory(partner=partner_a, external_id="ORD-OTHER", stage=Stage.WON,
                                       closed_on=date(2026, 7, 1))  # fmt: skip
        with pytest.raises(ValidationError) as error:
            queued_booking_link(booking=booking, opportunity=confirmed, user=channel_user, reason="taken")
        assert "ORD-OTHER" in str(error.value)
        queued_booking_create(booking=booking, user=channel_user, reason="first")
        with pytest.raises(ValidationError) as error:
            queued_booking_create(booking=booking, user=channel_user, reason="twice")
        assert "status" in error.value.message_dict
        assert Opportunity.objects.filter(external_id="ORD-100").count() == 1


@pytest.mark.django_db
class TestApi:
    def test_channel_reads_and_acts_manager_reads_partners_get_403(self, partner_a, rep_a, admin_a, manager_user,
                                                                   channel_user, api):  # fmt: skip
        deal = claim(partner_a, "3000.00", date(2026, 7, 10))
        booking = queued(partner_a, account=deal.account, candidates=[deal.pk])
        for user in (rep_a, admin_a):
            assert api(user).get("/api/v1/booking-reconciliation/").status_code == 403
            assert api(user).get(f"/api/v1/booking-reconciliation/{booking.pk}/").status_code == 403
            response = api(user).post(
                f"/api/v1/booking-reconciliation/{booking.pk}/create-opportunity/", {"reason": "x"}
            )
            assert response.status_code == 403
        listing = api(manager_user).get("/api/v1/booking-reconciliation/?status=waiting").json()
        assert [row["id"] for row in listing["results"]] == [booking.pk]
        assert listing["results"][0]["candidates"] == [deal.pk] and listing["results"][0]["amount"] == "2500.00"
        response = api(manager_user).post(
            f"/api/v1/booking-reconciliation/{booking.pk}/link/", {"opportunity": deal.pk, "reason": "x"}
        )
        assert response.status_code == 403
        response = api(channel_user).post(f"/api/v1/booking-reconciliation/{booking.pk}/link/", {"reason": "x"})
        assert response.status_code == 400 and "opportunity" in response.json()
        response = api(channel_user).post(
            f"/api/v1/booking-reconciliation/{booking.pk}/link/", {"opportunity": deal.pk, "reason": "Same order"}
        )
        assert response.status_code == 200, response.content
        assert response.json()["id"] == deal.pk and response.json()["confirmed_via"] == "booking"
        assert response.json()["claim_difference"] == "-500.00"
        assert api(channel_user).get("/api/v1/booking-reconciliation/?status=waiting").json()["count"] == 0

    def test_create_through_the_api(self, partner_a, channel_user, api):
        booking = queued(partner_a)
        response = api(channel_user).post(
            f"/api/v1/booking-reconciliation/{booking.pk}/create-opportunity/", {"reason": "Never registered"}
        )
        assert response.status_code == 201, response.content
        assert Opportunity.objects.get(pk=response.json()["id"]).external_id == "ORD-100"


@pytest.mark.django_db
class TestPages:
    def test_the_queue_and_a_booking_page(self, partner_a, rep_a, manager_user, channel_user, client):
        deal = claim(partner_a, "3000.00", date(2026, 7, 10))
        booking = queued(partner_a, account=deal.account, candidates=[deal.pk])
        client.force_login(rep_a)
        for url in ("/opportunities/reconciliation/", f"/opportunities/reconciliation/{booking.pk}/"):
            assert client.get(url).status_code == 403
        assert client.post(f"/opportunities/reconciliation/{booking.pk}/create/", {"reason": "x"}).status_code == 403
        client.force_login(manager_user)
        page = client.get(f"/opportunities/reconciliation/{booking.pk}/").content.decode()
        assert deal.registration_number in page and 'id="link"' not in page  # a manager reads, does not act
        client.force_login(channel_user)
        queue = client.get("/opportunities/reconciliation/").content.decode()
        assert "ORD-100" in queue and "Several opportunities match" in queue
        page = client.get(f"/opportunities/reconciliation/{booking.pk}/").content.decode()
        assert 'id="link"' in page and 'id="create"' in page and "-500.00" in page
        refused = client.post(f"/opportunities/reconciliation/{booking.pk}/link/", {"opportunity": deal.pk})
        assert refused.status_code == 400 and "reason" in refused.context["link_form"].errors
        done = client.post(
            f"/opportunities/reconciliation/{booking.pk}/link/", {"opportunity": deal.pk, "reason": "Same order"}
        )
        assert done.status_code == 302 and done["Location"] == f"/opportunities/{deal.pk}/"
        deal.refresh_from_db()
        assert deal.is_confirmed_win


@pytest.mark.django_db
def test_the_queue_filters_take_a_partner_and_an_account_by_siren_or_id(partner_a, partner_b, channel_user, api):
    """The reconciliation queue's ``?partner=`` and ``?account=`` are pickers: a SIREN or an id, not a bare number."""
    mine = queued(partner_a, account=AccountFactory(name="Compte A"), external_id="ORD-A")
    queued(partner_b, account=AccountFactory(name="Compte B"), external_id="ORD-B")
    client = api(channel_user)
    for query in (
        {"partner": partner_a.siren},
        {"partner": partner_a.pk},
        {"account": mine.account.siren},
        {"account": mine.account.pk},
    ):
        listing = client.get("/api/v1/booking-reconciliation/", query).json()
        assert [row["id"] for row in listing["results"]] == [mine.pk], query
    unknown = client.get("/api/v1/booking-reconciliation/", {"partner": "not a partner"})
    assert unknown.status_code == 400 and "partner" in unknown.json()
