"""Two "executed" recorded at once for one payment file (a double click, two people) on PostgreSQL: the
file's row is locked by the first, so the second waits, then finds the file executed and is refused;
every statement is paid once (SQLite serialises writers, so the race needs PostgreSQL)."""

import threading
import time
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from audit.models import AuditEvent
from commissions.models import RunStatus, SettlementRun, Statement
from payments import releasing
from payments.models import PaymentFile, PaymentFileStatus
from payments.payment_files import payment_file_create

from ..factories import PartnerFactory, UserFactory
from .helpers import approve, computed, deal, details_for, percent_rule


def _waiting_on_a_lock() -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query ILIKE %s AND pid <> pg_backend_pid()",
            ["%payments_paymentfile%"],
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_two_executions_at_once_pay_once(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    percent_rule("0.10")
    for i in range(3):
        partner = PartnerFactory(name=f"Partner {i}")
        details_for(partner)
        deal(partner, 1000 * (i + 1), date(2026, 7, 10))
    run = approve(computed("2026-Q3"))
    maker, releaser = UserFactory(role="channel"), UserFactory(role="channel")
    payment_file = payment_file_create(run=run, user=maker, execution_date=timezone.localdate() + timedelta(days=3))
    releasing.payment_file_release(payment_file=payment_file, user=releaser)

    first_holds, go_on = threading.Event(), threading.Event()
    real_mark_paid = releasing.paying.statements_mark_paid

    def held_mark_paid(**kwargs):
        if threading.current_thread().name == "first":
            first_holds.set()  # the file's row is locked: hold the transaction open
            assert go_on.wait(60), "the test never let the first execution go on"
        return real_mark_paid(**kwargs)

    monkeypatch.setattr(releasing.paying, "statements_mark_paid", held_mark_paid)
    outcomes: dict[str, object] = {}

    def execute(name, user):
        try:
            outcomes[name] = releasing.payment_file_execute(
                payment_file=payment_file, user=user, executed_on=timezone.localdate(), bank_reference=name
            )
        except Exception as error:
            outcomes[name] = error
        finally:
            connection.close()

    first = threading.Thread(target=execute, args=("first", maker), name="first")
    second = threading.Thread(target=execute, args=("second", releaser), name="second")
    try:
        first.start()
        assert first_holds.wait(60), "the first execution never reached the statements"
        second.start()
        deadline = time.monotonic() + 60
        while not _waiting_on_a_lock():
            assert time.monotonic() < deadline, "the second execution never waited on the file's row"
            assert second.is_alive(), "the second execution finished while the first held the file"
            time.sleep(0.05)
        go_on.set()
        first.join(60)
        second.join(60)
    finally:
        go_on.set()

    assert isinstance(outcomes["first"], PaymentFile), outcomes["first"]
    assert isinstance(outcomes["second"], ValidationError) and "executed" in str(outcomes["second"])
    payment_file = PaymentFile.objects.get(pk=payment_file.pk)
    assert (payment_file.status, payment_file.bank_reference) == (PaymentFileStatus.EXECUTED, "first")
    assert Statement.objects.filter(run=run, paid_on__isnull=False).count() == 3
    assert AuditEvent.objects.filter(kind="payment_file.executed").count() == 1
    assert SettlementRun.objects.get(pk=run.pk).status == RunStatus.PAID
