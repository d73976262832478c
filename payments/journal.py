"""The accounting journal of a run (SPEC §5.2): the entries of its invoices and credit notes.

An invoice debits the commissions expense (net) and the deductible VAT, and credits the partner's
supplier account (total); a credit note does the reverse. Each invoice's entries balance. The CSV is
the data format (``date,account,debit,credit,partner_siren,partner,invoice,label``, amounts as
decimal strings); the ``.xlsx`` is for people (labels in the reader's language, typed cells, a
total row).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from commissions.models import SettlementRun
from ecosystem.csvio import iter_csv_lines
from ecosystem.periods import period_label
from ecosystem.xlsx import Column, workbook_bytes

from .models import Invoice

#: French chart of accounts (PCG): commissions, deductible VAT on services, suppliers.
COMMISSIONS_ACCOUNT = "622"
DEDUCTIBLE_VAT_ACCOUNT = "44566"
SUPPLIERS_ACCOUNT = "401"

JOURNAL_COLUMNS = ["date", "account", "debit", "credit", "partner_siren", "partner", "invoice", "label"]
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Entry:
    date: date
    account: str
    debit: Decimal
    credit: Decimal
    partner_siren: str
    partner: str
    invoice: str
    label: str

    def as_row(self) -> list:
        return [self.date, self.account, self.debit, self.credit, self.partner_siren, self.partner, self.invoice,
                self.label]  # fmt: skip


def invoice_entries(invoice: Invoice) -> list[Entry]:
    """The balanced entries of one invoice or credit note (amounts positive, on the debit or credit side)."""
    if invoice.is_credit_note:
        label = _("Credit note %(number)s, commissions %(period)s") % {
            "number": invoice.number,
            "period": invoice.period,
        }
    else:
        label = _("Invoice %(number)s, commissions %(period)s") % {"number": invoice.number, "period": invoice.period}

    def entry(account: str, amount: Decimal, *, debit: bool) -> Entry:
        # A credit note's amounts are negative: the same entry on the other side.
        side_debit = debit if amount >= 0 else not debit
        value = abs(amount)
        return Entry(
            invoice.issued_on, account, value if side_debit else ZERO, ZERO if side_debit else value,
            invoice.supplier_siren, invoice.supplier_name, invoice.number, label,
        )  # fmt: skip

    entries = [entry(COMMISSIONS_ACCOUNT, invoice.net, debit=True)]
    if invoice.vat:
        entries.append(entry(DEDUCTIBLE_VAT_ACCOUNT, invoice.vat, debit=True))
    entries.append(entry(SUPPLIERS_ACCOUNT, invoice.gross, debit=False))
    return entries


def run_invoices(run: SettlementRun):
    return Invoice.objects.filter(run=run).order_by("year", "sequence_number")


def run_entries(run: SettlementRun) -> Iterator[Entry]:
    for invoice in run_invoices(run).iterator(2000):
        yield from invoice_entries(invoice)


def journal_csv(run: SettlementRun) -> Iterator[str]:
    rows: Iterable[list] = ([e.date.isoformat(), *e.as_row()[1:]] for e in run_entries(run))
    return iter_csv_lines(JOURNAL_COLUMNS, rows)


def journal_xlsx(run: SettlementRun) -> bytes:
    columns = [
        Column(_("Date"), "date"),
        Column(_("Account"), width=10),
        Column(_("Debit (€)"), "money", total=True),
        Column(_("Credit (€)"), "money", total=True),
        Column(_("SIREN"), width=12),
        Column(_("Partner")),
        Column(_("Invoice"), width=18),
        Column(_("Label"), width=40),
    ]
    rows = (entry.as_row() for entry in run_entries(run))
    return workbook_bytes(columns, rows, title=_("Journal %(period)s") % {"period": period_label(run.period)})


def journal_filename(run: SettlementRun, extension: str) -> str:
    return f"journal-{run.period}.{extension}"
