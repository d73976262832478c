"""What people download: statement and invoice PDFs in the reader's language, and the accounting
journal (CSV data format and .xlsx with typed cells and a total row), balanced per invoice."""

import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from openpyxl import load_workbook

from ecosystem.periods import name_periods
from opportunities.models import Opportunity
from payments import documents, journal
from payments.models import BillingDetails, Invoice, InvoiceKind

from ..factories import PartnerFactory
from .helpers import approve, computed, deal, details_for, percent_rule, statement_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs():
    """Alpha: invoices in Q3 and Q4; Bravo (exempt): an invoice in Q3, a credit note in Q4."""
    percent_rule("0.10")
    alpha, bravo = PartnerFactory(name="Alpha"), PartnerFactory(name="Bravo")
    details_for(alpha)
    details_for(bravo, exempt=True)
    deal(alpha, "12345.60", date(2026, 7, 10))
    lost = deal(bravo, "8000.00", date(2026, 7, 12))
    q3 = approve(computed("2026-Q3"))
    Opportunity.objects.filter(pk=lost.pk).update(stage="lost")
    deal(alpha, "1000.00", date(2026, 10, 10))
    q4 = approve(computed("2026-Q4"))
    return {"alpha": alpha, "bravo": bravo, "q3": q3, "q4": q4}


def _html(template, context, language):
    with translation.override(language):
        return render_to_string(template, context)


def test_statement_in_the_readers_language_with_lines_adjustments_total_and_status(runs):
    statement = statement_of(runs["q4"], runs["bravo"])
    context = documents.statement_context(statement)
    assert context["status"] == "approved"
    assert context["adjustment_lines"] and not context["commission_lines"]
    french = _html("payments/pdf/statement.html", context, "fr")
    english = _html("payments/pdf/statement.html", context, "en")
    assert "Approuvé" in french and "Approved" in english
    assert "−800,00" in french or "-800,00" in french, "amounts in the French format"
    assert "-800.00" in english
    assert "Ajustements" in french and "Adjustments to earlier periods" in english
    line = context["adjustment_lines"][0]
    with translation.override("en"):
        shown = name_periods(line.explanation)  # its period codes named: "Clawback for Q3 2026"
    assert escape(shown) in english and "Q3 2026" in shown, "every line shows its explanation"
    invoice = Invoice.objects.get(statement=statement)
    assert invoice.kind == InvoiceKind.CREDIT_NOTE and invoice.number in english


def test_a_preliminary_statement_says_so(runs):
    deal(runs["alpha"], "5000.00", date(2027, 1, 10))
    statement = statement_of(computed("2027-Q1"), runs["alpha"])
    context = documents.statement_context(statement)
    assert context["status"] == "preliminary" and context["invoice"] is None
    assert "Preliminary figures" in _html("payments/pdf/statement.html", context, "en")
    assert "Provisoire" in _html("payments/pdf/statement.html", context, "fr")


def test_statement_and_invoice_render_to_pdf(runs):
    statement = statement_of(runs["q3"], runs["alpha"])
    pdf = documents.statement_pdf(statement)
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF") and len(pdf) > 5000
    invoice = Invoice.objects.get(statement=statement)
    assert documents.invoice_pdf(invoice).startswith(b"%PDF")
    assert documents.invoice_pdf_filename(invoice) == f"{invoice.number}.pdf"


def test_the_invoice_carries_the_mentions_of_a_self_billed_invoice(runs, settings):
    invoice = Invoice.objects.get(run=runs["q3"], partner=runs["alpha"])
    french = _html("payments/pdf/invoice.html", documents.invoice_context(invoice), "fr")
    details = BillingDetails.objects.get(partner=runs["alpha"])
    for mention in (
        "Autofacturation",
        invoice.number,
        details.legal_name,
        details.address_line,
        runs["alpha"].siren,
        details.vat_number,
        settings.VENDOR_LEGAL_NAME,
        settings.VENDOR_SIREN,
        settings.VENDOR_VAT_NUMBER,
        "T3 2026",  # the period as people say it
        "1 234,56",  # net
        "20 %",
        "246,91",  # VAT, half-up
        "1 481,47",  # total
        "40 €",  # recovery compensation (Code de commerce)
    ):
        shown = {mention, mention.replace(" ", "\u202f"), mention.replace(" ", "\xa0")}
        assert any(form in french for form in shown), mention
    exempt = Invoice.objects.get(run=runs["q3"], partner=runs["bravo"])
    text = _html("payments/pdf/invoice.html", documents.invoice_context(exempt), "en")
    assert "TVA non applicable, art. 293 B du CGI" in text and "Self-billing" in text
    credit = Invoice.objects.get(run=runs["q4"], partner=runs["bravo"])
    text = _html("payments/pdf/invoice.html", documents.invoice_context(credit), "en")
    assert "Credit note" in text and exempt.number in text, "a credit note names the invoice it corrects"


def test_the_journal_balances_per_invoice(runs):
    entries = list(journal.run_entries(runs["q4"]))
    by_invoice = {}
    for entry in entries:
        by_invoice.setdefault(entry.invoice, []).append(entry)
    assert len(by_invoice) == 2
    for lines in by_invoice.values():
        assert sum(e.debit for e in lines) == sum(e.credit for e in lines)
    credit_note = Invoice.objects.get(run=runs["q4"], kind=InvoiceKind.CREDIT_NOTE)
    lines = {(e.account, e.debit, e.credit) for e in by_invoice[credit_note.number]}
    assert lines == {("622", D("0.00"), D("800.00")), ("401", D("800.00"), D("0.00"))}, "exempt: no VAT line"
    invoice = Invoice.objects.get(run=runs["q4"], kind=InvoiceKind.INVOICE)
    lines = {(e.account, e.debit, e.credit) for e in by_invoice[invoice.number]}
    assert lines == {("622", D("100.00"), D("0.00")), ("44566", D("20.00"), D("0.00")), ("401", D("0.00"), D("120.00"))}


def test_the_journal_csv_is_the_data_format(runs):
    text = "".join(journal.journal_csv(runs["q3"]))
    rows = text.splitlines()
    assert rows[0] == "date,account,debit,credit,partner_siren,partner,invoice,label"
    alpha = Invoice.objects.get(run=runs["q3"], partner=runs["alpha"])
    assert f"{alpha.issued_on.isoformat()},622,1234.56,0.00,{runs['alpha'].siren},Alpha SAS,{alpha.number}," in text
    assert len(rows) == 1 + 3 + 2  # Alpha: 622, 44566, 401; Bravo (exempt): 622, 401


def test_the_journal_spreadsheet_has_typed_cells_and_a_total_row(runs):
    with translation.override("fr"):
        content = journal.journal_xlsx(runs["q3"])
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Date", "Compte", "Débit (€)", "Crédit (€)")
    first = rows[1]
    assert isinstance(first[0], date) and isinstance(first[2], int | float) and first[1] == "622"
    total = rows[-1]
    assert total[0] == "Total" and total[2] == total[3] == pytest.approx(1234.56 * 1.2 + 800)
    assert sheet.cell(row=2, column=3).number_format == "#,##0.00"


def test_a_name_that_looks_like_a_formula_is_neutralised(runs):
    partner = PartnerFactory(name="Formula")
    details_for(partner)
    BillingDetails.objects.filter(partner=partner).update(legal_name="=HYPERLINK(1)")
    deal(partner, "1000.00", date(2027, 1, 10))
    q1 = approve(computed("2027-Q1"))
    assert ",'=HYPERLINK(1)," in "".join(journal.journal_csv(q1))
    sheet = load_workbook(io.BytesIO(journal.journal_xlsx(q1))).active
    assert "'=HYPERLINK(1)" in [row[5] for row in sheet.iter_rows(values_only=True)]
