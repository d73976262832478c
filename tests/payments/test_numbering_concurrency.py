"""Two approvals at once on PostgreSQL: their invoice numbers follow each other, without gap or
duplicate, because the year's sequence row is locked by the first approval's transaction until it
commits (SQLite serialises writers, so the race needs PostgreSQL)."""

import threading
import time
from datetime import date

import pytest
from django.db import connection, connections
from django.dispatch import receiver
from django.utils import timezone

from commissions import settlement
from commissions.models import SettlementRun
from commissions.signals import settlement_approved
from payments.models import Invoice, InvoiceSequence

from ..factories import PartnerFactory, UserFactory
from .helpers import computed, deal, details_for, percent_rule


def _blocked_on_the_sequence() -> bool:
    """True when another connection waits on a lock while writing the invoice sequence."""
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query ILIKE %s AND pid <> pg_backend_pid()",
            ["%payments_invoicesequence%"],
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("year_row_exists", [True, False], ids=["sequence row exists", "first issuing of the year"])
def test_two_approvals_at_once_number_one_after_the_other(year_row_exists):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    percent_rule("0.10")
    partners = [PartnerFactory(name=f"Partner {i}") for i in range(5)]
    for i, partner in enumerate(partners):
        details_for(partner)
        deal(partner, 1000 * (i + 1), date(2026, 7, 10))
        deal(partner, 500 * (i + 1), date(2026, 10, 10))
    q3, q4 = computed("2026-Q3"), computed("2026-Q4")
    year = timezone.localdate().year
    if year_row_exists:
        InvoiceSequence.objects.create(year=year, last_number=0)
    manager_a, manager_b = UserFactory(role="manager"), UserFactory(role="manager")
    first_holds, release = threading.Event(), threading.Event()
    errors = []

    @receiver(settlement_approved, dispatch_uid="test_hold_the_first_approval")
    def hold(sender, run, user, **kwargs):
        if run.pk == q3.pk:  # after payments' receiver numbered Q3's invoices, before the commit
            first_holds.set()
            assert release.wait(60), "the test never released the first approval"

    def approve(run, manager):
        try:
            settlement.settlement_approve(run=run, user=manager)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=approve, args=(q3, manager_a))
    second = threading.Thread(target=approve, args=(q4, manager_b))
    try:
        first.start()
        assert first_holds.wait(60), "the first approval never reached its invoices"
        second.start()
        deadline = time.monotonic() + 60
        while not _blocked_on_the_sequence():
            assert time.monotonic() < deadline, "the second approval never waited on the sequence"
            assert second.is_alive(), "the second approval finished while the first held the sequence"
            time.sleep(0.05)
        release.set()
        first.join(60)
        second.join(60)
    finally:
        release.set()
        settlement_approved.disconnect(dispatch_uid="test_hold_the_first_approval")
    assert not errors, errors
    assert set(SettlementRun.objects.values_list("status", flat=True)) == {"approved"}
    q3_numbers = sorted(Invoice.objects.filter(run=q3).values_list("sequence_number", flat=True))
    q4_numbers = sorted(Invoice.objects.filter(run=q4).values_list("sequence_number", flat=True))
    assert q3_numbers == [1, 2, 3, 4, 5]
    assert q4_numbers == [6, 7, 8, 9, 10]
    assert InvoiceSequence.objects.get(year=year).last_number == 10
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [f"AF-{year}-{n:06d}" for n in range(1, 11)]
