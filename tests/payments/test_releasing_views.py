"""A payment file's release, cancellation and execution through the pages and the API: the maker is
refused with a clear message (page) or 403 (API), the statements are paid by the execution, the manual
"mark paid" names what it left out, and the settlement page shows "n of m paid"."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from commissions.models import RunStatus
from payments.models import PaymentFile, PaymentFileStatus
from payments.payment_files import payment_file_create

from ..factories import PartnerFactory, UserFactory
from .helpers import approve, computed, deal, details_for, percent_rule, statement_of

pytestmark = pytest.mark.django_db

NEXT_WEEK = timezone.localdate() + timedelta(days=7)


@pytest.fixture
def setup():
    """Q3 approved: Alpha (paid by the file) and Delta (no billing details)."""
    percent_rule("0.10")
    alpha, delta = PartnerFactory(name="Alpha"), PartnerFactory(name="Delta")
    details_for(alpha)
    deal(alpha, "10000", date(2026, 7, 10))
    deal(delta, "1000", date(2026, 7, 10))
    run = approve(computed("2026-Q3"))
    maker, releaser = UserFactory(role="channel", username="maker"), UserFactory(role="channel", username="releaser")
    payment_file = payment_file_create(run=run, user=maker, execution_date=NEXT_WEEK)
    return {"run": run, "alpha": alpha, "delta": delta, "maker": maker, "releaser": releaser, "file": payment_file}


def test_the_pages(client, setup):
    payment_file, run, today = setup["file"], setup["run"], timezone.localdate()
    url = f"/payments/payment-files/{payment_file.pk}/"
    client.force_login(setup["maker"])
    page = client.get(url).content.decode()
    assert "Awaiting release" in page and 'id="release-refusal"' in page and 'id="release-form"' not in page
    response = client.post(f"{url}release/", follow=True)
    assert "another channel user must release it" in response.content.decode()
    assert PaymentFile.objects.get(pk=payment_file.pk).status == PaymentFileStatus.AWAITING_RELEASE
    listed = client.get("/payments/payment-files/?status=awaiting_release").content.decode()
    assert payment_file.message_id in listed

    client.force_login(setup["releaser"])
    assert 'id="release-form"' in client.get(url).content.decode()
    response = client.post(f"{url}release/", follow=True)
    assert "released: it may be sent to the bank" in response.content.decode()
    page = client.get(url).content.decode()
    assert 'id="execute-form"' in page and "releaser" in page
    response = client.post(f"{url}executed/", {"executed_on": "", "bank_reference": "BQ-1"}, follow=True)
    assert "Give the day the bank executed the transfers." in response.content.decode()
    response = client.post(f"{url}executed/", {"executed_on": today.isoformat(), "bank_reference": "BQ-1"}, follow=True)
    assert "statements are paid" in response.content.decode()
    assert statement_of(run, setup["alpha"]).paid_on == today
    settlement_page = client.get(f"/commissions/settlements/{run.pk}/").content.decode()
    assert 'id="run-payment-progress"' in settlement_page and "1 of 2 statements paid" in settlement_page
    assert "Executed" in client.get(f"/payments/runs/{run.pk}/").content.decode()


def test_cancelling_on_the_page_needs_a_reason(client, setup):
    payment_file = setup["file"]
    url = f"/payments/payment-files/{payment_file.pk}/"
    client.force_login(setup["maker"])
    response = client.post(f"{url}cancel/", {"reason": ""}, follow=True)
    assert "Say why the payment file is cancelled." in response.content.decode()
    response = client.post(f"{url}cancel/", {"reason": "Wrong date"}, follow=True)
    assert "can be paid by a new file" in response.content.decode()
    assert PaymentFile.objects.get(pk=payment_file.pk).status == PaymentFileStatus.CANCELLED


def test_the_manual_mark_paid_page_names_who_is_left_out(client, setup, manager_user):
    run = setup["run"]
    client.force_login(manager_user)
    response = client.post(
        f"/commissions/settlements/{run.pk}/mark-paid/",
        {"paid_on": timezone.localdate().isoformat(), "payment_reference": "VIR-9", "references": ""},
        follow=True,
    )
    page = response.content.decode()
    assert "Nothing to mark paid" in page and "Alpha" in page and "Delta" in page
    assert statement_of(run, setup["alpha"]).paid_on is None


def test_the_api(api, setup, manager_user, rep_a):
    payment_file, run, today = setup["file"], setup["run"], timezone.localdate()
    url = f"/api/v1/payment-files/{payment_file.pk}/"
    response = api(setup["maker"]).post(f"{url}release/")
    assert response.status_code == 403 and "another channel user" in response.json()["detail"]
    assert api(manager_user).post(f"{url}release/").status_code == 403
    assert api(rep_a).post(f"{url}release/").status_code in (403, 404)
    response = api(setup["maker"]).post(f"{url}executed/", {"executed_on": today.isoformat()})
    assert response.status_code == 400 and "not released yet" in response.json()["status"][0]
    response = api(setup["releaser"]).post(f"{url}release/")
    assert response.status_code == 200 and response.json()["status"] == "released"
    assert response.json()["released_by"] == "releaser"
    response = api(setup["maker"]).post(f"{url}executed/", {"executed_on": "soon"})
    assert response.status_code == 400 and "executed_on" in response.json()
    response = api(setup["maker"]).post(f"{url}executed/", {"executed_on": today.isoformat(), "bank_reference": "B"})
    assert response.status_code == 200 and response.json()["status"] == "executed"
    assert statement_of(run, setup["alpha"]).payment_reference == payment_file.transfers.get().end_to_end_id
    response = api(setup["maker"]).post(f"{url}cancel/", {"reason": "too late"})
    assert response.status_code == 400 and "cannot be cancelled" in response.json()["status"][0]
    # the manual "mark paid" answers 400 naming Delta (no billing details): nothing is left to pay by hand
    response = api(manager_user).post(
        f"/api/v1/settlements/{run.pk}/mark-paid/", {"paid_on": today.isoformat(), "payment_reference": "VIR-1"}
    )
    assert response.status_code == 400 and "Delta" in response.json()["status"][0]


def test_the_api_lists_what_the_manual_mark_paid_left_out(api, setup, manager_user):
    run, today = setup["run"], timezone.localdate()
    details_for(setup["delta"])  # details entered after the approval: Delta may be paid by hand
    response = api(manager_user).post(
        f"/api/v1/settlements/{run.pk}/mark-paid/", {"paid_on": today.isoformat(), "payment_reference": "VIR-1"}
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["statements_paid"] == 1 and data["status"] == RunStatus.APPROVED
    assert data["left_out"] == [
        {"partner_name": "Alpha", "partner_siren": setup["alpha"].siren,
         "reason": "in a payment file: paid when the bank has executed it"}
    ]  # fmt: skip
