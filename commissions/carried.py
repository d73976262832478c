"""What a statement's payment is once earlier negative totals are deducted, told by the payments app.

A partner whose earlier run ended negative owes that amount (its credit note, VAT included); the
payments app deducts it from the partner's next payment (:mod:`payments.carrying`). Its statements
show it beside the total: "carried from earlier runs" and "to be paid". This app sits below payments
and never imports it: ``PaymentsConfig.ready`` registers the two query expressions (per statement:
the amounts carried into its run for its partner, and its invoice's total), and the statement pages,
the earnings and the API annotate their querysets with them — one query for a whole list.
"""

from collections.abc import Callable
from decimal import Decimal

from django.db.models import DecimalField, QuerySet, Value

ZERO = Decimal("0")

#: ``() → {"carried": expression, "invoice_gross": expression}`` over a Statement queryset.
_expressions: Callable[[], dict] | None = None


def register(expressions: Callable[[], dict]) -> None:
    global _expressions
    _expressions = expressions


def with_carried(queryset: QuerySet) -> QuerySet:
    """The statements with ``carried`` (0 or negative) and ``invoice_gross`` (None: no invoice yet)."""
    if _expressions is None:  # payments not installed: nothing is carried, nothing invoiced
        money = DecimalField(max_digits=14, decimal_places=2)
        return queryset.annotate(carried=Value(ZERO, output_field=money), invoice_gross=Value(None, output_field=money))
    return queryset.annotate(**_expressions())


def to_be_paid(statement) -> Decimal | None:
    """What the partner is paid for this statement: its invoice's total (VAT included) less what is carried
    from earlier runs, never below zero; None while no invoice is issued (preliminary, no billing details)."""
    gross = getattr(statement, "invoice_gross", None)
    if gross is None:
        return None
    return max(gross + (getattr(statement, "carried", None) or ZERO), ZERO)
