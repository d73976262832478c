"""Statements and their lines as the partner reads them, and their CSV export (SPEC §6) with its .xlsx sibling.

A statement's lines are the run's lines of the statement's attempt for its partner (a run
being recomputed holds a newer attempt's lines beside them until it commits). The CSV has
the columns ``partner_siren,partner,period,opportunity,account,product_line,amount,rule,
calculation,payout``; amounts are decimal strings with two decimals, and text that a
spreadsheet would run as a formula is neutralised. The .xlsx holds the same rows for people: headers and
product lines in the reader's language, amounts as numbers, a total row of the payouts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import F, Prefetch, QuerySet
from django.utils.translation import gettext as _

from ecosystem.choices import ProductLine
from ecosystem.csvio import iter_csv_lines
from ecosystem.xlsx import Column, workbook_bytes

from .calculation import to_cent
from .models import Dispute, DisputeStatus, PayoutLine, RunStatus, SettlementRun, Statement

STATEMENT_COLUMNS = [
    "partner_siren", "partner", "period", "opportunity", "account", "product_line", "amount", "rule",
    "calculation", "payout",
]  # fmt: skip


def statement_lines(statement: Statement) -> QuerySet:
    """The statement's lines with what they show (deal, account, rule), in deal order."""
    return (
        PayoutLine.objects.filter(run_id=statement.run_id, attempt=statement.attempt, partner_id=statement.partner_id)
        .select_related("opportunity__account", "rule")
        .order_by("opportunity_id", "rule_id", "id")
    )


def with_open_disputes(lines: QuerySet) -> QuerySet:
    """Prefetch each line's unresolved dispute (at most one) into ``line.open_disputes``."""
    return lines.prefetch_related(
        Prefetch(
            "disputes",
            queryset=Dispute.objects.exclude(status=DisputeStatus.RESOLVED).only("id", "status", "line_id"),
            to_attr="open_disputes",
        )
    )


def run_lines(run: SettlementRun) -> QuerySet:
    """Every current line of a run, partner by partner (the finance export)."""
    return (
        PayoutLine.objects.filter(run=run, attempt=F("run__committed_attempt"))
        .select_related("partner", "opportunity__account", "rule")
        .order_by("partner_id", "opportunity_id", "rule_id", "id")
    )


def money(value: Decimal | None) -> Decimal | None:
    """Two decimals, half-up; a Decimal so that a negative amount stays a number in the CSV."""
    return None if value is None else to_cent(value)


def csv_row(line: PayoutLine, period: str, partner, *, statement: bool = True) -> list:
    """One line in the CSV. In a partner's statement, a deal since moved to another partner shows its id only
    (``PayoutLine.shown_deal``); the finance export of a whole run (``statement=False``) shows the deal as it is."""
    opportunity = line.shown_deal if statement else line.opportunity
    return [
        partner.siren,
        partner.name,
        period,
        line.opportunity_id,
        opportunity.account.name if opportunity else "",
        opportunity.product_line if opportunity else "",
        money(line.base_amount),
        line.rule.name if line.rule_id else "",
        line.explanation,
        money(line.payout),
    ]


def statement_csv(statement: Statement) -> Iterator[str]:
    """The statement as CSV text, line by line (for a streaming response)."""
    period, partner = statement.run.period, statement.partner
    return iter_csv_lines(STATEMENT_COLUMNS, (csv_row(line, period, partner) for line in statement_lines(statement)))


def run_csv(run: SettlementRun) -> Iterator[str]:
    """A whole run in the statement format, every partner (finance)."""
    rows: Iterable[list] = (
        csv_row(line, run.period, line.partner, statement=False) for line in run_lines(run).iterator(2000)
    )
    return iter_csv_lines(STATEMENT_COLUMNS, rows)


def xlsx_columns() -> list[Column]:
    """``STATEMENT_COLUMNS`` for people, in the reader's language; the payouts are totalled (the base amounts
    are not: a deal paid by a base and a bonus rule has two lines with the same base amount)."""
    return [
        Column(_("Partner's SIREN"), width=12),
        Column(_("Partner")),
        Column(_("Period"), width=10),
        Column(_("Deal"), "integer", width=10),
        Column(_("Account"), width=32),
        Column(_("Product line"), labels=dict(ProductLine.choices), width=30),
        Column(_("Deal amount (€)"), "money"),
        Column(_("Rule"), width=28),
        Column(_("Calculation"), width=60),
        Column(_("Payout (€)"), "money", total=True),
    ]


def statement_xlsx(statement: Statement) -> bytes:
    """The rows of :func:`statement_csv` as a spreadsheet."""
    period, partner = statement.run.period, statement.partner
    rows = (csv_row(line, period, partner) for line in statement_lines(statement).iterator(2000))
    return workbook_bytes(xlsx_columns(), rows, title=_("Statement %(period)s") % {"period": period})


def run_xlsx(run: SettlementRun) -> bytes:
    """The rows of :func:`run_csv` as a spreadsheet (finance)."""
    rows = (csv_row(line, run.period, line.partner, statement=False) for line in run_lines(run).iterator(2000))
    return workbook_bytes(xlsx_columns(), rows, title=_("Settlement %(period)s") % {"period": run.period})


def statement_filename(statement: Statement, extension: str = "csv") -> str:
    """``statement-2026-Q3-552100554.csv``; ``…-preliminary.csv`` while its run is not approved."""
    suffix = "-preliminary" if statement.run.status == RunStatus.COMPUTED else ""
    return f"statement-{statement.run.period}-{statement.partner.siren}{suffix}.{extension}"
