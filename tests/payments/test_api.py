"""The payments API: billing details (partner admins and channel team only, IBAN masked, confirmation
with four eyes), invoices and PDFs (scoped), payment files and plans (channel team), journals."""

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from ecosystem.roles import Role
from ecosystem.validators import french_vat_number
from payments.models import BillingDetails, Invoice, PaymentFile

from ..factories import UserFactory
from .helpers import approve, computed, deal, details_for, percent_rule, statement_of

pytestmark = pytest.mark.django_db

IBAN = "FR7630006000011234567890189"


def body(partner, **extra):
    return {
        "legal_name": "Alpha Intégration SAS",
        "address_line": "3 rue du Port",
        "postal_code": "44000",
        "city": "Nantes",
        "vat_number": french_vat_number(partner.siren),
        "iban": "FR76 3000 6000 0112 3456 7890 189",
        "bic": "AGRIFRPP",
        **extra,
    }


def test_a_partner_admin_enters_its_own_details_and_never_reads_the_iban_back(api, admin_a, partner_a, partner_b):
    response = api(admin_a).post("/api/v1/billing-details/", {**body(partner_a), "partner": partner_b.pk})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["partner"] == partner_a.pk, "a partner admin's details are its own partner's, whatever it sends"
    assert data["iban_masked"] == "FR76 •••• •••• •••• •••• •••0 189" and IBAN not in response.content.decode()
    assert data["iban_status"] == "awaiting_confirmation"
    listed = api(admin_a).get("/api/v1/billing-details/").json()
    assert [row["partner"] for row in listed["results"]] == [partner_a.pk]
    again = api(admin_a).post("/api/v1/billing-details/", body(partner_a))
    assert again.status_code == 400 and "partner" in again.json()


def test_bad_values_answer_400_naming_the_field(api, channel_user, partner_a):
    response = api(channel_user).post(
        "/api/v1/billing-details/", {**body(partner_a), "partner": partner_a.pk, "iban": "FR7630006000011234567890188"}
    )
    assert response.status_code == 400 and "check digits" in response.json()["iban"][0]
    response = api(channel_user).post(
        "/api/v1/billing-details/", {**body(partner_a), "partner": partner_a.pk, "vat_number": ""}
    )
    assert response.status_code == 400 and "vat_number" in response.json()
    assert not BillingDetails.objects.exists()


def test_reps_and_managers_see_no_billing_details(api, rep_a, manager_user, partner_a):
    details = details_for(partner_a)
    for user in (rep_a, manager_user):
        assert api(user).get("/api/v1/billing-details/").status_code == 403
        assert api(user).get(f"/api/v1/billing-details/{details.pk}/").status_code == 403
        assert api(user).patch(f"/api/v1/billing-details/{details.pk}/", {"city": "Lyon"}).status_code == 403


def test_confirming_an_iban_needs_another_channel_user(api, channel_user, admin_a, partner_a):
    created = api(channel_user).post("/api/v1/billing-details/", {**body(partner_a), "partner": partner_a.pk}).json()
    url = f"/api/v1/billing-details/{created['id']}/confirm-iban/"
    assert api(channel_user).post(url).status_code == 403, "four eyes"
    assert api(admin_a).post(url).status_code == 403
    response = api(UserFactory(role=Role.CHANNEL)).post(url)
    assert response.status_code == 200 and response.json()["iban_status"] == "confirmed"
    changed = api(admin_a).patch(f"/api/v1/billing-details/{created['id']}/", {"iban": "DE89370400440532013000"})
    assert changed.status_code == 200 and changed.json()["iban_status"] == "awaiting_confirmation"
    assert changed.json()["city"] == "Nantes", "a PATCH keeps what it does not name"


@pytest.fixture
def approved_run(partner_a, partner_b):
    percent_rule("0.10")
    for partner in (partner_a, partner_b):
        details_for(partner)
        deal(partner, "10000.00", date(2026, 7, 10))
    return approve(computed("2026-Q3"))


def test_a_partner_reads_its_own_invoices_and_pdfs_only(api, rep_a, approved_run, partner_a, partner_b):
    own, other = Invoice.objects.get(partner=partner_a), Invoice.objects.get(partner=partner_b)
    listed = api(rep_a).get("/api/v1/invoices/").json()
    assert [row["id"] for row in listed["results"]] == [own.pk]
    assert api(rep_a).get(f"/api/v1/invoices/{other.pk}/").status_code == 404
    assert api(rep_a).get(f"/api/v1/invoices/{other.pk}/pdf/").status_code == 404
    response = api(rep_a).get(f"/api/v1/invoices/{own.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    statement_b = statement_of(approved_run, partner_b)
    assert api(rep_a).get(f"/api/v1/statements/{statement_b.pk}/pdf/").status_code == 404
    response = api(rep_a).get(f"/api/v1/statements/{statement_of(approved_run, partner_a).pk}/pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_channel_team_makes_a_payment_file_and_downloads_it(api, channel_user, manager_user, rep_a, approved_run):
    plan = api(channel_user).get(f"/api/v1/settlements/{approved_run.pk}/payment-plan/")
    assert plan.status_code == 200 and plan.json()["total"] == "2400.00" and len(plan.json()["transfers"]) == 2
    next_week = (timezone.localdate() + timedelta(days=7)).isoformat()
    for user in (manager_user, rep_a):
        response = api(user).post("/api/v1/payment-files/", {"run": approved_run.pk, "execution_date": next_week})
        assert response.status_code == 403
    response = api(channel_user).post("/api/v1/payment-files/", {"run": approved_run.pk, "execution_date": next_week})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["transfer_count"] == 2 and data["total"] == "2400.00" and data["held"] == []
    assert all(IBAN not in t["iban_masked"] for t in data["transfers"])
    xml = api(channel_user).get(f"/api/v1/payment-files/{data['id']}/xml/")
    assert xml.status_code == 200 and xml["Content-Type"] == "application/xml"
    assert b"pain.001.001.03" in xml.content
    again = api(channel_user).post("/api/v1/payment-files/", {"run": approved_run.pk, "execution_date": next_week})
    assert again.status_code == 400 and "Nothing to pay" in again.json()["run"][0]
    assert PaymentFile.objects.count() == 1


def test_the_journal_for_internal_users(api, channel_user, manager_user, rep_a, approved_run):
    for user in (channel_user, manager_user):
        csv = api(user).get(f"/api/v1/settlements/{approved_run.pk}/journal/")
        assert csv.status_code == 200
        text = b"".join(csv.streaming_content).decode()
        assert text.lstrip("\ufeff").startswith("date,account,debit,credit,partner_siren,partner,invoice,label")
        xlsx = api(user).get(f"/api/v1/settlements/{approved_run.pk}/journal-xlsx/")
        assert xlsx.status_code == 200
        assert load_workbook(io.BytesIO(xlsx.content)).active.max_row == 1 + 6 + 1
    assert api(rep_a).get(f"/api/v1/settlements/{approved_run.pk}/journal/").status_code == 403
