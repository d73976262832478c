"""Issue 15: invoices and the payment file of an approved run of 2,000 partners and 500,000 lines,
beside a floor: the one SQL statement that sums the run's lines per partner (what every statement
total, hence every invoice, comes from).

The run is written directly (COPY), as the settlement leaves it: lines, one statement per partner
(about 2 % of them negative: credit notes), billing details for 98 % of the partners (1 % of those
with an IBAN awaiting confirmation). Timed: ``invoices_issue_for_run`` (what the approval runs: the
numbers, 2,000 invoices and credit notes, the carried-forward amounts), then ``payment_file_create``
and the pain.001.001.03 document of its transfers.
"""

import random
import time
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from commissions.line_rows import LINE_COLUMNS
from commissions.models import PayoutLine, SettlementRun
from ecosystem.bulk import copy_insert
from ecosystem.validators import french_iban, french_vat_number
from partners.models import Partner
from payments.invoicing import invoices_issue_for_run
from payments.models import BillingDetails
from payments.payment_files import payment_file_create, payment_file_xml

from .harness import Figure, seed_partners_and_accounts

PARTNERS = 2_000
LINES = 500_000
QUARTER = ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30))

FLOOR_SQL = """
SELECT partner_id, SUM(payout), COUNT(*) FROM commissions_payoutline
WHERE run_id = %s AND attempt = %s GROUP BY partner_id
"""


def seed(rng: random.Random) -> SettlementRun:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE payments_paymenttransfer, payments_paymentfile, payments_carryforward, payments_invoice, "
            "payments_invoicesequence, payments_historicalbillingdetails, payments_billingdetails, "
            "commissions_payoutline, commissions_statement, commissions_settlementexception, "
            "commissions_settlementchunk, commissions_settlementrun, partners_partner CASCADE"
        )
    partner_ids, _ = seed_partners_and_accounts(rng, PARTNERS, 0, "2026-01-01T00:00Z")
    user_model = get_user_model()
    runner = user_model.objects.get_or_create(username="bench-channel", defaults={"role": "channel"})[0]
    approver = user_model.objects.get_or_create(username="bench-manager", defaults={"role": "manager"})[0]
    run = SettlementRun.objects.create(
        period=QUARTER[0], period_start=QUARTER[1], period_end=QUARTER[2], status="computed", attempt=1,
        committed_attempt=1, run_by=runner,
    )  # fmt: skip
    # ~2 % of the partners owe money this quarter (clawbacks exceed their new commissions).
    owing = set(rng.sample(partner_ids, PARTNERS // 50))
    rows = []
    for i in range(LINES):
        partner = partner_ids[i % PARTNERS]
        base = Decimal(rng.randint(1_000_00, 200_000_00)) / 100
        payout = (base * Decimal("0.05")).quantize(Decimal("0.01"))
        kind = "commission"
        if partner in owing:
            kind, payout = "adjustment", -payout
        rows.append(
            (run.pk, 1, partner, i + 1, 1, kind, QUARTER[0] if kind == "commission" else "2026-Q2", base,
             Decimal("0.05"), None, "", payout, f"{base} × 5 % = {payout}", None)
        )  # fmt: skip
    copy_insert(PayoutLine, LINE_COLUMNS, rows)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO commissions_statement (run_id, partner_id, attempt, total, line_count, payment_reference) "
            "SELECT run_id, partner_id, attempt, SUM(payout), COUNT(*), '' FROM commissions_payoutline "
            "WHERE run_id = %s GROUP BY run_id, partner_id, attempt",
            [run.pk],
        )
    now = timezone.now()
    siren = dict(Partner.objects.values_list("pk", "siren"))
    without = set(rng.sample(partner_ids, PARTNERS // 50))
    held = set(rng.sample(sorted(set(partner_ids) - without), PARTNERS // 100))
    BillingDetails.objects.bulk_create(
        [
            BillingDetails(
                partner_id=pk, legal_name=f"P{pk} SAS", address_line=f"{pk} rue du Banc", postal_code="75011",
                city="Paris", vat_number=french_vat_number(siren[pk]), iban=french_iban(pk), bic="AGRIFRPP",
                iban_changed_at=now, iban_confirmed_at=None if pk in held else now,
            )
            for pk in partner_ids
            if pk not in without
        ],
        batch_size=2000,
    )  # fmt: skip
    SettlementRun.objects.filter(pk=run.pk).update(status="approved", approved_by=approver, approved_at=now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    run.refresh_from_db()
    return run


def floor_seconds(run: SettlementRun) -> float:
    with connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute(FLOOR_SQL, [run.pk, run.committed_attempt])
        cursor.fetchall()
        return time.perf_counter() - start


def _forget_invoices() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE payments_paymenttransfer, payments_paymentfile, payments_carryforward, payments_invoice, "
            "payments_invoicesequence"
        )


def issue_seconds(run: SettlementRun) -> tuple[float, int]:
    _forget_invoices()
    start = time.perf_counter()
    with transaction.atomic():
        result = invoices_issue_for_run(run=run)
    return time.perf_counter() - start, len(result.issued)


def payment_file_seconds(run: SettlementRun) -> tuple[float, int, int]:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE payments_paymenttransfer, payments_paymentfile")
    channel = get_user_model().objects.get(username="bench-channel")
    start = time.perf_counter()
    payment_file = payment_file_create(run=run, user=channel, execution_date=timezone.localdate() + timedelta(days=3))
    xml = payment_file_xml(payment_file)
    return time.perf_counter() - start, payment_file.transfer_count, len(xml)


def run() -> list[Figure]:
    rng = random.Random(15)
    approved = seed(rng)
    floor = min(floor_seconds(approved) for _ in range(3))
    issued = [issue_seconds(approved) for _ in range(3)]
    issue, count = min(issued)
    files = [payment_file_seconds(approved) for _ in range(3)]
    file_time, transfers, size = min(files)
    return [
        Figure(
            f"issue {count:,} invoices ({PARTNERS:,} partners, {LINES:,} lines)", issue,
            "SUM(payout) GROUP BY partner", floor, note="numbers, invoices, credit notes, carried amounts",
        ),
        Figure(
            f"payment file: {transfers:,} transfers, pain.001 XML", file_time, "SUM(payout) GROUP BY partner", floor,
            note=f"plan, {transfers:,} transfers recorded, {size / 1e6:.1f} MB of XML",
        ),
    ]  # fmt: skip
