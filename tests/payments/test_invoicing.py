"""Self-billed invoices (SPEC §5.2): issued on approval, gap-free yearly numbers, VAT 20 % unless
exempt, credit notes for negative totals, never edited; and the negative totals carried forward."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.utils import timezone

from commissions.signals import settlement_approved
from opportunities.models import Opportunity
from payments.carrying import applied_in
from payments.invoicing import invoice_amounts, invoices_issue_for_partner, invoices_issue_for_run
from payments.models import CarryForward, ImmutableRecordError, Invoice, InvoiceKind, InvoiceSequence

from ..factories import PartnerFactory
from .helpers import approve, computed, deal, details_for, percent_rule, statement_of

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def number(n: int) -> str:
    return f"AF-{YEAR}-{n:06d}"


# --- Pure arithmetic ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("net", "exempt", "vat", "gross"),
    [
        ("100.00", False, "20.00", "120.00"),
        ("0.03", False, "0.01", "0.04"),  # 0.006 → 0.01, half-up
        ("0.02", False, "0.00", "0.02"),  # 0.004 → 0.00
        ("0.025", False, "0.01", "0.04"),  # the net is rounded first (0.03), then its VAT
        ("-0.03", False, "-0.01", "-0.04"),  # a credit note rounds the same way, on its sign
        ("1234.56", True, "0.00", "1234.56"),
        ("-50.00", True, "0.00", "-50.00"),
    ],
)
def test_invoice_amounts_round_half_up_per_line(net, exempt, vat, gross):
    amounts = invoice_amounts(D(net), exempt=exempt, rate=D("0.20"))
    assert (amounts.vat, amounts.gross) == (D(vat), D(gross))
    assert amounts.vat_rate == (D("0") if exempt else D("0.20"))
    assert amounts.gross == amounts.net + amounts.vat


# --- Issued on approval -------------------------------------------------------------------------------


@pytest.fixture
def three_partners():
    """A (VAT), B (exempt) and C (no billing details), each with a deal paid 10 % in 2026-Q3."""
    percent_rule("0.10")
    a, b, c = PartnerFactory(name="Alpha"), PartnerFactory(name="Bravo"), PartnerFactory(name="Charlie")
    details_for(a)
    details_for(b, exempt=True)
    for partner, amount in ((a, "10000.00"), (b, "5000.00"), (c, "2000.00")):
        deal(partner, amount, date(2026, 7, 15))
    return a, b, c


def test_approval_issues_one_invoice_per_statement_numbered_without_gap(three_partners):
    a, b, c = three_partners
    run = approve(computed("2026-Q3"))
    invoices = {i.partner_id: i for i in Invoice.objects.filter(run=run)}
    assert set(invoices) == {a.pk, b.pk}, "C has no billing details: its invoice waits"
    assert sorted(i.number for i in invoices.values()) == [number(1), number(2)]
    assert [i.sequence_number for i in Invoice.objects.order_by("sequence_number")] == [1, 2]
    alpha, bravo = invoices[a.pk], invoices[b.pk]
    assert (alpha.kind, alpha.net, alpha.vat_rate, alpha.vat, alpha.gross) == (
        InvoiceKind.INVOICE, D("1000.00"), D("0.2000"), D("200.00"), D("1200.00")
    )  # fmt: skip
    assert alpha.vat_exemption_mention == ""
    assert (bravo.net, bravo.vat, bravo.gross) == (D("500.00"), D("0.00"), D("500.00"))
    assert bravo.vat_exemption_mention == "TVA non applicable, art. 293 B du CGI"
    # The parties as they were on the day of issue.
    assert alpha.supplier_name == "Alpha SAS" and alpha.supplier_siren == a.siren
    assert alpha.supplier_vat_number.startswith("FR") and alpha.customer_vat_number.startswith("FR")
    assert alpha.statement == statement_of(run, a) and alpha.period == "2026-Q3"
    assert alpha.issued_on == timezone.localdate(run.approved_at)
    assert InvoiceSequence.objects.get(year=YEAR).last_number == 2


def test_issuing_again_issues_nothing_new(three_partners):
    run = approve(computed("2026-Q3"))
    before = list(Invoice.objects.values_list("pk", "number"))
    result = invoices_issue_for_run(run=run)
    assert result.issued == [] and [name for _, name in result.waiting] == ["Charlie"]
    assert list(Invoice.objects.values_list("pk", "number")) == before
    assert InvoiceSequence.objects.get(year=YEAR).last_number == 2


def test_a_run_not_approved_issues_nothing(three_partners):
    run = computed("2026-Q3")
    with pytest.raises(Exception, match="approved runs only"):
        invoices_issue_for_run(run=run)
    assert not Invoice.objects.exists()


def test_first_billing_details_issue_the_invoices_that_waited(three_partners, channel_user):
    from payments.billing import billing_details_save

    _, _, c = three_partners
    approve(computed("2026-Q3"))
    assert not Invoice.objects.filter(partner=c).exists()
    billing_details_save(
        partner=c, user=channel_user, legal_name="Charlie SARL", address_line="1 rue A", postal_code="69001",
        city="Lyon", country="FR", vat_number=f"FR{(12 + 3 * (int(c.siren) % 97)) % 97:02d}{c.siren}",
        vat_exempt=False, vat_exemption_mention="", iban="FR76 3000 6000 0112 3456 7890 189", bic="AGRIFRPP",
        address_line_2="",
    )  # fmt: skip
    invoice = Invoice.objects.get(partner=c)
    assert invoice.number == number(3) and invoice.net == D("200.00") and invoice.supplier_name == "Charlie SARL"
    assert invoices_issue_for_partner(partner=c).issued == []


def test_a_rolled_back_approval_leaves_no_gap(three_partners):
    """Numbers are taken in the approval's transaction: if the approval fails after issuing, the
    numbers come back and the next approval starts where the sequence was."""
    run = computed("2026-Q3")

    @receiver(settlement_approved, dispatch_uid="test_fails_after_issuing")
    def fail_after_issuing(sender, run, user, **kwargs):
        assert Invoice.objects.filter(run=run).count() == 2  # issued by payments' receiver, just before
        raise RuntimeError("the approval fails after the invoices were numbered")

    try:
        with pytest.raises(RuntimeError):
            approve(run)
    finally:
        settlement_approved.disconnect(dispatch_uid="test_fails_after_issuing")
    run.refresh_from_db()
    assert run.status == "computed"
    assert not Invoice.objects.exists()
    assert not InvoiceSequence.objects.filter(year=YEAR, last_number__gt=0).exists()
    approve(run)
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [number(1), number(2)]


# --- Never edited ----------------------------------------------------------------------------------------


def test_an_issued_invoice_is_never_edited(three_partners):
    approve(computed("2026-Q3"))
    invoice = Invoice.objects.order_by("sequence_number").first()
    invoice.net = D("1.00")
    with pytest.raises(ImmutableRecordError):
        invoice.save()
    with pytest.raises(ImmutableRecordError):
        invoice.delete()
    # The database refuses too (a trigger), whatever path the change takes.
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(supplier_name="Changed")
    assert Invoice.objects.get(pk=invoice.pk).supplier_name == "Alpha SAS"


# --- Credit notes and the negative totals carried forward ----------------------------------------------


def test_a_negative_total_gives_a_credit_note_in_the_same_sequence_and_is_deducted_next_time():
    percent_rule("0.10")
    partner = PartnerFactory(name="Delta")
    details_for(partner)
    sold = deal(partner, "10000.00", date(2026, 7, 10))
    deal(partner, "3000.00", date(2026, 7, 20))
    q3 = approve(computed("2026-Q3"))  # 1300.00 → invoice, 1560.00 with VAT
    Opportunity.objects.filter(pk=sold.pk).update(stage="lost")
    q4 = approve(computed("2026-Q4"))  # clawback of 1000.00, nothing new: a credit note
    credit = Invoice.objects.get(run=q4)
    assert credit.kind == InvoiceKind.CREDIT_NOTE and credit.number == number(2)
    assert (credit.net, credit.vat, credit.gross) == (D("-1000.00"), D("-200.00"), D("-1200.00"))
    assert credit.corrects_numbers == Invoice.objects.get(run=q3).number
    debt = CarryForward.objects.get()
    assert (debt.partner, debt.from_run, debt.credit_note, debt.amount) == (partner, q4, credit, D("-1200.00"))
    assert debt.applied_in_run is None

    deal(partner, "5000.00", date(2027, 1, 10))
    q1 = approve(computed("2027-Q1"))  # 500.00 → 600.00 with VAT, less the 1200.00 owed
    invoice = Invoice.objects.get(run=q1)
    assert (invoice.kind, invoice.gross, invoice.number) == (InvoiceKind.INVOICE, D("600.00"), number(3))
    debt.refresh_from_db()
    assert debt.applied_in_run == q1
    assert applied_in(q1.pk) == {partner.pk: D("-1200.00")}
    rest = CarryForward.objects.get(from_run=q1)
    assert (rest.amount, rest.continues, rest.credit_note) == (D("-600.00"), debt, None)

    deal(partner, "10000.00", date(2027, 4, 10))
    q2 = approve(computed("2027-Q2"))  # 1000.00 → 1200.00, less the 600.00 still owed
    assert applied_in(q2.pk) == {partner.pk: D("-600.00")}
    assert not CarryForward.objects.open().exists()
    assert not CarryForward.objects.filter(from_run=q2).exists()


def test_a_carried_amount_is_never_edited():
    percent_rule("0.10")
    partner = PartnerFactory()
    details_for(partner)
    sold = deal(partner, "1000.00", date(2026, 7, 10))
    approve(computed("2026-Q3"))
    Opportunity.objects.filter(pk=sold.pk).update(stage="lost")
    approve(computed("2026-Q4"))
    debt = CarryForward.objects.get()
    debt.amount = D("-1.00")
    with pytest.raises(ImmutableRecordError):
        debt.save()
