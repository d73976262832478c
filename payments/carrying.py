"""Negative totals carried into the partner's next run (SPEC §5.2).

A statement with a negative total gets a credit note: the partner owes the vendor its total, VAT
included. That debt is a :class:`~payments.models.CarryForward`, recorded with the credit note.
When the partner's next invoice or credit note is issued (its run's approval), the open debts of
earlier runs are applied to it: the payment of that run is the invoice's total plus the debts
(``payable``); what is still negative is carried again, pointing back to what it continues.

The debt is deducted from a payment, not written as a commission line of the next statement: the
credit note has already reversed those commissions (and their VAT) in the accounts, so a line that
lowered the next invoice's net would count the same euros twice.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from commissions.models import SettlementRun

from .models import CarryForward, Invoice

ZERO = Decimal("0")


def carry_forwards_settle(*, run: SettlementRun, invoices: list[Invoice]) -> list[CarryForward]:
    """Apply each invoiced partner's open debts of earlier runs to this run, and record what remains
    negative. Runs in the issuing transaction; the new carried amounts are returned."""
    partner_ids = [invoice.partner_id for invoice in invoices]
    open_debts = (
        CarryForward.objects.open()
        .filter(partner_id__in=partner_ids, from_run__period_start__lt=run.period_start)
        .order_by("partner_id", "created_at", "id")
    )
    debts: dict[int, list[CarryForward]] = {}
    for debt in open_debts:
        debts.setdefault(debt.partner_id, []).append(debt)
    CarryForward.objects.filter(pk__in=[d.pk for ds in debts.values() for d in ds]).update(applied_in_run=run)
    carried = []
    for invoice in invoices:
        earlier = debts.get(invoice.partner_id, [])
        remaining = invoice.gross + sum((d.amount for d in earlier), ZERO)
        if remaining < 0:
            carried.append(
                CarryForward(
                    partner_id=invoice.partner_id,
                    from_run=run,
                    credit_note=invoice if invoice.is_credit_note else None,
                    continues=earlier[-1] if earlier else None,
                    amount=remaining,
                )
            )
    return CarryForward.objects.bulk_create(carried, batch_size=2000)


def applied_in(run_id: int, partner_ids=None) -> dict[int, Decimal]:
    """Per partner, what earlier negative totals take off its payment in this run (0 or negative)."""
    rows = CarryForward.objects.filter(applied_in_run_id=run_id)
    if partner_ids is not None:
        rows = rows.filter(partner_id__in=partner_ids)
    return dict(rows.values("partner_id").annotate(total=Sum("amount")).values_list("partner_id", "total"))


def payable(invoice: Invoice, carried: Decimal = ZERO) -> Decimal:
    """What the vendor pays for ``invoice`` once earlier debts are deducted (0 when nothing is left)."""
    return max(invoice.gross + carried, ZERO)


def statement_expressions() -> dict:
    """Per statement, what is carried into its run for its partner, and its invoice's total (registered with
    :mod:`commissions.carried`, so that app's pages and API show them without importing this one)."""
    from django.db.models import DecimalField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    money = DecimalField(max_digits=14, decimal_places=2)
    carried = (
        CarryForward.objects.filter(applied_in_run=OuterRef("run"), partner=OuterRef("partner"))
        .order_by()
        .values("partner")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    gross = Invoice.objects.filter(statement=OuterRef("pk")).values("gross")[:1]
    return {
        "carried": Coalesce(Subquery(carried, output_field=money), Value(ZERO, output_field=money)),
        "invoice_gross": Subquery(gross, output_field=money),
    }
