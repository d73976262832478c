"""Payout lines as rows of the ledger table, in the one column order every writer uses."""

from decimal import Decimal

from .calculation import PayoutLine
from .line_parts import compact

#: The ledger's columns as the settlement writes them (``id`` is the database's).
LINE_COLUMNS = (
    "run_id", "attempt", "partner_id", "opportunity_id", "rule_id", "kind", "deal_period", "base_amount", "rate",
    "accelerator", "capped", "payout", "explanation_parts", "corrects_id",
)  # fmt: skip
LINE_COLUMN_LIST = ", ".join(LINE_COLUMNS)
PAYOUT = LINE_COLUMNS.index("payout") - 2  # in a row without run and attempt
PARTS = LINE_COLUMNS.index("explanation_parts") - 2


def line_row(
    line: PayoutLine,
    kind: str,
    deal_period: str,
    corrects_id: int | None,
    *,
    payout: Decimal | None = None,
    parts: dict | None = None,
) -> tuple:
    """A calculated line as a row of ``LINE_COLUMNS`` after run and attempt."""
    return (
        line.partner_id, line.deal_id, line.rule_id, kind, deal_period, line.base_amount, line.rate,
        line.accelerator, line.capped, line.payout if payout is None else payout,
        stored_parts(line) if parts is None else parts, corrects_id,
    )  # fmt: skip


def stored_parts(line: PayoutLine) -> dict:
    """The line's explanation parts as the ledger keeps them (:func:`.line_parts.compact`)."""
    return compact(line.parts, line.base_amount, line.rate, line.capped, line.payout)
