"""From payment file to paid (SPEC §4.3 "Paid", §5.2): a file is made awaiting release, released by
another channel user (never its maker: four eyes), or cancelled with a reason before execution (its
invoices payable by a new file); marked executed, it pays exactly its transfers' statements, and the
run is paid when every statement it must pay is paid. The manual "mark paid" leaves out held partners
and statements in a file, and names them."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from audit.display import detail_items
from audit.models import AuditEvent
from commissions import paying
from commissions.models import RunStatus, Statement
from ecosystem.worklist import work_for
from payments.billing import billing_details_confirm_iban
from payments.models import ImmutableRecordError, PaymentFile, PaymentFileStatus, PaymentTransfer
from payments.payment_files import payment_file_create, payment_plan
from payments.releasing import payment_file_cancel, payment_file_execute, payment_file_release

from ..factories import PartnerFactory, UserFactory
from .helpers import approve, computed, deal, details_for, percent_rule, statement_of

pytestmark = pytest.mark.django_db

NEXT_WEEK = timezone.localdate() + timedelta(days=7)


@pytest.fixture
def maker():
    return UserFactory(role="channel", username="maker")


@pytest.fixture
def releaser():
    return UserFactory(role="channel", username="releaser")


@pytest.fixture
def world():
    """Q3 approved: Alpha and Bravo paid by a file; Charlie's new IBAN awaits confirmation; Delta has
    no billing details. Alpha 1000.00 net (1200.00 paid), Bravo 500.00 (600.00), Charlie 200.00, Delta 100.00."""
    percent_rule("0.10")
    partners = {name: PartnerFactory(name=name) for name in ("Alpha", "Bravo", "Charlie", "Delta")}
    details_for(partners["Alpha"])
    details_for(partners["Bravo"])
    details_for(
        partners["Charlie"], confirmed=False, entered_by=UserFactory(role="partner_admin", partner=partners["Charlie"])
    )
    for name, amount in (("Alpha", "10000"), ("Bravo", "5000"), ("Charlie", "2000"), ("Delta", "1000")):
        deal(partners[name], amount, date(2026, 7, 10))
    return {"run": approve(computed("2026-Q3")), **partners}


def test_a_file_is_made_awaiting_release_and_its_maker_cannot_release_it(world, maker, releaser, manager_user):
    payment_file = payment_file_create(run=world["run"], user=maker, execution_date=NEXT_WEEK)
    assert payment_file.status == PaymentFileStatus.AWAITING_RELEASE
    with pytest.raises(PermissionDenied, match="Four eyes"):
        payment_file_release(payment_file=payment_file, user=maker)
    with pytest.raises(PermissionDenied):
        payment_file_release(payment_file=payment_file, user=manager_user)
    assert PaymentFile.objects.get(pk=payment_file.pk).status == PaymentFileStatus.AWAITING_RELEASE
    released = payment_file_release(payment_file=payment_file, user=releaser)
    assert (released.status, released.released_by) == (PaymentFileStatus.RELEASED, releaser)
    with pytest.raises(ValidationError, match="released"):
        payment_file_release(payment_file=payment_file, user=UserFactory(role="channel"))


def test_the_database_refuses_a_release_by_the_maker(world, maker):
    payment_file = payment_file_create(run=world["run"], user=maker, execution_date=NEXT_WEEK)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentFile.objects.filter(pk=payment_file.pk).update(
            status=PaymentFileStatus.RELEASED, released_by=maker, released_at=timezone.now()
        )


def test_nothing_but_the_status_changes(world, maker):
    payment_file = payment_file_create(run=world["run"], user=maker, execution_date=NEXT_WEEK)
    payment_file.total = D("1.00")
    with pytest.raises(ImmutableRecordError):
        payment_file.save()
    with pytest.raises(ImmutableRecordError):
        payment_file.transfers.first().delete()


def test_executed_pays_exactly_its_transfers_statements(world, maker, releaser):
    run, today = world["run"], timezone.localdate()
    payment_file = payment_file_create(run=run, user=maker, execution_date=NEXT_WEEK)
    with pytest.raises(ValidationError, match="not released yet"):
        payment_file_execute(payment_file=payment_file, user=releaser, executed_on=today)
    payment_file_release(payment_file=payment_file, user=releaser)
    with pytest.raises(ValidationError, match="future"):
        payment_file_execute(payment_file=payment_file, user=maker, executed_on=today + timedelta(days=1))
    executed = payment_file_execute(payment_file=payment_file, user=maker, executed_on=today, bank_reference="BQ-77")
    assert (executed.status, executed.executed_on, executed.bank_reference) == (
        PaymentFileStatus.EXECUTED,
        today,
        "BQ-77",
    )
    for name in ("Alpha", "Bravo"):
        statement = statement_of(run, world[name])
        assert statement.paid_on == today
        assert statement.payment_reference == statement.invoice.number  # the transfer's end-to-end id
    for name in ("Charlie", "Delta"):
        assert statement_of(run, world[name]).paid_on is None
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED, "Charlie and Delta are not paid yet"
    assert paying.payment_progress(run) == paying.Progress(paid=2, payable=4)
    with pytest.raises(ValidationError, match="executed"):
        payment_file_execute(payment_file=payment_file, user=maker, executed_on=today)


def test_the_run_is_paid_when_every_statement_is(maker, releaser):
    percent_rule("0.10")
    partner = PartnerFactory(name="Echo")
    details_for(partner)
    deal(partner, "1000", date(2026, 7, 10))
    run = approve(computed("2026-Q3"))
    payment_file = payment_file_create(run=run, user=maker, execution_date=NEXT_WEEK)
    payment_file_release(payment_file=payment_file, user=releaser)
    payment_file_execute(payment_file=payment_file, user=releaser, executed_on=timezone.localdate())
    run.refresh_from_db()
    assert run.status == RunStatus.PAID and run.payment_reference == payment_file.message_id


def test_a_cancelled_file_gives_its_invoices_back_to_a_new_file(world, maker, releaser):
    run = world["run"]
    first = payment_file_create(run=run, user=maker, execution_date=NEXT_WEEK)
    with pytest.raises(ValidationError, match="why"):
        payment_file_cancel(payment_file=first, user=releaser, reason="  ")
    assert payment_plan(run).transfers == []
    payment_file_release(payment_file=first, user=releaser)
    cancelled = payment_file_cancel(payment_file=first, user=maker, reason="Wrong execution date")
    assert (cancelled.status, cancelled.cancel_reason) == (PaymentFileStatus.CANCELLED, "Wrong execution date")
    assert not PaymentTransfer.objects.live().filter(payment_file=first).exists()
    with pytest.raises(ValidationError, match="cancelled"):
        payment_file_execute(payment_file=first, user=releaser, executed_on=timezone.localdate())
    second = payment_file_create(run=run, user=maker, execution_date=NEXT_WEEK)
    assert sorted(second.transfers.values_list("partner__name", flat=True)) == ["Alpha", "Bravo"]
    assert PaymentTransfer.objects.filter(invoice__run=run).count() == 4  # two cancelled, two live
    with pytest.raises(IntegrityError), transaction.atomic():  # one live transfer per invoice, by the database
        PaymentTransfer.objects.filter(payment_file=first).update(cancelled=False)


def test_an_executed_file_cannot_be_cancelled(world, maker, releaser):
    payment_file = payment_file_create(run=world["run"], user=maker, execution_date=NEXT_WEEK)
    payment_file_release(payment_file=payment_file, user=releaser)
    payment_file_execute(payment_file=payment_file, user=releaser, executed_on=timezone.localdate())
    with pytest.raises(ValidationError, match="executed: it cannot be cancelled"):
        payment_file_cancel(payment_file=payment_file, user=maker, reason="Too late")


def test_each_step_is_audited_in_words(world, maker, releaser):
    payment_file = payment_file_create(run=world["run"], user=maker, execution_date=NEXT_WEEK)
    payment_file_release(payment_file=payment_file, user=releaser)
    payment_file_execute(payment_file=payment_file, user=releaser, executed_on=timezone.localdate())
    kinds = list(AuditEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds[-4:] == ["payment_file.created", "payment_file.released", "settlement.paid", "payment_file.executed"]
    released = AuditEvent.objects.get(kind="payment_file.released")
    with translation.override("en"):
        items = dict(detail_items(released.detail))
    assert items["made by"] == "maker" and items["settlement run no."] == str(world["run"].pk)


def test_manual_mark_paid_leaves_out_held_and_filed_statements_and_names_them(world, maker, releaser, manager_user):
    run, today = world["run"], timezone.localdate()
    payment_file_create(run=run, user=maker, execution_date=NEXT_WEEK)  # Alpha and Bravo
    with pytest.raises(ValidationError, match="Nothing to mark paid") as refused:
        paying.settlement_mark_paid(run=run, user=manager_user, paid_on=today, reference="VIR-1")
    assert "Charlie" in str(refused.value) and "Delta" in str(refused.value)
    billing_details_confirm_iban(details=world["Charlie"].billing_details, user=releaser)
    with pytest.raises(ValidationError, match="not to be marked paid by hand"):
        paying.settlement_mark_paid(
            run=run, user=manager_user, paid_on=today, reference="VIR-1", references={world["Alpha"].siren: "X"}
        )
    outcome = paying.settlement_mark_paid(run=run, user=manager_user, paid_on=today, reference="VIR-1")
    assert outcome.paid == 1 and statement_of(run, world["Charlie"]).payment_reference == "VIR-1"
    assert {(item.partner_name, item.reason) for item in outcome.left_out} == {
        ("Alpha", "in a payment file: paid when the bank has executed it"),
        ("Bravo", "in a payment file: paid when the bank has executed it"),
        ("Delta", "no billing details"),
    }
    for name in ("Alpha", "Bravo", "Delta"):
        assert statement_of(run, world[name]).paid_on is None
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED
    assert Statement.objects.filter(run=run, paid_on__isnull=False).count() == 1


def test_the_worklist(world, maker, releaser, manager_user):
    payment_file_create(run=world["run"], user=maker, execution_date=NEXT_WEEK)
    with translation.override("en"):
        work = {item.key: item for item in work_for(maker)}
        assert work["payment_files"].count == 1 and "made by you" in work["payment_files"].note
        assert work["ibans"].count == 1  # Charlie's
        assert work["runs_to_pay"].count == 1
        assert "payment_files" not in {item.key for item in work_for(manager_user)}
        assert {item.key: item.count for item in work_for(manager_user)}["runs_to_pay"] == 1


def test_a_statement_paid_by_hand_is_in_no_later_file(world, maker, releaser, manager_user):
    run = world["run"]
    billing_details_confirm_iban(details=world["Charlie"].billing_details, user=releaser)
    outcome = paying.settlement_mark_paid(run=run, user=manager_user, paid_on=timezone.localdate(), reference="VIR-X")
    assert outcome.paid == 3 and [item.partner_name for item in outcome.left_out] == ["Delta"]
    assert payment_plan(run).transfers == [] and "Delta" in {h.name for h in payment_plan(run).held}
    with pytest.raises(ValidationError, match="Nothing to pay"):
        payment_file_create(run=run, user=maker, execution_date=NEXT_WEEK)
