"""SEPA payment files (pain.001.001.03) of an approved run: one transfer per partner with something to
pay, the invoice number as remittance, held partners left out and listed, valid against the official
XSD (the one the sepaxml package ships), and no invoice ever paid by two files."""

from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import sepaxml
import xmlschema
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from opportunities.models import Opportunity
from payments.billing import billing_details_confirm_iban
from payments.models import HoldReason, Invoice, PaymentFile, PaymentTransfer
from payments.payment_files import payment_file_create, payment_file_xml, payment_plan
from payments.sepa import Debtor, Transfer, credit_transfer_xml, sepa_text

from ..factories import PartnerFactory, UserFactory
from .helpers import approve, computed, deal, details_for, percent_rule

pytestmark = pytest.mark.django_db

XSD = xmlschema.XMLSchema(str(Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"))
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
NEXT_WEEK = timezone.localdate() + timedelta(days=7)


def parse(xml: bytes):
    XSD.validate(xml.decode())  # raises with the first violation of the schema
    return ET.fromstring(xml)


@pytest.fixture
def run_with_every_case(channel_user):
    """Approved 2026-Q4: Alpha and Écho paid; Bravo's new IBAN unconfirmed; Charlie without details;
    Delta owes more (a Q3 overpayment clawed back in Q4... then carried) than its Q4 invoice."""
    percent_rule("0.10")
    alpha, bravo = PartnerFactory(name="Alpha Intégration"), PartnerFactory(name="Bravo")
    charlie, delta, echo = PartnerFactory(name="Charlie"), PartnerFactory(name="Delta"), PartnerFactory(name="Écho")
    details_for(alpha)
    details_for(bravo, confirmed=False, entered_by=UserFactory(role="partner_admin", partner=bravo))
    details_for(delta)
    details_for(echo, exempt=True)
    lost = deal(delta, "20000.00", date(2026, 7, 10))
    approve(computed("2026-Q3"))  # Delta: 2000.00 invoiced
    Opportunity.objects.filter(pk=lost.pk).update(stage="lost")
    deal(delta, "1000.00", date(2026, 8, 1))  # a late Q3 win: adjusted in Q4
    for partner, amount in ((alpha, "10000.00"), (bravo, "5000.00"), (charlie, "2000.00"), (echo, "3000.00")):
        deal(partner, amount, date(2026, 10, 15))
    q4 = approve(computed("2026-Q4"))  # Delta: -2000.00 + 100.00 = -1900.00 → credit note
    deal(delta, "1000.00", date(2027, 1, 15))
    for partner in (alpha, echo):
        deal(partner, "1000.00", date(2027, 1, 15))
    q1 = approve(computed("2027-Q1"))  # Delta: 100.00 → 120.00, less the 2280.00 owed: nothing to pay
    return {"q4": q4, "q1": q1, "alpha": alpha, "bravo": bravo, "charlie": charlie, "delta": delta, "echo": echo}


def test_the_plan_pays_some_and_lists_the_others_with_the_reason(run_with_every_case):
    w = run_with_every_case
    plan = payment_plan(w["q4"])
    assert {p.partner_id: p.amount for p in plan.transfers} == {
        w["alpha"].pk: D("1200.00"),
        w["echo"].pk: D("300.00"),
    }
    held = {h.partner_id: (h.reason, h.amount) for h in plan.held}
    assert held == {
        w["bravo"].pk: (HoldReason.IBAN_UNCONFIRMED, D("600.00")),
        w["charlie"].pk: (HoldReason.NO_DETAILS, D("200.00")),
    }, "Delta has a credit note, nothing to pay, and is not listed as held"
    q1 = payment_plan(w["q1"])
    assert {h.partner_id: h.reason for h in q1.held} == {w["delta"].pk: HoldReason.NOTHING_TO_PAY}
    assert {p.partner_id for p in q1.transfers} == {w["alpha"].pk, w["echo"].pk}


def test_the_file_is_valid_pain_001_001_03_with_one_transfer_per_partner(run_with_every_case, channel_user, settings):
    w = run_with_every_case
    payment_file = payment_file_create(run=w["q4"], user=channel_user, execution_date=NEXT_WEEK)
    assert (payment_file.transfer_count, payment_file.total) == (2, D("1500.00"))
    assert {(h["name"], h["reason"]) for h in payment_file.held} == {
        ("Bravo", "iban_unconfirmed"),
        ("Charlie", "no_details"),
    }
    xml = payment_file_xml(payment_file)
    document = parse(xml)
    assert document.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "2"
    assert document.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "1500.00"
    info = document.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    assert info.findtext("p:ReqdExctnDt", namespaces=NS) == NEXT_WEEK.isoformat()
    assert info.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == settings.VENDOR_IBAN
    transfers = {
        t.findtext("p:RmtInf/p:Ustrd", namespaces=NS): (
            t.findtext("p:Cdtr/p:Nm", namespaces=NS),
            t.findtext("p:Amt/p:InstdAmt", namespaces=NS),
            t.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS),
            t.findtext("p:PmtId/p:EndToEndId", namespaces=NS),
        )
        for t in info.findall("p:CdtTrfTxInf", NS)
    }
    alpha_invoice = Invoice.objects.get(run=w["q4"], partner=w["alpha"])
    echo_invoice = Invoice.objects.get(run=w["q4"], partner=w["echo"])
    assert transfers == {
        alpha_invoice.number: (
            "Alpha Integration SAS",  # the SEPA character set: no accents
            "1200.00",
            w["alpha"].billing_details.iban,
            alpha_invoice.number,
        ),
        echo_invoice.number: ("Echo SAS", "300.00", w["echo"].billing_details.iban, echo_invoice.number),
    }
    assert payment_file_xml(payment_file) == xml, "a file downloaded twice is the same file"


def test_an_invoice_is_paid_by_one_file_only(run_with_every_case, channel_user):
    w = run_with_every_case
    payment_file_create(run=w["q4"], user=channel_user, execution_date=NEXT_WEEK)
    with pytest.raises(ValidationError, match="Nothing to pay"):
        payment_file_create(run=w["q4"], user=channel_user, execution_date=NEXT_WEEK)
    billing_details_confirm_iban(details=w["bravo"].billing_details, user=channel_user)
    second = payment_file_create(run=w["q4"], user=channel_user, execution_date=NEXT_WEEK)
    assert [t.partner_id for t in second.transfers.all()] == [w["bravo"].pk]
    assert {h["reason"] for h in second.held} == {"no_details"}
    parse(payment_file_xml(second))
    assert PaymentTransfer.objects.filter(invoice__run=w["q4"]).count() == 3


def test_a_transfer_deducts_what_an_earlier_negative_total_left(channel_user):
    percent_rule("0.10")
    partner = PartnerFactory(name="Foxtrot")
    details_for(partner)
    lost = deal(partner, "10000.00", date(2026, 7, 10))
    approve(computed("2026-Q3"))
    Opportunity.objects.filter(pk=lost.pk).update(stage="lost")
    approve(computed("2026-Q4"))  # credit note: -1200.00 with VAT
    deal(partner, "50000.00", date(2027, 1, 10))
    q1 = approve(computed("2027-Q1"))  # 5000.00 → 6000.00, less 1200.00
    payment_file = payment_file_create(run=q1, user=channel_user, execution_date=NEXT_WEEK)
    transfer = payment_file.transfers.get()
    assert (transfer.amount, transfer.carried) == (D("4800.00"), D("-1200.00"))
    parse(payment_file_xml(payment_file))


def test_who_and_when(run_with_every_case, channel_user, manager_user):
    w = run_with_every_case
    with pytest.raises(PermissionDenied):
        payment_file_create(run=w["q4"], user=manager_user, execution_date=NEXT_WEEK)
    with pytest.raises(ValidationError, match="past"):
        payment_file_create(run=w["q4"], user=channel_user, execution_date=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError, match="more than a year"):
        payment_file_create(run=w["q4"], user=channel_user, execution_date=timezone.localdate() + timedelta(days=400))
    preliminary = computed("2027-Q2")
    with pytest.raises(ValidationError, match="approved runs"):
        payment_file_create(run=preliminary, user=channel_user, execution_date=NEXT_WEEK)
    assert not PaymentFile.objects.exists()


def test_sepa_text_keeps_to_the_sepa_character_set():
    assert sepa_text("Société Générale & Fils — Ærø", 70) == "Societe Generale Fils r"
    assert sepa_text("x" * 100, 70) == "x" * 70
    assert sepa_text("€€€", 70) == "-"


def test_the_builder_alone_gives_a_valid_document():
    xml = credit_transfer_xml(
        message_id="MSG-1",
        created_at=timezone.now(),
        execution_date=date(2030, 1, 2),
        debtor=Debtor("Vendeur", "FR7630006000011234567890189", "AGRIFRPP"),
        transfers=[
            Transfer("AF-2030-000001", D("0.01"), "Un", "DE89370400440532013000", "", "AF-2030-000001"),
            Transfer("AF-2030-000002", D("123456.78"), "Deux", "FR7630006000011234567890189", "AGRIFRPPXXX", "AF"),
        ],
    )
    document = parse(xml)
    assert document.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "123456.79"
    with pytest.raises(ValueError):
        credit_transfer_xml(
            message_id="M", created_at=timezone.now(), execution_date=date(2030, 1, 2),
            debtor=Debtor("V", "FR7630006000011234567890189", "AGRIFRPP"), transfers=[],
        )  # fmt: skip
