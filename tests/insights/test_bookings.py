from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from insights.bookings import import_bookings
from opportunities.models import Opportunity, Route, Stage
from tests.factories import AccountFactory, PartnerFactory

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
    first = import_bookings(good_file(parties))
    assert first.written and first.created == 3
    second = import_bookings(good_file(parties))
    assert second.written and second.created == 0 and second.updated == 0 and second.unchanged == 3
    assert Opportunity.objects.count() == 3
    deal = Opportunity.objects.get(external_id="ORD-2")
    assert deal.stage == Stage.WON and deal.amount == Decimal("2500.50") and deal.closed_on == date(2025, 3, 15)
    assert deal.partner == parties["partner"] and deal.route == Route.PARTNER_SOURCED
    direct = Opportunity.objects.get(external_id="ORD-1")
    assert direct.partner is None and direct.route == Route.DIRECT
    assert direct.history.count() == 1


def test_a_changed_booking_is_updated(parties):
    import_bookings(good_file(parties))
    changed = good_file(parties).replace(b",1000,", b",1200,")
    result = import_bookings(changed)
    assert result.updated == 1 and result.unchanged == 2
    assert Opportunity.objects.get(external_id="ORD-1").amount == Decimal("1200")


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


def test_command(parties, tmp_path):
    path = tmp_path / "bookings.csv"
    path.write_bytes(good_file(parties))
    call_command("import_bookings", str(path), verbosity=0)
    call_command("import_bookings", str(path), verbosity=0)
    assert Opportunity.objects.count() == 3
    bad = tmp_path / "bad.csv"
    bad.write_bytes((HEADER + "X,1,,direct,ai,1,2025-01-01\n").encode())
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_bookings", str(bad), verbosity=0)


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
    assert Opportunity.objects.filter(external_id__startswith="ORD-").count() == 3
