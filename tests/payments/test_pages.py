"""The payments pages: a partner admin's billing details and form, the channel team's list of missing
and held details and the confirmation, invoices, the run's payments page, the PDF downloads."""

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ecosystem.roles import Role
from payments.models import BillingDetails, Invoice, PaymentFile

from ..factories import PartnerFactory, UserFactory
from .helpers import approve, computed, deal, details_for, percent_rule, statement_of

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def form_data(partner, **changes):
    return {
        "legal_name": "Alpha Intégration SAS",
        "address_line": "3 rue du Port",
        "postal_code": "44000",
        "city": "Nantes",
        "country": "FR",
        "vat_number": f"FR{(12 + 3 * (int(partner.siren) % 97)) % 97:02d}{partner.siren}",
        "iban": "FR76 3000 6000 0112 3456 7890 189",
        "bic": "AGRIFRPP",
        **changes,
    }


def test_a_partner_admin_enters_and_changes_its_details_the_iban_never_shown(
    client, admin_a, partner_a, django_capture_on_commit_callbacks
):
    login(client, admin_a)
    assert client.get("/payments/billing/mine/")["Location"] == f"/payments/partners/{partner_a.pk}/billing/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/payments/partners/{partner_a.pk}/billing/edit/", form_data(partner_a))
    assert response.status_code == 302
    page = client.get(f"/payments/partners/{partner_a.pk}/billing/").content.decode()
    assert "FR76 •••• •••• •••• •••• •••0 189" in page and "FR7630006000011234567890189" not in page
    assert "awaiting confirmation" in page
    assert len(mail.outbox) == 1
    form = client.get(f"/payments/partners/{partner_a.pk}/billing/edit/").content.decode()
    assert "FR7630006000011234567890189" not in form and "3000 6000 0112" not in form
    details = BillingDetails.objects.get()
    # the form shows the current details (it came up empty: a FormView passes an empty initial)
    assert f'value="{details.legal_name}"' in form and f'value="{details.bic}"' in form
    # An empty IBAN keeps the one there; the address changes.
    response = client.post(
        f"/payments/partners/{partner_a.pk}/billing/edit/", form_data(partner_a, iban="", city="Brest")
    )
    assert response.status_code == 302
    details = BillingDetails.objects.get()
    assert (details.city, details.iban) == ("Brest", "FR7630006000011234567890189")


def test_reps_managers_and_other_partners_get_no_billing_page(client, rep_a, manager_user, partner_a, partner_b):
    details_for(partner_a)
    b_admin = UserFactory(role=Role.PARTNER_ADMIN, partner=partner_b)
    for user, status in ((rep_a, 403), (manager_user, 403), (b_admin, 404)):
        login(client, user)
        assert client.get(f"/payments/partners/{partner_a.pk}/billing/").status_code == status
        assert client.get(f"/payments/partners/{partner_a.pk}/billing/edit/").status_code == status


def test_the_channel_team_lists_missing_and_held_details_and_confirms(client, channel_user, partner_a, partner_b):
    entered_by = UserFactory(role=Role.PARTNER_ADMIN, partner=partner_a)
    details_for(partner_a, confirmed=False, entered_by=entered_by)
    missing = PartnerFactory(name="Sans Coordonnées")
    login(client, channel_user)
    page = client.get("/payments/billing/?state=held").content.decode()
    assert partner_a.name in page and partner_b.name not in page and missing.name not in page
    page = client.get("/payments/billing/?state=missing").content.decode()
    assert missing.name in page and partner_a.name not in page
    detail = client.get(f"/payments/partners/{partner_a.pk}/billing/").content.decode()
    assert "confirm-iban" in detail
    response = client.post(f"/payments/partners/{partner_a.pk}/billing/confirm-iban/", follow=True)
    assert "IBAN confirmed" in response.content.decode()
    assert not BillingDetails.objects.get(partner=partner_a).is_held


def test_whoever_entered_the_iban_cannot_confirm_it_on_the_page(client, channel_user, partner_a):
    details_for(partner_a, confirmed=False, entered_by=channel_user)
    login(client, channel_user)
    page = client.get(f"/payments/partners/{partner_a.pk}/billing/").content.decode()
    assert "confirm-iban" not in page and "Four eyes" in page
    response = client.post(f"/payments/partners/{partner_a.pk}/billing/confirm-iban/", follow=True)
    assert "Four eyes" in response.content.decode()
    assert BillingDetails.objects.get(partner=partner_a).is_held


@pytest.fixture
def approved_run(partner_a, partner_b):
    percent_rule("0.10")
    details_for(partner_a)
    details_for(partner_b, confirmed=False)
    for partner in (partner_a, partner_b):
        deal(partner, "10000.00", date(2026, 7, 10))
    return approve(computed("2026-Q3"))


def test_invoices_pages_and_pdfs(client, rep_a, channel_user, approved_run, partner_a, partner_b):
    own, other = Invoice.objects.get(partner=partner_a), Invoice.objects.get(partner=partner_b)
    login(client, rep_a)
    page = client.get("/payments/invoices/").content.decode()
    assert own.number in page and other.number not in page
    assert client.get(f"/payments/invoices/{other.pk}/").status_code == 404
    detail = client.get(f"/payments/invoices/{own.pk}/").content.decode()
    assert "Self-billing" in detail and own.supplier_name in detail
    response = client.get(f"/payments/invoices/{own.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    statement = statement_of(approved_run, partner_a)
    assert client.get(f"/payments/statements/{statement.pk}/pdf/").status_code == 200
    assert client.get(f"/payments/statements/{statement_of(approved_run, partner_b).pk}/pdf/").status_code == 404
    assert "/payments/statements/" in client.get(f"/commissions/statements/{statement.pk}/").content.decode()


def test_the_runs_payments_page_makes_a_payment_file(client, channel_user, manager_user, approved_run, partner_b):
    login(client, manager_user)
    page = client.get(f"/payments/runs/{approved_run.pk}/").content.decode()
    assert "journal.csv" in page and "payment-files/" not in page, "managers read, they make no payment file"
    assert client.get(f"/payments/runs/{approved_run.pk}/journal.xlsx").status_code == 200
    login(client, channel_user)
    page = client.get(f"/payments/runs/{approved_run.pk}/").content.decode()
    assert partner_b.name in page and "IBAN change awaiting confirmation" in page
    execution = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(f"/payments/runs/{approved_run.pk}/payment-files/", {"execution_date": execution})
    payment_file = PaymentFile.objects.get()
    assert response["Location"] == f"/payments/payment-files/{payment_file.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert payment_file.message_id in page and partner_b.name in page
    assert not re.search(r"FR76\d{23}", page), "no full IBAN on the page"
    xml = client.get(f"/payments/payment-files/{payment_file.pk}/pain.001.xml")
    assert xml.status_code == 200 and xml["Content-Disposition"].endswith('.xml"')
    assert client.get(f"/commissions/settlements/{approved_run.pk}/").content.decode().count("/payments/runs/") == 1


def test_the_pages_speak_french(client, admin_a, approved_run, partner_a, settings):
    settings.LANGUAGE_CODE = "fr"
    login(client, admin_a)
    client.cookies["django_language"] = "fr"
    page = client.get("/payments/invoices/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Mes factures" in page
    page = client.get(f"/payments/partners/{partner_a.pk}/billing/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Coordonnées de facturation" in page
