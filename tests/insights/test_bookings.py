import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from insights.bookings import import_bookings
from opportunities.models import (
    Confirmation,
    Opportunity,
    QueuedBooking,
    QueuedBookingReason,
    QueuedBookingStatus,
    Route,
    Stage,
)
from tests.factories import AccountFactory, OpportunityFactory, PartnerFactory, claim

HEADER = "external_id,account_siren,partner_siren,route,product_line,amount,closed_on\n"


@pytest.fixture
def parties(db):
    return {"account": AccountFactory(), "partner": PartnerFactory()}


def good_file(parties) -> bytes:
    a, p = parties["account"].siren, parties["partner"].siren
    return (
        HEADER
        + f"ORD-1,{a},,direct,ai,1000,2025-02-01\n"
        + f'ORD-2,{a},{p},partner_sourced,data,"2 500,50",15/03/2025\n'
        + f"ORD-3,{a},{p},partner_influenced,security,300.00,2025-04-01\n"
    ).encode()


def test_import_then_reimport_counts_once(parties):
    """Direct business is created; partner bookings with no claim wait in the reconciliation queue."""
    first = import_bookings(good_file(parties))
    assert first.written and first.created == 1 and first.queued == 2 and first.confirmed == 0
    second = import_bookings(good_file(parties))
    assert second.written and second.created == 0 and second.updated == 0 and second.unchanged == 3
    assert second.queued == 0
    assert Opportunity.objects.count() == 1 and QueuedBooking.objects.count() == 2
    waiting = QueuedBooking.objects.get(external_id="ORD-2")
    assert waiting.amount == Decimal("2500.50") and waiting.closed_on == date(2025, 3, 15)
    assert waiting.partner == parties["partner"] and waiting.route == Route.PARTNER_SOURCED
    assert waiting.reason == QueuedBookingReason.UNMATCHED and waiting.status == QueuedBookingStatus.WAITING
    direct = Opportunity.objects.get(external_id="ORD-1")
    assert direct.partner is None and direct.route == Route.DIRECT and direct.stage == Stage.WON
    assert not direct.awaiting_confirmation and direct.confirmed_via == Confirmation.BOOKING
    assert direct.history.count() == 1


def test_a_changed_booking_is_updated(parties):
    import_bookings(good_file(parties))
    changed = good_file(parties).replace(b",1000,", b",1200,").replace(b",300.00,", b",350.00,")
    result = import_bookings(changed)
    assert result.updated == 1 and result.unchanged == 1 and result.queued == 1
    assert Opportunity.objects.get(external_id="ORD-1").amount == Decimal("1200")
    assert QueuedBooking.objects.get(external_id="ORD-3").amount == Decimal("350.00")


def test_a_booking_confirms_the_only_matching_claim(parties, rep_a):
    account, partner = parties["account"], parties["partner"]
    claimed = claim(partner, "3000.00", date(2025, 3, 10), account=account, product_line="data")
    other_line = claim(partner, "300.00", date(2025, 3, 10), account=account, product_line="ai")
    result = import_bookings(good_file(parties))
    assert result.confirmed == 1 and result.queued == 1 and result.created == 1
    claimed.refresh_from_db()
    assert claimed.external_id == "ORD-2" and claimed.is_confirmed_win
    assert claimed.amount == Decimal("2500.50") and claimed.claimed_amount == Decimal("3000.00")
    assert claimed.closed_on == date(2025, 3, 15) and claimed.claimed_closed_on == date(2025, 3, 10)
    assert claimed.claim_difference == Decimal("-499.50") and claimed.claim_date_changed
    assert claimed.history.first().history_change_reason == "booking"
    other_line.refresh_from_db()
    assert other_line.is_claim  # another product line: not this booking's
    again = import_bookings(good_file(parties))
    assert again.unchanged == 3 and again.confirmed == 0
    assert Opportunity.objects.filter(partner=partner).count() == 2


def test_an_open_opportunity_is_confirmed_won(parties):
    account, partner = parties["account"], parties["partner"]
    open_deal = OpportunityFactory(partner=partner, account=account, product_line="security", stage=Stage.PROPOSAL)
    import_bookings(good_file(parties))
    open_deal.refresh_from_db()
    assert open_deal.stage == Stage.WON and open_deal.is_confirmed_win and open_deal.amount == Decimal("300.00")
    assert open_deal.route == Route.PARTNER_INFLUENCED and open_deal.claimed_amount is None


def test_several_matches_wait_as_ambiguous(parties):
    account, partner = parties["account"], parties["partner"]
    one = claim(partner, "2500.50", date(2025, 3, 15), account=account, product_line="data")
    two = OpportunityFactory(partner=partner, account=account, product_line="data")
    result = import_bookings(good_file(parties))
    assert result.queued == 2 and result.confirmed == 0
    waiting = QueuedBooking.objects.get(external_id="ORD-2")
    assert waiting.reason == QueuedBookingReason.AMBIGUOUS and sorted(waiting.candidates) == sorted([one.pk, two.pk])
    one.refresh_from_db()
    assert one.is_claim and one.external_id is None


def test_the_registration_column_names_the_opportunity(parties):
    account, partner = parties["account"], parties["partner"]
    one = claim(partner, "1000.00", date(2025, 3, 15), account=account, product_line="data")
    two = claim(partner, "1000.00", date(2025, 3, 15), account=account, product_line="data")
    three = claim(partner, "1000.00", date(2025, 3, 15), account=account, product_line="data")
    a, p = account.siren, partner.siren
    data = (
        HEADER.rstrip("\n")
        + ",registration\n"
        + f"ORD-5,{a},{p},partner_sourced,data,900,2025-03-20,{two.registration_number}\n"
        + f"ORD-6,{a},{p},partner_sourced,data,800,2025-03-20,{three.pk}\n"
        + f"ORD-7,{a},{p},partner_sourced,data,700,2025-03-20,{two.pk}\n"  # already taken by ORD-5
        + f"ORD-8,{a},{p},partner_sourced,security,700,2025-03-20,{one.pk}\n"  # another product line
        + f"ORD-9,{a},{p},partner_sourced,data,700,2025-03-20,999999\n"  # no such opportunity
    ).encode()
    result = import_bookings(data)
    assert result.written and result.confirmed == 2 and result.queued == 3
    two.refresh_from_db(), three.refresh_from_db(), one.refresh_from_db()
    assert two.external_id == "ORD-5" and two.amount == Decimal("900") and two.is_confirmed_win
    assert three.external_id == "ORD-6" and three.is_confirmed_win
    assert one.is_claim
    queued = {q.external_id: q for q in QueuedBooking.objects.all()}
    assert {q.reason for q in queued.values()} == {QueuedBookingReason.REGISTRATION}
    assert queued["ORD-8"].candidates == [one.pk] and queued["ORD-9"].candidates == []
    assert queued["ORD-7"].registration == str(two.pk)


def test_a_waiting_booking_is_matched_by_a_later_import(parties):
    import_bookings(good_file(parties))
    account, partner = parties["account"], parties["partner"]
    late_claim = claim(partner, "2500.00", date(2025, 3, 14), account=account, product_line="data")
    result = import_bookings(good_file(parties))
    assert result.confirmed == 1
    late_claim.refresh_from_db()
    assert late_claim.external_id == "ORD-2" and late_claim.is_confirmed_win
    waiting = QueuedBooking.objects.get(external_id="ORD-2")
    assert waiting.status == QueuedBookingStatus.LINKED and waiting.opportunity == late_claim
    assert import_bookings(good_file(parties)).unchanged == 3


def test_a_booking_may_move_a_won_deal_to_another_partner(parties):
    account, partner = parties["account"], parties["partner"]
    claimed = claim(partner, "2500.50", date(2025, 3, 15), account=account, product_line="data")
    import_bookings(good_file(parties))
    other = PartnerFactory()
    moved = good_file(parties).replace(f"ORD-2,{account.siren},{partner.siren}".encode(),
                                       f"ORD-2,{account.siren},{other.siren}".encode())  # fmt: skip
    result = import_bookings(moved)
    assert result.updated == 1
    claimed.refresh_from_db()
    assert claimed.partner == other and claimed.is_confirmed_win and claimed.stage == Stage.WON


def test_bad_rows_each_reported_nothing_written(parties):
    a, p = parties["account"].siren, parties["partner"].siren
    data = (
        HEADER
        + f"ORD-1,{a},,direct,ai,1000,2025-02-01\n"  # good (line 2)
        + f"ORD-2,{a},{p},direct,ai,10,2025-02-01\n"  # direct with a partner (line 3)
        + f"ORD-3,{a},,partner_sourced,ai,10,2025-02-01\n"  # partner route without partner (line 4)
        + "ORD-4,123456789,,direct,ai,10,2025-02-01\n"  # bad SIREN (line 5)
        + f"ORD-5,{a},,direct,toys,abc,2025-13-01\n"  # product line, amount, date (line 6)
        + f"ORD-1,{a},,direct,ai,10,2025-02-01\n"  # duplicate id (line 7)
        + f"=HYPERLINK(1),{a},,direct,ai,10,2025-02-01\n"  # formula (line 8)
        + f"ORD-9,{a},,direct,ai,-5,2099-01-01\n"  # negative, future (line 9)
    ).encode()
    result = import_bookings(data)
    assert not result.written
    assert Opportunity.objects.count() == 0
    found = {(e.line, e.column) for e in result.errors}
    assert {
        (3, "route"),
        (4, "partner_siren"),
        (5, "account_siren"),
        (6, "product_line"),
        (6, "amount"),
        (6, "closed_on"),
        (7, "external_id"),
        (8, "external_id"),
        (9, "amount"),
        (9, "closed_on"),
    } <= found
    good_only = import_bookings(data, good_rows_only=True)
    assert good_only.written and good_only.created == 1 and Opportunity.objects.count() == 1


def test_bad_registrations_are_reported(parties):
    a, p = parties["account"].siren, parties["partner"].siren
    data = (
        HEADER.rstrip("\n")
        + ",registration\n"
        + f"ORD-1,{a},{p},partner_sourced,ai,1000,2025-02-01,REG-12x\n"  # not a number (line 2)
        + f"ORD-2,{a},,direct,ai,1000,2025-02-01,12\n"  # direct business names no registration (line 3)
        + f"ORD-3,{a},{p},partner_sourced,ai,1000,2025-02-01,=1+1\n"  # a formula (line 4)
    ).encode()
    result = import_bookings(data)
    assert not result.written and Opportunity.objects.count() == 0 and QueuedBooking.objects.count() == 0
    assert {(e.line, e.column) for e in result.errors} == {
        (2, "registration"),
        (3, "registration"),
        (4, "registration"),
    }


def test_command(parties, tmp_path):
    path = tmp_path / "bookings.csv"
    path.write_bytes(good_file(parties))
    out = io.StringIO()
    call_command("import_bookings", str(path), verbosity=0, stdout=out)
    assert "1 created" in out.getvalue() and "2 queued" in out.getvalue() and "0 confirmed" in out.getvalue()
    call_command("import_bookings", str(path), verbosity=0)
    assert Opportunity.objects.count() == 1 and QueuedBooking.objects.count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_bytes((HEADER + "X,1,,direct,ai,1,2025-01-01\n").encode())
    with translation.override("en"), pytest.raises(CommandError, match="nothing was written"):
        call_command("import_bookings", str(bad), verbosity=0)  # a command speaks the active language


def test_api_upload_answers_202_with_a_job(
    parties, channel_user, rep_a, api, settings, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.CELERY_TASK_ALWAYS_EAGER = True
    upload = SimpleUploadedFile("b.csv", good_file(parties), content_type="text/csv")
    assert api(rep_a).post("/api/v1/bookings/import/", {"file": upload}, format="multipart").status_code == 403
    upload = SimpleUploadedFile("b.csv", good_file(parties), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = api(channel_user).post("/api/v1/bookings/import/", {"file": upload}, format="multipart")
    assert response.status_code == 202, response.content
    assert "id" in response.json()
    assert Opportunity.objects.filter(external_id__startswith="ORD-").count() == 1
    assert QueuedBooking.objects.filter(external_id__startswith="ORD-").count() == 2
