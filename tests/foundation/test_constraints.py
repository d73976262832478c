"""Every named database constraint of the project's models is enforced by the database itself.

Each case writes a row that breaks one constraint while bypassing the model's validation
(``QuerySet.update`` or a bare ``create``), and expects an IntegrityError inside
``transaction.atomic``. A constraint (or a unique field) without a case fails
``test_every_constraint_has_a_case``: add the case when you add the constraint.
"""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from commissions.models import RuleUse
from ecosystem.roles import Role

from ..factories import (
    AccountFactory,
    AssignmentFactory,
    DirectOpportunityFactory,
    OpportunityFactory,
    PartnerFactory,
    ProgramFactory,
    RoadshowFactory,
    RuleFactory,
    SecondmentFactory,
    UserFactory,
    claim,
)
from .registry import (
    _billing_details,
    _close,
    _invoice,
    _payment_file,
    _queued_booking,
    _settlement_run,
    _statement,
    model,
)


def update(obj, **changes):
    """Write ``changes`` to ``obj``'s row with a bare UPDATE (no model validation, no save())."""
    type(obj)._base_manager.filter(pk=obj.pk).update(**changes)


def _line(w, *, run=None):
    run = run or _settlement_run(w, approved=False)
    _, line = _statement(run, w.partner_a, marker=f"line {run.period}")
    return line


def _run(w, **changes):
    run = _settlement_run(w, approved=False)
    update(run, **changes)
    return run


def _opportunity_with_extension(**changes):
    opportunity = OpportunityFactory(registration_status="approved")
    base = {"extension_requested_at": timezone.now(), "extension_reason": "more time", "extension_status": "requested"}
    update(opportunity, **{**base, **changes})


def _proposal(w, **fields):
    return model("accounts.AssignmentProposal").objects.create(created_by=w.channel, **fields)


def _proposal_item(w, proposal=None, **fields):
    return model("accounts.ProposalItem").objects.create(
        proposal=proposal or _proposal(w), account=fields.pop("account", None) or AccountFactory(),
        partner=w.partner_a, score=Decimal("1"), **fields,
    )  # fmt: skip


def _two_open_disputes(w):
    line = _line(w)
    Dispute = model("commissions.Dispute")
    Dispute.objects.create(line=line, opened_by=w.admin_a)
    Dispute.objects.create(line=line, opened_by=w.admin_a)


def _chunk(w, run, index=0):
    return model("commissions.SettlementChunk").objects.create(
        run=run, attempt=1, index=index, partner_count=1, line_count=1
    )


def _invitation(w, token_hash):
    return model("users.Invitation").objects.create(
        user=w.rep_a, token_hash=token_hash, expires_at=timezone.now() + timedelta(days=1)
    )


def _snapshot_pointer(pk):
    run = model("insights.SnapshotRun").objects.create()
    return model("insights.SnapshotPointer").objects.create(id=pk, run=run)


def _adjustment_of_kind_commission(w):
    line = _line(w)
    PayoutLine = model("commissions.PayoutLine")
    copy = {f.attname: getattr(line, f.attname) for f in PayoutLine._meta.concrete_fields if not f.primary_key}
    PayoutLine.objects.create(**{**copy, "corrects_id": line.pk, "kind": "commission"})


_invoice_numbers = itertools.count(900_000)


def _invoice_like(w, **changes):
    """A new invoice row copied from an issued one, on a statement of its own, with ``changes``."""
    issued = _invoice(w, w.partner_a)
    run = _settlement_run(w, approved=True)
    statement, _ = _statement(run, w.partner_a, marker=f"uninvoiced {run.period}")
    _close(run, w)
    n = next(_invoice_numbers)
    Invoice = model("payments.Invoice")
    values = {f.attname: getattr(issued, f.attname) for f in Invoice._meta.concrete_fields if not f.primary_key}
    values.update(run_id=run.pk, statement_id=statement.pk, number=f"T-{n}", sequence_number=n)
    return Invoice.objects.create(**{**values, **changes})


def _carry(w, **changes):
    run = _invoice(w, w.partner_a).run
    return model("payments.CarryForward").objects.create(
        **{"partner": w.partner_a, "from_run": run, "amount": Decimal("-1.00"), **changes}
    )


def _payment_file_row(w, **changes):
    return model("payments.PaymentFile").objects.create(
        **{"run": _invoice(w, w.partner_a).run, "message_id": f"M-{next(_invoice_numbers)}",
           "execution_date": date(2030, 1, 2), "created_by": w.channel, "transfer_count": 1,
           "total": Decimal("1.00"), "debtor_name": "V", "debtor_iban": "FR7630006000011234567890189",
           "debtor_bic": "AGRIFRPP", **changes}
    )  # fmt: skip


def _transfer(w, **changes):
    invoice = _invoice(w, w.partner_a)
    return model("payments.PaymentTransfer").objects.create(
        **{"payment_file": _payment_file_row(w), "invoice": invoice, "partner": w.partner_a,
           "amount": Decimal("1.00"), "creditor_name": "A", "iban": "FR7630006000011234567890189",
           "bic": "AGRIFRPP", "end_to_end_id": invoice.number, **changes}
    )  # fmt: skip


def _second_live_transfer(w):
    first = _transfer(w)
    return model("payments.PaymentTransfer").objects.create(
        payment_file=_payment_file_row(w), invoice=first.invoice, partner=w.partner_a, amount=Decimal("1.00"),
        creditor_name="A", iban=first.iban, bic="AGRIFRPP", end_to_end_id=first.end_to_end_id,
    )  # fmt: skip


def _file_moved(w, **changes):
    update(_payment_file_row(w), **changes)


def _dispute(w, **changes):
    dispute = model("commissions.Dispute").objects.create(line=_line(w), opened_by=w.admin_a)
    update(dispute, **changes)
    return dispute


def _manual_adjustment(w, **fields):
    run = _settlement_run(w, approved=False)
    deal = OpportunityFactory(partner=w.partner_a)
    values = {"run": run, "partner": w.partner_a, "opportunity": deal, "amount": Decimal("10"), "reason": "x"}
    return model("commissions.ManualAdjustment").objects.create(created_by=w.channel, **{**values, **fields})


def _statement_paid(w, **changes):
    statement, _ = _statement(_settlement_run(w, approved=False), w.partner_a, marker="paid")
    update(statement, **changes)


#: (constraint name, what breaks it) — a constraint may have several cases.
CASES = [
    # users
    ("user_partner_roles_have_a_partner", lambda w: update(w.rep_a, partner=None)),
    ("user_partner_roles_have_a_partner", lambda w: update(w.channel, partner=w.partner_a)),
    ("user_partner_roles_have_a_partner", lambda w: UserFactory(role=Role.PARTNER_ADMIN, partner=None)),
    ("user_partner_users_not_staff", lambda w: update(w.rep_a, is_staff=True)),
    ("user_partner_users_not_staff", lambda w: update(w.admin_a, is_superuser=True)),
    ("user_partner_users_not_staff", lambda w: UserFactory(role=Role.PARTNER_REP, partner=w.partner_a, is_staff=True)),
    ("user_language_is_offered", lambda w: update(w.rep_a, language="de")),
    # partners
    ("partner_siren_is_nine_digits", lambda w: update(w.partner_a, siren="12345")),
    ("partner_siren_is_nine_digits", lambda w: update(w.partner_a, siren="12345678X")),
    ("partner_kind_valid", lambda w: update(w.partner_a, kind="consultant")),
    ("partner_tier_valid", lambda w: update(w.partner_a, tier="diamond")),
    ("partner_status_valid", lambda w: update(w.partner_a, status="dormant")),
    ("secondment_ends_after_start", lambda w: update(SecondmentFactory(), ends_on=date(2025, 12, 31))),
    ("secondment_expertise_valid", lambda w: update(SecondmentFactory(), expertise="legal")),
    ("roadshow_region_valid", lambda w: update(RoadshowFactory(), region="atlantis")),
    # accounts
    ("account_siren_is_nine_digits", lambda w: update(AccountFactory(), siren="12345678X")),
    ("account_sector_valid", lambda w: update(AccountFactory(), sector="mining")),
    ("account_region_valid", lambda w: update(AccountFactory(), region="atlantis")),
    ("account_awareness_valid", lambda w: update(AccountFactory(), vendor_awareness="none")),
    (
        "assignment_one_open_primary_per_account",
        lambda w: AssignmentFactory(account=AssignmentFactory(partner=w.partner_a).account, partner=w.partner_b),
    ),
    (
        "assignment_one_open_primary_per_account",
        lambda w: update(
            AssignmentFactory(
                account=AssignmentFactory(partner=w.partner_a).account, partner=w.partner_b, role="secondary"
            ),
            role="primary",
        ),
    ),
    (
        "assignment_one_open_per_account_partner",
        lambda w: AssignmentFactory(
            account=AssignmentFactory(partner=w.partner_a).account, partner=w.partner_a, role="secondary"
        ),
    ),
    ("assignment_ends_after_start", lambda w: update(AssignmentFactory(), valid_to=date(2024, 12, 31))),
    ("assignment_role_valid", lambda w: update(AssignmentFactory(), role="tertiary")),
    ("proposal_status_valid", lambda w: _proposal(w, status="pondering")),
    ("proposal_decided_has_decider", lambda w: _proposal(w, status="applied", decided_by=None)),
    (
        "proposal_item_one_per_account",
        lambda w: (lambda item: _proposal_item(w, proposal=item.proposal, account=item.account))(_proposal_item(w)),
    ),
    ("proposal_item_status_valid", lambda w: _proposal_item(w, status="maybe")),
    # opportunities
    ("opportunity_amount_not_negative", lambda w: update(OpportunityFactory(), amount=Decimal("-0.01"))),
    ("opportunity_route_matches_partner", lambda w: update(DirectOpportunityFactory(), route="partner_sourced")),
    ("opportunity_route_matches_partner", lambda w: update(OpportunityFactory(), route="direct")),
    ("opportunity_closed_has_closed_on", lambda w: update(OpportunityFactory(), stage="won", closed_on=None)),
    (
        "opportunity_registration_only_with_partner",
        lambda w: update(DirectOpportunityFactory(), registration_status="pending"),
    ),
    ("opportunity_stage_valid", lambda w: update(OpportunityFactory(), stage="dreaming")),
    ("opportunity_product_line_valid", lambda w: update(OpportunityFactory(), product_line="mainframe")),
    ("opportunity_registration_status_valid", lambda w: update(OpportunityFactory(), registration_status="maybe")),
    ("opportunity_extension_status_valid", lambda w: _opportunity_with_extension(extension_status="maybe")),
    ("opportunity_extension_request_complete", lambda w: _opportunity_with_extension(extension_requested_at=None)),
    ("opportunity_extension_request_complete", lambda w: _opportunity_with_extension(extension_reason="")),
    (
        "opportunity_extension_decision_complete",
        lambda w: _opportunity_with_extension(extension_status="granted", extension_decided_at=None),
    ),
    (
        "opportunity_idempotency_key_unique_per_user",
        lambda w: [OpportunityFactory(registered_by=w.rep_a, idempotency_key="same-key") for _ in range(2)],
    ),
    ("opportunity_external_id_unique", lambda w: [OpportunityFactory(external_id="ORD-1") for _ in range(2)]),
    # claims and the reconciliation queue (SPEC §4.2)
    ("opportunity_claim_is_won_and_unconfirmed", lambda w: update(OpportunityFactory(), awaiting_confirmation=True)),
    (
        "opportunity_claim_is_won_and_unconfirmed",
        lambda w: update(
            claim(w.partner_a, "10.00", date(2026, 7, 1)), confirmed_at=timezone.now(), confirmed_via="manual"
        ),
    ),  # fmt: skip
    ("opportunity_confirmation_complete", lambda w: update(OpportunityFactory(), confirmed_via="manual")),
    ("opportunity_confirmation_complete", lambda w: update(OpportunityFactory(), confirmed_at=timezone.now())),
    (
        "opportunity_confirmation_complete",
        lambda w: update(OpportunityFactory(), confirmed_at=timezone.now(), confirmed_via="telepathy"),
    ),
    ("opportunity_claimed_amount_not_negative", lambda w: update(OpportunityFactory(), claimed_amount=Decimal("-1"))),
    ("queued_booking_amount_not_negative", lambda w: update(_queued_booking(w.partner_a, marker="neg"), amount=-1)),
    (
        "queued_booking_external_id_unique",
        lambda w: [_queued_booking(w.partner_a, marker="x", external_id="QB-1") for _ in range(2)],
    ),
    ("queued_booking_partner_route", lambda w: update(_queued_booking(w.partner_a, marker="route"), route="direct")),
    (
        "queued_booking_status_valid",
        lambda w: update(
            _queued_booking(w.partner_a, marker="st"),
            status="lost",
            resolved_at=timezone.now(),
            opportunity=OpportunityFactory(),
            resolution_reason="done",
        ),
    ),  # fmt: skip
    (
        "queued_booking_resolution_complete",
        lambda w: update(_queued_booking(w.partner_a, marker="res"), status="linked"),
    ),
    (
        "queued_booking_resolution_complete",
        lambda w: update(
            _queued_booking(w.partner_a, marker="res2"),
            status="created",
            resolved_at=timezone.now(),
            opportunity=OpportunityFactory(),
            resolution_reason="",
        ),
    ),  # fmt: skip
    # jobs
    (
        "job_progress_within_total",
        lambda w: model("jobs.Job").objects.create(kind="import_accounts", total=5, progress=6),
    ),
    ("job_state_valid", lambda w: model("jobs.Job").objects.create(kind="import_accounts", state="paused")),
    # insights
    (
        "target_value_between_0_and_1",
        lambda w: model("insights.Target").objects.create(
            name="t", value=Decimal("0"), baseline_period="2025-Q1", deadline=date(2028, 12, 31)
        ),
    ),
    (
        "target_value_between_0_and_1",
        lambda w: model("insights.Target").objects.create(
            name="t", value=Decimal("1.5"), baseline_period="2025-Q1", deadline=date(2028, 12, 31)
        ),
    ),
    ("snapshot_pointer_singleton", lambda w: _snapshot_pointer(2)),
    # commissions: programs and rules
    ("program_dates_in_order", lambda w: update(ProgramFactory(), valid_to=date(2024, 12, 31))),
    ("program_status_valid", lambda w: update(ProgramFactory(), status="paused")),
    ("program_currency_eur", lambda w: update(ProgramFactory(), currency="USD")),
    ("rule_rate_between_0_and_1", lambda w: update(RuleFactory(), rate=Decimal("1.5"))),
    ("rule_rate_between_0_and_1", lambda w: update(RuleFactory(), rate=Decimal("-0.01"))),
    ("rule_calculation_has_its_parameter", lambda w: update(RuleFactory(), rate=None)),
    ("rule_calculation_has_its_parameter", lambda w: update(RuleFactory(), calculation="flat", flat_amount=None)),
    (
        "rule_dates_in_order",
        lambda w: update(RuleFactory(), valid_from=date(2026, 1, 1), valid_to=date(2025, 12, 31)),
    ),
    (
        "rule_amounts_in_order",
        lambda w: update(RuleFactory(), min_amount=Decimal("100"), max_amount=Decimal("99")),
    ),
    ("rule_caps_not_negative", lambda w: update(RuleFactory(), cap_per_deal=Decimal("-1"))),
    ("rule_caps_not_negative", lambda w: update(RuleFactory(), cap_per_period=Decimal("-1"))),
    ("rule_accelerator_complete", lambda w: update(RuleFactory(), accelerator_threshold=Decimal("1.0"))),
    ("rule_accelerator_complete", lambda w: update(RuleFactory(), accelerator_multiplier=Decimal("1.5"))),
    (
        "rule_accelerator_complete",
        lambda w: update(RuleFactory(), accelerator_threshold=Decimal("1"), accelerator_multiplier=Decimal("0.5")),
    ),
    ("rule_stacking_valid", lambda w: update(RuleFactory(), stacking="extra")),
    ("rule_calculation_valid", lambda w: update(RuleFactory(), calculation="magic")),
    (
        "quota_one_per_partner_period",
        lambda w: [
            model("commissions.Quota").objects.create(partner=w.partner_a, period="2026-Q3", amount=Decimal("1"))
            for _ in range(2)
        ],
    ),
    (
        "quota_positive",
        lambda w: model("commissions.Quota").objects.create(partner=w.partner_a, period="2026-Q3", amount=0),
    ),
    # commissions: settlements
    ("settlement_status_valid", lambda w: _run(w, status="stuck")),
    ("settlement_approved_has_approver", lambda w: _run(w, status="approved")),
    (
        "settlement_approved_has_approver",
        lambda w: _run(w, status="paid", payment_reference="PAY-1", paid_on=date(2026, 10, 1)),
    ),
    (
        "settlement_four_eyes",
        lambda w: _run(w, status="approved", approved_by=w.channel, approved_at=timezone.now()),
    ),
    (
        "settlement_paid_has_reference",
        lambda w: _run(
            w,
            status="paid",
            approved_by=w.manager,
            approved_at=timezone.now(),
            payment_reference="",
            paid_on=date(2026, 10, 1),
        ),
    ),
    (
        "settlement_approved_not_preliminary",
        lambda w: _run(w, status="approved", approved_by=w.manager, approved_at=timezone.now(), preliminary=True),
    ),
    (
        "settlement_paid_has_date",
        lambda w: _run(w, status="paid", approved_by=w.manager, approved_at=timezone.now(), payment_reference="P-1"),
    ),
    ("statement_paid_has_date_and_reference", lambda w: _statement_paid(w, paid_on=date(2026, 10, 1))),
    ("statement_paid_has_date_and_reference", lambda w: _statement_paid(w, payment_reference="VIR-1")),
    (
        "statement_one_per_partner_run_attempt",
        lambda w: (lambda run: [_statement(run, w.partner_a, marker=str(i)) for i in range(2)])(
            _settlement_run(w, approved=False)
        ),
    ),
    ("payoutline_adjustment_is_kind", _adjustment_of_kind_commission),
    ("payoutline_rule_unless_manual", lambda w: update(_line(w), rule=None)),
    (
        "ruleuse_once_per_run",
        lambda w: (lambda line: [RuleUse.objects.create(run_id=line.run_id, rule_id=line.rule_id) for _ in range(2)])(
            _line(w)
        ),
    ),
    ("dispute_one_open_per_line", _two_open_disputes),
    ("dispute_outcome_valid", lambda w: _dispute(w, status="resolved", outcome="maybe")),
    ("dispute_outcome_only_when_resolved", lambda w: _dispute(w, outcome="rejected")),
    ("dispute_accepted_has_an_amount", lambda w: _dispute(w, status="resolved", outcome="accepted")),
    (
        "dispute_accepted_has_an_amount",
        lambda w: _dispute(w, status="resolved", outcome="accepted", outcome_amount=Decimal("0")),
    ),
    (
        "dispute_accepted_has_an_amount",
        lambda w: _dispute(w, status="resolved", outcome="rejected", outcome_amount=Decimal("5")),
    ),
    ("manualadjustment_amount_not_zero", lambda w: _manual_adjustment(w, amount=Decimal("0"))),
    ("manualadjustment_waits_only_for_a_dispute", lambda w: _manual_adjustment(w, run=None)),
    (
        "settlementchunk_once_per_attempt",
        lambda w: (lambda run: [_chunk(w, run), _chunk(w, run)])(_settlement_run(w, approved=False)),
    ),
    # payments
    ("billingdetails_vat_number_or_exemption", lambda w: update(_billing_details(w.partner_a), vat_number="")),
    (
        "billingdetails_vat_number_or_exemption",
        lambda w: update(_billing_details(w.partner_a), vat_exempt=True, vat_exemption_mention=""),
    ),
    (
        "billingdetails_iban_confirmed_by_another",
        lambda w: update(_billing_details(w.partner_a), iban_changed_by=w.channel, iban_confirmed_by=w.channel),
    ),
    (
        "billingdetails_confirmation_complete",
        lambda w: update(_billing_details(w.partner_a), iban_confirmed_at=None, iban_confirmed_by=w.channel),
    ),
    ("billingdetails_iban_compact", lambda w: update(_billing_details(w.partner_a), iban="FR76 3000 6000 0112")),
    ("billingdetails_bic_format", lambda w: update(_billing_details(w.partner_a), bic="agri-fr")),
    ("billingdetails_country_code", lambda w: update(_billing_details(w.partner_a), country="fr")),
    (
        "invoice_number_once_per_year",
        lambda w: _invoice_like(w, sequence_number=_invoice(w, w.partner_a).sequence_number),
    ),
    ("invoice_one_per_run_partner", lambda w: (lambda i: _invoice_like(w, run_id=i.run_id))(_invoice(w, w.partner_a))),
    ("invoice_kind_matches_sign", lambda w: _invoice_like(w, kind="credit_note")),
    ("invoice_kind_matches_sign", lambda w: _invoice_like(w, net=Decimal("0"), vat=Decimal("0"), gross=Decimal("0"))),
    ("invoice_gross_is_net_plus_vat", lambda w: _invoice_like(w, gross=Decimal("1.00"))),
    ("invoice_vat_or_exemption_mention", lambda w: _invoice_like(w, vat_exemption_mention="Exonéré")),
    (
        "invoice_vat_or_exemption_mention",
        lambda w: _invoice_like(w, vat_rate=Decimal("0"), vat=Decimal("0"), gross=Decimal("50.00")),
    ),
    ("invoice_sequence_positive", lambda w: _invoice_like(w, sequence_number=0)),
    ("carryforward_negative", lambda w: _carry(w, amount=Decimal("0"))),
    ("carryforward_once_per_partner_run", lambda w: (lambda c: _carry(w, from_run=c.from_run))(_carry(w))),
    ("carryforward_applied_in_a_later_run", lambda w: (lambda c: update(c, applied_in_run=c.from_run))(_carry(w))),
    ("paymentfile_total_positive", lambda w: _payment_file_row(w, total=Decimal("0"))),
    ("paymentfile_has_transfers", lambda w: _payment_file_row(w, transfer_count=0)),
    ("paymentfile_status_valid", lambda w: _payment_file_row(w, status="sent")),
    ("paymentfile_released_by_another", lambda w: _file_moved(w, released_by=w.channel, released_at=timezone.now())),
    ("paymentfile_released_or_executed_has_releaser", lambda w: _file_moved(w, status="released")),
    (
        "paymentfile_executed_has_date",
        lambda w: _file_moved(w, status="executed", released_by=w.manager, released_at=timezone.now()),
    ),
    (
        "paymentfile_cancelled_has_reason",
        lambda w: _file_moved(w, status="cancelled", cancelled_by=w.manager, cancelled_at=timezone.now()),
    ),
    ("paymenttransfer_one_live_per_invoice", _second_live_transfer),
    ("paymenttransfer_amount_positive", lambda w: _transfer(w, amount=Decimal("0"))),
    ("paymenttransfer_carried_not_positive", lambda w: _transfer(w, carried=Decimal("0.01"))),
]

#: A write that cannot break one constraint alone: the database may name either.
ALSO_VIOLATED = {"rule_calculation_valid": "rule_calculation_has_its_parameter"}

#: Unique fields (model label, field) → what breaks them.
UNIQUE_FIELDS = {
    ("users.User", "username"): lambda w: UserFactory(username=w.rep_a.username),
    ("users.Invitation", "token_hash"): lambda w: [_invitation(w, "f" * 64) for _ in range(2)],
    ("partners.Partner", "siren"): lambda w: PartnerFactory(siren=w.partner_a.siren),
    ("accounts.Account", "siren"): lambda w: AccountFactory(siren=AccountFactory().siren),
    ("commissions.SettlementRun", "period"): lambda w: [
        model("commissions.SettlementRun").objects.create(
            period="2031-Q1", period_start=date(2031, 1, 1), period_end=date(2031, 3, 31)
        )
        for _ in range(2)
    ],
    ("commissions.Rule", "replaces"): lambda w: (lambda old: [RuleFactory(replaces=old), RuleFactory(replaces=old)])(
        RuleFactory()
    ),
    ("payments.BillingDetails", "partner"): lambda w: (lambda d: _billing_details_copy(d))(
        _billing_details(w.partner_a)
    ),
    ("payments.InvoiceSequence", "year"): lambda w: [
        model("payments.InvoiceSequence").objects.create(year=2031) for _ in range(2)
    ],
    ("payments.Invoice", "number"): lambda w: _invoice_like(w, number=_invoice(w, w.partner_a).number),
    ("payments.Invoice", "statement"): lambda w: _invoice_like(w, statement_id=_invoice(w, w.partner_a).statement_id),
    ("payments.PaymentFile", "message_id"): lambda w: _payment_file_row(
        w, message_id=_payment_file(w, w.partner_a).message_id
    ),
    ("payments.PaymentTransfer", "invoice"): lambda w: _transfer(
        w, invoice=_payment_file(w, w.partner_a).transfers.get().invoice
    ),
    ("commissions.ManualAdjustment", "dispute"): lambda w: (
        lambda dispute: [_manual_adjustment(w, run=None, dispute=dispute) for _ in range(2)]
    )(_dispute(w, status="resolved", outcome="accepted", outcome_amount=Decimal("10"))),
}


def _billing_details_copy(details):
    BillingDetails = model("payments.BillingDetails")
    values = {f.attname: getattr(details, f.attname) for f in BillingDetails._meta.concrete_fields if not f.primary_key}
    return BillingDetails.objects.create(**values)


def _project_models():
    root = str(settings.BASE_DIR)
    for model_class in apps.get_models():
        path = model_class._meta.app_config.path
        if path.startswith(root) and "/.venv/" not in path and not model_class.__name__.startswith("Historical"):
            yield model_class


def _constraints():
    return {c.name: (m, c) for m in _project_models() for c in m._meta.constraints}


def test_every_constraint_has_a_case():
    named = set(_constraints())
    covered = {name for name, _ in CASES}
    assert named - covered == set(), (
        f"named constraints without a case in tests/foundation/test_constraints.py: {sorted(named - covered)}"
    )
    assert covered - named == set(), f"cases for constraints that no longer exist: {sorted(covered - named)}"
    unique_fields = {
        (m._meta.label, f.name)
        for m in _project_models()
        for f in m._meta.concrete_fields
        if f.unique and not f.primary_key and not (m._meta.label == "users.User" and f.name != "username")
    }
    assert unique_fields - set(UNIQUE_FIELDS) == set(), (
        f"unique fields without a case in UNIQUE_FIELDS: {sorted(unique_fields - set(UNIQUE_FIELDS))}"
    )


def _expect_integrity_error(write, world, *, mentions: str | None):
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        write(world)
    if mentions:
        names = {mentions, ALSO_VIOLATED.get(mentions, mentions)}
        assert any(n in str(excinfo.value) for n in names), f"the error does not name {mentions!r}: {excinfo.value}"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "write"), CASES, ids=[f"{name}-{i}" for i, (name, _) in enumerate(CASES)])
def test_the_database_enforces(name, write, world):
    constraints = _constraints()
    if name not in constraints:
        pytest.fail(f"no constraint named {name} on the project's models")
    _, constraint = constraints[name]
    # PostgreSQL names every violated constraint; SQLite names CHECK constraints only.
    named_in_error = connection.vendor == "postgresql" or isinstance(constraint, models.CheckConstraint)
    _expect_integrity_error(write, world, mentions=name if named_in_error else None)


@pytest.mark.django_db
@pytest.mark.parametrize("key", list(UNIQUE_FIELDS), ids=lambda key: f"{key[0]}.{key[1]}")
def test_the_database_enforces_unique_fields(key, world):
    _expect_integrity_error(UNIQUE_FIELDS[key], world, mentions=None)


# --- The constraints refuse only what they should ---------------------------------------------------


@pytest.mark.django_db
def test_one_open_primary_allows_history_and_secondaries(world):
    first = AssignmentFactory(partner=world.partner_a, valid_to=date(2025, 6, 30))
    AssignmentFactory(account=first.account, partner=world.partner_b)  # the primary, after A's ended
    AssignmentFactory(account=first.account, partner=world.partner_a, role="secondary")
    AssignmentFactory(account=first.account, partner=PartnerFactory(), role="secondary")
    assert first.account.assignments.count() == 4


@pytest.mark.django_db
def test_optional_unique_keys_allow_many_empties(world):
    for _ in range(2):
        OpportunityFactory(external_id=None, idempotency_key=None, registered_by=world.rep_a)
    OpportunityFactory(registered_by=world.rep_a, idempotency_key="k")
    OpportunityFactory(registered_by=world.rep_b, idempotency_key="k")  # per user


@pytest.mark.django_db
def test_a_resolved_dispute_makes_room_for_a_new_one(world):
    line = _line(world)
    Dispute = model("commissions.Dispute")
    Dispute.objects.create(line=line, opened_by=world.admin_a, status="resolved")
    Dispute.objects.create(line=line, opened_by=world.admin_a)


@pytest.mark.django_db
def test_internal_users_may_be_staff_and_superusers(world):
    update(world.channel, is_staff=True, is_superuser=True)
    update(world.manager, is_staff=True)
    UserFactory(username="root", role=Role.CHANNEL, is_staff=True, is_superuser=True)


@pytest.mark.django_db
def test_four_eyes_allows_another_approver(world):
    _run(world, status="approved", approved_by=world.manager, approved_at=timezone.now())
