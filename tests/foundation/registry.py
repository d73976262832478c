"""Model → builders for the generated foundation tests.

``OUT_OF_SCOPE[label](world)`` builds, for one model, the rows partner A's users must never
reach: partner B's, direct (vendor-only) business, internal records, and A's own rows that
are not (or no longer) A's to see. ``IN_SCOPE[label](world, n)`` builds ``n`` rows that
partner A's users and the channel team both see (used to count queries at 2 and 50 rows).

Keys are model labels ("app.Model") so an entry for a model that does not exist yet is
harmless. A URL that acts on a model missing here fails the foundation tests, saying to
add the model: that is how a new endpoint gets covered.
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.db import models
from django.utils import timezone

from ecosystem.periods import parse_period
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
    won,
)


@dataclass
class World:
    """Partner A (the caller's), partner B (the other one) and one user of each role."""

    partner_a: models.Model
    partner_b: models.Model
    rep_a: models.Model
    admin_a: models.Model
    rep_b: models.Model
    admin_b: models.Model
    channel: models.Model
    manager: models.Model


def model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def label_of(model_class: type[models.Model]) -> str:
    return model_class._meta.label


# --- Helpers ------------------------------------------------------------------------------------

_months = itertools.count(0)


def _settlement_run(world: World, *, approved: bool):
    """A computed run of a fresh month; approved (by the manager, run by channel) when asked."""
    SettlementRun = model("commissions.SettlementRun")
    # Months after every real period of the tests (so no settlement re-settles them), yet over by the settlement
    # rules' clock of the tests (tests/conftest.py SETTLEMENT_TODAY): such a run may be approved. The count wraps
    # round those 20 years: each test's rows are rolled back, and no test makes 240 runs (a worker running
    # hundreds of these set-ups would otherwise reach months after the clock, preliminary and not approvable).
    index = next(_months) % (20 * 12)
    period = parse_period(f"{2040 + index // 12}-{index % 12 + 1:02d}")
    run = SettlementRun.objects.create(
        period=period.label,
        period_start=period.start,
        period_end=period.end,
        status="computed",
        attempt=1,
        committed_attempt=1,
        run_by=world.channel,
    )
    run._approve = approved  # applied by _close() once its rows are written
    return run


def _close(run, world: World):
    if run._approve:
        type(run).objects.filter(pk=run.pk).update(
            status="approved", approved_by=world.manager, approved_at=timezone.now()
        )
        run.refresh_from_db()
    return run


def _statement(run, partner, *, marker: str):
    """A statement of ``partner`` in ``run`` with one payout line (written before the run is approved)."""
    Statement, PayoutLine = model("commissions.Statement"), model("commissions.PayoutLine")
    deal = won(partner, "1000.00", run.period_start, description=f"deal {marker}")
    rule = RuleFactory(name=f"Rule {marker}")
    statement = Statement.objects.create(run=run, partner=partner, attempt=1, total=Decimal("50.00"), line_count=1)
    line = PayoutLine.objects.create(
        run=run,
        attempt=1,
        partner=partner,
        opportunity=deal,
        rule=rule,
        deal_period=run.period,
        base_amount=Decimal("1000.00"),
        rate=Decimal("0.05"),
        payout=Decimal("50.00"),
        explanation=f"Explanation {marker}: 1000.00 x 5 % = 50.00",
    )
    return statement, line


def _job(user, kind="import_accounts"):
    return model("jobs.Job").objects.create(kind=kind, created_by=user, params={"note": f"job of {user}"})


def _target(name="Target"):
    return model("insights.Target").objects.create(
        name=name, value=Decimal("0.5000"), baseline_period="2025-Q1", deadline=date(2028, 12, 31)
    )


def _proposal(world: World, partner):
    Proposal, Item = model("accounts.AssignmentProposal"), model("accounts.ProposalItem")
    proposal = Proposal.objects.create(status="ready", created_by=world.channel, summary={"accounts": 1, "proposed": 1})
    Item.objects.create(proposal=proposal, account=AccountFactory(), partner=partner, score=Decimal("10.00"))
    return proposal


def _dispute(world: World, partner, user):
    run = _settlement_run(world, approved=True)
    _, line = _statement(run, partner, marker=f"disputed {partner.name}")
    _close(run, world)
    return model("commissions.Dispute").objects.create(line=line, opened_by=user)


def _billing_details(partner, *, confirmed: bool = True):
    """Valid billing details of ``partner`` (its IBAN confirmed unless asked otherwise), made once."""
    from ecosystem.validators import french_iban, french_vat_number

    BillingDetails = model("payments.BillingDetails")
    existing = BillingDetails.objects.filter(partner=partner).first()
    if existing is not None:
        return existing
    now = timezone.now()
    return BillingDetails.objects.create(
        partner=partner, legal_name=f"{partner.name} (raison sociale)", address_line=f"{partner.pk} rue des Tests",
        postal_code="75011", city="Paris", vat_number=french_vat_number(partner.siren),
        iban=french_iban(500_000 + partner.pk), bic="AGRIFRPP", iban_changed_at=now,
        iban_confirmed_at=now if confirmed else None,
    )  # fmt: skip


def _invoice(world: World, partner):
    """The invoice of ``partner``'s statement in a freshly approved run (issued by the payments service)."""
    from payments.invoicing import invoices_issue_for_run

    run = _settlement_run(world, approved=True)
    statement, _ = _statement(run, partner, marker=f"invoiced {partner.name} {run.period}")
    _close(run, world)
    _billing_details(partner)
    invoices_issue_for_run(run=run)
    return model("payments.Invoice").objects.get(statement=statement)


def _payment_file(world: World, partner):
    """A payment file of a fresh run that pays ``partner``'s invoice (made by the channel team)."""
    from payments.payment_files import payment_file_create

    invoice = _invoice(world, partner)
    return payment_file_create(
        run=invoice.run, user=world.channel, execution_date=timezone.localdate() + timedelta(days=7)
    )


def _released_payment_file(world: World, partner):
    """A payment file of a fresh run paying ``partner``, released by another channel user than its maker."""
    from payments.releasing import payment_file_release

    from ..factories import UserFactory

    return payment_file_release(payment_file=_payment_file(world, partner), user=UserFactory(role="channel"))


# --- Rows partner A's users must never reach ------------------------------------------------------

OutOfScope = Callable[[World], dict[str, models.Model]]


def _accounts(w: World):
    ended = AssignmentFactory(partner=w.partner_a, valid_to=date(2025, 6, 30))
    return {
        "assigned to partner B": AssignmentFactory(partner=w.partner_b).account,
        "direct (never assigned)": AccountFactory(),
        "partner A's assignment ended": ended.account,
        "secondary of A ended, primary B": AssignmentFactory(
            account=AssignmentFactory(partner=w.partner_a, role="secondary", valid_to=date(2025, 6, 30)).account,
            partner=w.partner_b,
        ).account,
    }


def _opportunities(w: World):
    account_of_a = AssignmentFactory(partner=w.partner_a).account
    return {
        "partner B's": OpportunityFactory(partner=w.partner_b, description="B's secret deal"),
        "direct business": DirectOpportunityFactory(description="vendor-only deal"),
        "partner B's on an account assigned to A": OpportunityFactory(partner=w.partner_b, account=account_of_a),
        "direct on an account assigned to A": DirectOpportunityFactory(account=account_of_a),
    }


def _runs(w: World):
    approved_b = _settlement_run(w, approved=True)
    _statement(approved_b, w.partner_b, marker="approved B")
    draft_a = _settlement_run(w, approved=False)
    _statement(draft_a, w.partner_a, marker="draft A")
    return {
        "approved, only partner B's statement": _close(approved_b, w),
        "partner A's, not approved yet": _close(draft_a, w),
    }


def _with_status(run, status: str):
    """The run moved to ``status`` once its rows are written (a recomputation started, a failure)."""
    type(run).objects.filter(pk=run.pk).update(status=status)
    run.refresh_from_db()
    return run


def _statements(w: World):
    # Partner A reads its own statements of computed runs (preliminary), approved and paid ones:
    # never another partner's, nor its own while the run is queued, being recomputed or failed.
    approved = _settlement_run(w, approved=True)
    of_b, _ = _statement(approved, w.partner_b, marker="statement B")
    computed = _settlement_run(w, approved=False)
    preliminary_of_b, _ = _statement(computed, w.partner_b, marker="preliminary statement B")
    recomputed = _settlement_run(w, approved=False)
    recomputed_of_a, _ = _statement(recomputed, w.partner_a, marker="statement A being recomputed")
    failed = _settlement_run(w, approved=False)
    failed_of_a, _ = _statement(failed, w.partner_a, marker="statement A of a failed run")
    _close(approved, w), _with_status(recomputed, "running"), _with_status(failed, "failed")
    return {
        "partner B's (approved run)": of_b,
        "partner B's (computed run, preliminary)": preliminary_of_b,
        "partner A's in a run being recomputed": recomputed_of_a,
        "partner A's in a failed run": failed_of_a,
    }


def _lines(w: World):
    approved = _settlement_run(w, approved=True)
    _, of_b = _statement(approved, w.partner_b, marker="line B")
    computed = _settlement_run(w, approved=False)
    _, preliminary_of_b = _statement(computed, w.partner_b, marker="preliminary line B")
    recomputed = _settlement_run(w, approved=False)
    _, recomputed_of_a = _statement(recomputed, w.partner_a, marker="line A being recomputed")
    _close(approved, w), _with_status(recomputed, "running")
    return {
        "partner B's (approved run)": of_b,
        "partner B's (computed run, preliminary)": preliminary_of_b,
        "partner A's in a run being recomputed": recomputed_of_a,
    }


def _exceptions(w: World):
    run = _settlement_run(w, approved=False)
    deal = won(w.partner_a, "10.00", run.period_start)
    exception = model("commissions.SettlementException").objects.create(
        run=run, attempt=1, partner=w.partner_a, opportunity=deal, reason="No rule pays this deal (internal)"
    )
    return {"internal (even about partner A)": exception}


_quota_periods = itertools.count(0)


def _quota(partner, amount="1000.00"):
    """A quota of ``partner`` for a fresh quarter."""
    index = next(_quota_periods)
    return model("commissions.Quota").objects.create(
        partner=partner, period=f"{2060 + index // 4}-Q{index % 4 + 1}", amount=Decimal(amount)
    )


def _quotas(w: World):
    # A partner reads its own quotas (its accelerators are measured against them), never another's.
    return {"partner B's": _quota(w.partner_b, "777777.00")}


def _manual_adjustment(w: World, partner, *, reason: str, waiting: bool = False):
    """A manual adjustment of ``partner``: in a computed run, or an accepted dispute's waiting for a run."""
    ManualAdjustment = model("commissions.ManualAdjustment")
    if waiting:
        dispute = _dispute(w, partner, w.admin_a if partner == w.partner_a else w.rep_b)
        model("commissions.Dispute").objects.filter(pk=dispute.pk).update(
            status="resolved", outcome="accepted", outcome_amount=Decimal("25.00")
        )
        return ManualAdjustment.objects.create(
            run=None, partner=partner, opportunity=dispute.line.opportunity, line=dispute.line,
            amount=Decimal("25.00"), reason=reason, dispute=dispute, created_by=w.channel,
        )  # fmt: skip
    run = _settlement_run(w, approved=False)
    deal = won(partner, "500.00", run.period_start, description=f"deal of {reason}")
    return ManualAdjustment.objects.create(
        run=run, partner=partner, opportunity=deal, amount=Decimal("-40.00"), reason=reason, created_by=w.channel
    )


def _manual_adjustments(w: World):
    return {
        "partner B's": _manual_adjustment(w, w.partner_b, reason="Bravo goodwill gesture"),
        "partner A's (an internal record)": _manual_adjustment(w, w.partner_a, reason="Alpha internal correction"),
        "partner A's waiting for its next run": _manual_adjustment(
            w, w.partner_a, reason="Alpha dispute granted", waiting=True
        ),
    }


_queued_ids = itertools.count(1)


def _queued_booking(partner, *, marker: str, external_id: str | None = None):
    """A partner booking waiting in the reconciliation queue (SPEC §4.2), with a claim it could confirm."""
    candidate = OpportunityFactory(partner=partner, description=f"candidate of {marker}")
    return model("opportunities.QueuedBooking").objects.create(
        external_id=external_id or f"QB-{next(_queued_ids)}-{marker}"[:64],
        account=candidate.account,
        partner=partner,
        route="partner_sourced",
        product_line="ai",
        amount=Decimal("1234.00"),
        closed_on=date(2026, 7, 1),
        reason="ambiguous",
        registration=f"REG-{marker}"[:64],
        candidates=[candidate.pk],
    )


def _disputes(w: World):
    return {"on partner B's line": _dispute(w, w.partner_b, w.rep_b)}


def _dispute_messages(w: World):
    dispute = _dispute(w, w.partner_b, w.rep_b)
    message = model("commissions.DisputeMessage").objects.create(
        dispute=dispute, author=w.rep_b, body="B's complaint about line"
    )
    return {"on partner B's dispute": message}


def _invitations(w: World):
    Invitation = model("users.Invitation")
    invited_b = UserFactory(role=Role.PARTNER_REP, partner=w.partner_b, is_active=False)
    invited_internal = UserFactory(role=Role.CHANNEL, is_active=False)
    later = timezone.now() + timedelta(days=7)
    return {
        "for a user of partner B": Invitation.objects.create(
            user=invited_b, token_hash="b" * 64, invited_by=w.channel, expires_at=later
        ),
        "for an internal user": Invitation.objects.create(
            user=invited_internal, token_hash="c" * 64, invited_by=w.channel, expires_at=later
        ),
    }


def _audit_events(w: World):
    Event = model("audit.AuditEvent")
    return {
        "about partner B": Event.objects.create(kind="partner.updated", actor=w.channel, partner=w.partner_b,
                                                target_repr="Bravo target"),
        "about partner A (internal record)": Event.objects.create(
            kind="partner.updated", actor=w.channel, partner=w.partner_a, target_repr="Alpha target"
        ),
    }  # fmt: skip


OUT_OF_SCOPE: dict[str, OutOfScope] = {
    "partners.Partner": lambda w: {
        "partner B": w.partner_b,
        "a prospect partner": PartnerFactory(status="prospect"),
    },
    "partners.Secondment": lambda w: {"partner B's": SecondmentFactory(partner=w.partner_b)},
    "partners.Roadshow": lambda w: {
        "attended by partner B only": RoadshowFactory(partners=[w.partner_b]),
        "no partner attending": RoadshowFactory(),
    },
    "accounts.Account": _accounts,
    "accounts.Assignment": lambda w: {
        "partner B's open": AssignmentFactory(partner=w.partner_b),
        "partner B's ended": AssignmentFactory(partner=w.partner_b, valid_to=date(2025, 6, 30)),
    },
    "accounts.AssignmentProposal": lambda w: {"proposing partner B": _proposal(w, w.partner_b)},
    "accounts.ProposalItem": lambda w: {
        "proposing partner B": _proposal(w, w.partner_b).items.get(),
        "proposing partner A (internal)": _proposal(w, w.partner_a).items.get(),
    },
    "opportunities.Opportunity": _opportunities,
    # The reconciliation queue is the channel team's: partner users reach none of it, not even their own.
    "opportunities.QueuedBooking": lambda w: {
        "partner B's booking": _queued_booking(w.partner_b, marker="bravo"),
        "partner A's booking (channel team's queue)": _queued_booking(w.partner_a, marker="alpha"),
    },
    "jobs.Job": lambda w: {
        "started by partner B's rep": _job(w.rep_b),
        "started by the channel team": _job(w.channel, kind="settlement"),
        "a system job": _job(None, kind="snapshot"),
    },
    "insights.Target": lambda w: {"internal": _target("Internal target 2028")},
    "users.User": lambda w: {"partner B's rep": w.rep_b, "channel user": w.channel},
    "users.Invitation": _invitations,
    "commissions.Program": lambda w: {"internal": ProgramFactory(name="Internal programme")},
    "commissions.Rule": lambda w: {"internal": RuleFactory(name="Internal rule")},
    "commissions.Quota": _quotas,
    "commissions.ManualAdjustment": _manual_adjustments,
    "commissions.SettlementRun": _runs,
    "commissions.Statement": _statements,
    "commissions.PayoutLine": _lines,
    "commissions.SettlementException": _exceptions,
    "commissions.Dispute": _disputes,
    "commissions.DisputeMessage": _dispute_messages,
    "audit.AuditEvent": _audit_events,
    "payments.BillingDetails": lambda w: {"partner B's": _billing_details(w.partner_b)},
    "payments.Invoice": lambda w: {"partner B's": _invoice(w, w.partner_b)},
    "payments.PaymentFile": lambda w: {
        "paying partner B": _payment_file(w, w.partner_b),
        "paying partner A (internal: it carries IBANs)": _payment_file(w, w.partner_a),
    },
}


# --- Rows partner A's users see (and the channel team too) ----------------------------------------

InScope = Callable[[World, int], None]


def _own_opportunities(w: World, n: int):
    roadshow = RoadshowFactory(partners=[w.partner_a, w.partner_b])
    for i in range(n):
        account = AssignmentFactory(partner=w.partner_a).account
        OpportunityFactory(
            partner=w.partner_a,
            account=account,
            roadshow=roadshow,
            registered_by=w.rep_a,
            decided_by=w.channel,
            external_id=f"ext-{account.pk}-{i}",
        )
    # Direct business and partner B's rows are there too: the channel team lists them.
    DirectOpportunityFactory()
    OpportunityFactory(partner=w.partner_b)


def _own_assignments(w: World, n: int):
    for _ in range(n):
        AssignmentFactory(partner=w.partner_a, assigned_by=w.channel)


def _own_roadshows(w: World, n: int):
    for _ in range(n):
        RoadshowFactory(partners=[w.partner_a, w.partner_b])


def _own_jobs(w: World, n: int):
    for _ in range(n):
        _job(w.rep_a), _job(w.admin_a)


def _own_proposals(w: World, n: int):
    for _ in range(n):
        _proposal(w, w.partner_a)


def _own_runs(w: World, n: int):
    for _ in range(n):
        run = _settlement_run(w, approved=True)
        _statement(run, w.partner_a, marker=f"own {run.period}")
        _close(run, w)


def _own_statements(w: World, n: int):
    _own_runs(w, n)
    preliminary = _settlement_run(w, approved=False)  # a computed run: A reads it as preliminary
    _statement(preliminary, w.partner_a, marker=f"preliminary {preliminary.period}")


def _own_quotas(w: World, n: int):
    for _ in range(n):
        _quota(w.partner_a)
    _quota(w.partner_b)  # the channel team lists it too


def _own_manual_adjustments(w: World, n: int):
    for i in range(n):
        _manual_adjustment(w, w.partner_a, reason=f"Correction {i}")


def _own_disputes(w: World, n: int):
    for _ in range(n):
        _dispute(w, w.partner_a, w.admin_a)


def _own_exceptions(w: World, n: int):
    run = _settlement_run(w, approved=False)
    for _ in range(n):
        deal = won(w.partner_a, "10.00", run.period_start)
        model("commissions.SettlementException").objects.create(
            run=run, attempt=1, partner=w.partner_a, opportunity=deal, reason="No rule pays this deal"
        )


IN_SCOPE: dict[str, InScope] = {
    "partners.Partner": lambda w, n: [PartnerFactory() for _ in range(n)],
    "partners.Secondment": lambda w, n: [SecondmentFactory(partner=w.partner_a) for _ in range(n)],
    "partners.Roadshow": _own_roadshows,
    "accounts.Account": _own_assignments,
    "accounts.Assignment": _own_assignments,
    "accounts.AssignmentProposal": _own_proposals,
    "opportunities.Opportunity": _own_opportunities,
    "opportunities.QueuedBooking": lambda w, n: [_queued_booking(w.partner_a, marker=f"own{i}") for i in range(n)],
    "jobs.Job": _own_jobs,
    "insights.Target": lambda w, n: [_target(f"Target {i}") for i in range(n)],
    "users.User": lambda w, n: [UserFactory(role=Role.PARTNER_REP, partner=w.partner_a) for _ in range(n)],
    "commissions.Program": lambda w, n: [ProgramFactory() for _ in range(n)],
    "commissions.Rule": lambda w, n: [RuleFactory() for _ in range(n)],
    "commissions.SettlementRun": _own_runs,
    "commissions.Statement": _own_statements,
    "commissions.Dispute": _own_disputes,
    "commissions.SettlementException": _own_exceptions,
    "commissions.Quota": _own_quotas,
    "commissions.ManualAdjustment": _own_manual_adjustments,
    "audit.AuditEvent": lambda w, n: [
        model("audit.AuditEvent").objects.create(kind="x.y", actor=w.channel, partner=w.partner_a) for _ in range(n)
    ],
    "payments.BillingDetails": lambda w, n: [
        _billing_details(partner) for partner in [w.partner_a, *(PartnerFactory() for _ in range(n - 1))]
    ],
    "payments.Invoice": lambda w, n: [_invoice(w, w.partner_a) for _ in range(n)],
    "payments.PaymentFile": lambda w, n: [_payment_file(w, w.partner_a) for _ in range(n)],
}


#: API list routes that are not lists of rows (URL name → reason): no row builders apply.
NOT_ROW_LISTS = {
    "api:commission-estimate-list": "one estimate computed from the query parameters, not rows",
}

#: Models whose IN_SCOPE rows a partner user cannot see more of (it sees its own partner only).
PARTNER_SEES_ONE = frozenset({"partners.Partner", "payments.BillingDetails"})


def identifying_strings(obj: models.Model) -> set[str]:
    """Free-text values of ``obj`` distinctive enough that finding one in a response means a leak."""
    values = set()
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField) and not field.choices:
            value = getattr(obj, field.attname)
            if isinstance(value, str) and len(value) >= 6:
                values.add(value)
    return values


def snapshot(obj: models.Model) -> dict | None:
    return type(obj)._base_manager.filter(pk=obj.pk).values().first()
