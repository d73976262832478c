"""Bad input in every web form that creates or changes data, one table.

Each case posts a good form with one thing wrong. A form page (``render``) shows itself again —
200, or 400 where the view says the request was refused — with the error next to the field (the
field's errors, rendered in the page). An action posted from another page (``redirect``) goes
back to that page with a message that says what is wrong. Either way, no project table changes.
"""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from ecosystem.periods import parse_period
from ecosystem.roles import Role
from insights.models import Target

from ..factories import (
    AccountFactory,
    AssignmentFactory,
    OpportunityFactory,
    PartnerFactory,
    ProgramFactory,
    RoadshowFactory,
    RuleFactory,
    SecondmentFactory,
    UserFactory,
    next_siren,
)
from ..foundation.registry import (
    World,
    _close,
    _dispute,
    _invoice,
    _payment_file,
    _proposal,
    _quota,
    _released_payment_file,
    _settlement_run,
    _statement,
    model,
)
from .test_api_bodies import _approve_body, _computed_run_of_channel


@dataclass(frozen=True)
class Form:
    """How to post one form: who, where (built from the world), the good data, how it answers."""

    setup: Callable[[World], tuple]  # world → (user, url, good data)
    style: str = "render"  # "render" (the form again) or "redirect" (a message on the next page)
    context_name: str = "form"


def _line_of_a(w):
    run = _settlement_run(w, approved=True)
    _, line = _statement(run, w.partner_a, marker="form")
    _close(run, w)
    return line


def _month_run(period):
    """A computed run of a month, for a quarter overlapping it to be refused (SPEC §4.1)."""
    p = parse_period(period)
    return model("commissions.SettlementRun").objects.create(
        period=p.label, period_start=p.start, period_end=p.end, status="computed"
    )


def _pending(w):
    return OpportunityFactory(partner=w.partner_a, registered_by=w.rep_a)


def _invitation_link(w) -> str:
    from django.core import mail

    from users.services import invite_user

    invite_user(actor=w.admin_a, email="invited@alpha.example", role="partner_rep", base_url="http://testserver/")
    return re.search(r"/invitation/[^/\s]+/", mail.outbox[-1].body).group(0)


FUTURE = (date.today() + timedelta(days=60)).isoformat()


def _billing_data(w) -> dict:
    from ecosystem.validators import french_vat_number

    return {
        "legal_name": "Alpha Intégration SAS",
        "address_line": "3 rue du Port",
        "postal_code": "44000",
        "city": "Nantes",
        "country": "FR",
        "vat_number": french_vat_number(w.partner_a.siren),
        "iban": "FR76 3000 6000 0112 3456 7890 189",
        "bic": "AGRIFRPP",
    }


def _partner_data(siren=None, **extra):
    return {
        "name": "Gamma Conseil",
        "siren": siren or next_siren(),
        "kind": "integrator",
        "tier": "gold",
        "status": "active",
        "regions": ["bretagne", "normandie"],
        "specialisations": ["ai"],
        "joined_on": "2024-01-01",
        "capacity": "20",
        **extra,
    }


def _secondment_data(w):
    return {
        "expert_name": "Claire Expert",
        "expert_email": "claire@vendor.example",
        "expertise": "technical",
        "partner": w.partner_a.pk,
        "starts_on": "2026-01-01",
        "ends_on": "2026-06-30",
    }


ROADSHOW = {"title": "Tour IA", "city": "Rennes", "region": "bretagne", "date": "2026-05-12"}
TARGET = {"name": "Objectif 2028", "value": "50", "baseline_period": "2025-Q1", "deadline": "2028-12-31"}


def _target():
    return Target.objects.create(name="T", value="0.5", baseline_period="2025-Q1", deadline="2028-12-31")


def _wrong_check_digit() -> str:
    siren = next_siren()
    return siren[:8] + str((int(siren[8]) + 1) % 10)


def _claim_of_a(w):
    from ..factories import claim

    return claim(w.partner_a, "12000.00", date(2026, 7, 1))


def _queued_of_a(w):
    from ..foundation.registry import _queued_booking

    return _queued_booking(w.partner_a, marker="form")


def _locked_quota(w):
    """A quota of partner A for the period of an approved run."""
    run = _close(_settlement_run(w, approved=True), w)
    return _quota_of(w, run.period)


def _quota_of(w, period):
    from commissions.models import Quota

    return Quota.objects.create(partner=w.partner_a, period=period, amount="1000.00")


def _approved_run_with_a_of(w):
    """An approved run with partner A's statement (its SIREN may be given its own payment reference)."""
    run = _settlement_run(w, approved=True)
    _statement(run, w.partner_a, marker="to pay")
    return _close(run, w)


FORMS: dict[str, Form] = {
    "account import": Form(lambda w: (w.channel, "/accounts/import/", {})),
    "assignment import": Form(lambda w: (w.channel, "/accounts/assignments/import/", {})),
    "bookings import": Form(lambda w: (w.channel, "/bookings/import/", {})),
    "confirm a claim": Form(
        lambda w: (w.channel, f"/opportunities/{_claim_of_a(w).pk}/confirm/", {"reason": "Contrat papier"}),
        context_name="confirm_form",
    ),
    "link a booking": Form(
        lambda w: (
            w.channel,
            f"/opportunities/reconciliation/{(b := _queued_of_a(w)).pk}/link/",
            {"opportunity": b.candidates[0], "reason": "Même commande"},
        ),
        context_name="link_form",
    ),
    "create from a booking": Form(
        lambda w: (w.channel, f"/opportunities/reconciliation/{_queued_of_a(w).pk}/create/", {"reason": "Nouvelle"}),
        context_name="create_form",
    ),
    "assign selection": Form(
        lambda w: (
            w.channel,
            "/accounts/assign/",
            {"partner": w.partner_a.pk, "role": "primary", "valid_from": "2025-01-01", "reason": ""},
        )
    ),
    "assign one account": Form(
        lambda w: (
            w.channel,
            f"/accounts/{AccountFactory().pk}/assign/",
            {"partner": w.partner_a.pk, "role": "primary", "valid_from": "2025-01-01", "reason": ""},
        ),
        style="redirect",
    ),
    "end an assignment": Form(
        lambda w: (w.channel, f"/accounts/assignments/{AssignmentFactory(partner=w.partner_a).pk}/end/", {}),
        style="redirect",
    ),
    "propose assignments": Form(lambda w: (w.channel, "/accounts/proposals/", {}), style="redirect"),
    "accept proposal items": Form(
        lambda w: (
            w.channel,
            f"/accounts/proposals/{(p := _proposal(w, w.partner_a)).pk}/decide/",
            {"decision": "accept_selected", "items": [p.items.get().pk]},
        ),
        style="redirect",
    ),
    "new program": Form(
        lambda w: (
            w.channel,
            "/commissions/programs/new/",
            {"name": "Programme 2027", "valid_from": "2027-01-01", "valid_to": "", "status": "draft"},
        )
    ),
    "edit program": Form(
        lambda w: (
            w.channel,
            f"/commissions/programs/{ProgramFactory().pk}/edit/",
            {"name": "Programme", "valid_from": "2025-01-01", "valid_to": "", "status": "active"},
        )
    ),
    "new rule": Form(
        lambda w: (
            w.channel,
            f"/commissions/programs/{ProgramFactory().pk}/rules/new/",
            {
                "name": "Règle",
                "priority": "1",
                "stacking": "base",
                "select_only": "any",
                "calculation": "percent",
                "rate": "0.05",
                "tier_mode": "marginal",
            },
        )  # fmt: skip
    ),
    "edit rule": Form(
        lambda w: (
            w.channel,
            f"/commissions/rules/{RuleFactory().pk}/edit/",
            {
                "name": "Règle",
                "priority": "1",
                "stacking": "base",
                "select_only": "any",
                "calculation": "percent",
                "rate": "0.05",
                "tier_mode": "marginal",
            },
        )  # fmt: skip
    ),
    "revise rule": Form(
        lambda w: (
            w.channel,
            f"/commissions/rules/{RuleFactory(valid_from=date(2025, 1, 1)).pk}/revise/",
            {
                "name": "Règle",
                "priority": "1",
                "stacking": "base",
                "select_only": "any",
                "calculation": "percent",
                "rate": "0.06",
                "tier_mode": "marginal",
                "valid_from": "2026-01-01",
            },
        )  # fmt: skip
    ),
    "run a settlement": Form(
        lambda w: (_month_run("2024-02"), w.channel, "/commissions/settlements/run/", {"period": "2025-Q1"})[1:],
        "redirect",
    ),
    "mark a settlement paid": Form(
        lambda w: (
            w.channel,
            f"/commissions/settlements/{_approved_run_with_a_of(w).pk}/mark-paid/",
            {"payment_reference": "VIR-1", "paid_on": date.today().isoformat(), "references": ""},
        ),
        style="redirect",
    ),
    "approve a settlement": Form(
        lambda w: (
            w.manager,
            f"/commissions/settlements/{(run := _computed_run_of_channel(w)).pk}/approve/",
            {**_approve_body(run), "acknowledge_exceptions": "on"},
        )
    ),
    "add a manual adjustment": Form(
        lambda w: (
            w.channel,
            f"/commissions/settlements/{_settlement_run(w, approved=False).pk}/adjustments/new/",
            {"opportunity": OpportunityFactory(partner=w.partner_a).pk, "amount": "-50", "reason": "Doublon."},
        )
    ),
    "new quota": Form(
        lambda w: (
            w.channel,
            "/commissions/quotas/new/",
            {"partner": w.partner_a.pk, "period": "2027-Q1", "amount": "150000", "reason": ""},
        )
    ),
    "change a quota": Form(
        lambda w: (w.channel, f"/commissions/quotas/{_quota(w.partner_a).pk}/edit/", {"amount": "160000"})
    ),
    "quota import": Form(lambda w: (w.channel, "/commissions/quotas/import/", {})),
    "dispute a line": Form(
        lambda w: (w.admin_a, f"/commissions/lines/{_line_of_a(w).pk}/dispute/", {"comment": "Le taux est faux."})
    ),
    "dispute comment": Form(
        lambda w: (
            w.admin_a,
            f"/commissions/disputes/{_dispute(w, w.partner_a, w.admin_a).pk}/messages/",
            {"body": "Voici le bon."},
        ),
        style="redirect",
    ),
    "resolve a dispute": Form(
        lambda w: (
            w.channel,
            f"/commissions/disputes/{_dispute(w, w.partner_a, w.admin_a).pk}/resolve/",
            {"outcome": "accepted", "amount": "20", "resolution": "Corrigé."},
        ),
        style="redirect",
    ),
    "invite a user": Form(
        lambda w: (
            w.channel,
            "/portal/users/invite/",
            {"email": "new@alpha.example", "role": "partner_rep", "partner": w.partner_a.pk},
        )
    ),
    "choose my language": Form(lambda w: (w.rep_a, "/portal/users/me/", {"language": "en"})),
    "accept an invitation": Form(
        lambda w: (
            None,
            _invitation_link(w),
            {"new_password1": "Un-mot-de-passe-1", "new_password2": "Un-mot-de-passe-1"},
        )
    ),
    "change a user's role": Form(
        lambda w: (
            w.admin_a,
            f"/portal/users/{UserFactory(role=Role.PARTNER_REP, partner=w.partner_a).pk}/role/",
            {"role": "partner_admin"},
        ),
        style="redirect",
    ),
    "register an opportunity": Form(
        lambda w: (
            w.rep_a,
            "/opportunities/register/",
            {
                "account": AssignmentFactory(partner=w.partner_a).account.pk,
                "product_line": "ai",
                "amount": "12500",
                "expected_close": FUTURE,
                "idempotency_key": "key-1",
            },
        )
    ),
    "move an opportunity on": Form(
        lambda w: (w.rep_a, f"/opportunities/{_pending(w).pk}/stage/", {"stage": "qualified"}),
        context_name="stage_form",
    ),
    "decide a registration": Form(
        lambda w: (w.channel, f"/opportunities/{_pending(w).pk}/decide/", {"decision": "approve", "reason": ""}),
        context_name="decision_form",
    ),
    "request an extension": Form(
        lambda w: (w.rep_a, f"/opportunities/{_pending(w).pk}/extension/", {"reason": "Décalage."}),
        context_name="extension_form",
    ),
    "decide an extension": Form(
        lambda w: (w.channel, f"/opportunities/{_pending(w).pk}/extension/decide/", {"decision": "grant"}),
        context_name="extension_decision_form",
    ),
    "billing details": Form(
        lambda w: (w.admin_a, f"/payments/partners/{w.partner_a.pk}/billing/edit/", _billing_data(w))
    ),
    "make a payment file": Form(
        lambda w: (
            w.channel,
            f"/payments/runs/{_invoice(w, w.partner_a).run_id}/payment-files/",
            {"execution_date": (date.today() + timedelta(days=7)).isoformat()},
        ),
        style="redirect",
    ),
    "cancel a payment file": Form(
        lambda w: (
            w.channel,
            f"/payments/payment-files/{_payment_file(w, w.partner_a).pk}/cancel/",
            {"reason": "Erreur"},
        ),
        style="redirect",
    ),
    "record a payment file executed": Form(
        lambda w: (
            w.channel,
            f"/payments/payment-files/{_released_payment_file(w, w.partner_a).pk}/executed/",
            {"executed_on": date.today().isoformat(), "bank_reference": "BQ-1"},
        ),
        style="redirect",
    ),
    "registration queue": Form(
        lambda w: (w.channel, "/opportunities/registrations/", {"action": "approve-selected", "ids": [_pending(w).pk]}),
        style="redirect",
    ),
    "new partner": Form(lambda w: (w.channel, "/partners/new/", _partner_data())),
    "edit partner": Form(
        lambda w: (w.channel, f"/partners/{(p := PartnerFactory()).pk}/edit/", _partner_data(siren=p.siren))
    ),
    "suspend a partner": Form(
        lambda w: (w.channel, f"/partners/{PartnerFactory().pk}/suspend/", {"reason": "Contrat rompu"})
    ),
    "activate a partner": Form(
        lambda w: (w.channel, f"/partners/{PartnerFactory(status='suspended').pk}/activate/", {"reason": "Repris"})
    ),
    "new secondment": Form(lambda w: (w.channel, "/partners/secondments/new/", _secondment_data(w))),
    "edit secondment": Form(
        lambda w: (
            w.channel,
            f"/partners/secondments/{SecondmentFactory(partner=w.partner_a).pk}/edit/",
            _secondment_data(w),
        )
    ),
    "end a secondment": Form(
        lambda w: (
            w.channel,
            f"/partners/secondments/{SecondmentFactory(partner=w.partner_a).pk}/end/",
            {"ends_on": "2026-03-31", "reason": "Retour anticipé"},
        )
    ),
    "new roadshow": Form(lambda w: (w.channel, "/partners/roadshows/new/", ROADSHOW)),
    "edit roadshow": Form(lambda w: (w.channel, f"/partners/roadshows/{RoadshowFactory().pk}/edit/", ROADSHOW)),
    "add an attendee": Form(
        lambda w: (
            w.channel,
            f"/partners/roadshows/{RoadshowFactory().pk}/attendees/add/",
            {"partner": w.partner_a.pk},
        ),
        style="redirect",
    ),
    "remove an attendee": Form(
        lambda w: (
            w.channel,
            f"/partners/roadshows/{RoadshowFactory(partners=[w.partner_a]).pk}/attendees/remove/",
            {"partner": w.partner_a.pk},
        ),
        style="redirect",
    ),
    "new target": Form(lambda w: (w.channel, "/targets/new/", TARGET)),
    "edit target": Form(
        lambda w: (
            w.channel,
            f"/targets/{_target().pk}/edit/",
            TARGET,
        )
    ),
}


@dataclass(frozen=True)
class Case:
    form: str
    id: str
    changes: dict  # field → bad value (None: the field is left out)
    expect: str  # the field whose error must show ("render"), or a fragment of the message ("redirect")
    extra: dict = field(default_factory=dict)


LONG = "x" * 5001
HUGE_ID = str(10**30)

CASES = [
    Case("account import", "no file", {}, "file"),
    Case("assignment import", "no file", {}, "file"),
    Case("bookings import", "no file", {}, "file"),
    Case("confirm a claim", "blank reason", {"reason": ""}, "reason"),
    Case("confirm a claim", "reason too long", {"reason": "x" * 501}, "reason"),
    Case("link a booking", "blank opportunity", {"opportunity": ""}, "opportunity"),
    Case("link a booking", "opportunity not a number", {"opportunity": "abc"}, "opportunity"),
    Case("link a booking", "opportunity id too large", {"opportunity": HUGE_ID}, "opportunity"),
    Case("link a booking", "no such opportunity", {"opportunity": "999999999"}, "opportunity"),
    Case("link a booking", "blank reason", {"reason": ""}, "reason"),
    Case("link a booking", "reason too long", {"reason": "x" * 501}, "reason"),
    Case("create from a booking", "blank reason", {"reason": ""}, "reason"),
    Case("create from a booking", "reason too long", {"reason": "x" * 501}, "reason"),
    Case("assign selection", "blank partner", {"partner": ""}, "partner"),
    Case("assign selection", "partner not a number", {"partner": "abc"}, "partner"),
    Case("assign selection", "partner id too large", {"partner": HUGE_ID}, "partner"),
    Case("assign selection", "unknown role", {"role": "owner"}, "role"),
    Case("assign selection", "bad date", {"valid_from": "2026-02-30"}, "valid_from"),
    Case("assign selection", "reason too long", {"reason": "x" * 501}, "reason"),
    Case("assign one account", "blank partner", {"partner": ""}, "partner"),
    Case("assign one account", "unknown role", {"role": "owner"}, "role"),
    Case("assign one account", "bad date", {"valid_from": "31/31/2025"}, "valid_from"),
    Case("end an assignment", "reason too long", {"reason": "x" * 501}, "500 characters"),
    Case("propose assignments", "unknown region", {"region": "atlantis"}, "atlantis"),
    Case("accept proposal items", "item not a number", {"items": ["abc"]}, "Tick"),
    Case("accept proposal items", "item id too large", {"items": [HUGE_ID]}, "not items of this proposal"),
    Case("new program", "blank name", {"name": ""}, "name"),
    Case("new program", "name too long", {"name": "x" * 201}, "name"),
    Case("new program", "bad date", {"valid_from": "2027-13-01"}, "valid_from"),
    Case("new program", "ends before it starts", {"valid_to": "2026-01-01"}, "valid_to"),
    Case("new program", "unknown status", {"status": "paused"}, "status"),
    Case("edit program", "blank start", {"valid_from": ""}, "valid_from"),
    Case("new rule", "blank calculation", {"calculation": ""}, "calculation"),
    Case("new rule", "rate not a number", {"rate": "cinq"}, "rate"),
    Case("new rule", "rate huge", {"rate": "1e30"}, "rate"),
    Case("new rule", "rate with too many decimals", {"rate": "0.1234567"}, "rate"),
    Case("new rule", "priority not a number", {"priority": "first"}, "priority"),
    Case("new rule", "priority huge", {"priority": str(10**40)}, "priority"),
    Case("new rule", "cap negative", {"cap_per_deal": "-5"}, "cap_per_deal"),
    Case("new rule", "bad band", {"calculation": "tiered", "rate": "", "bands": "0;abc"}, "bands"),
    Case("new rule", "unknown product line", {"product_lines": ["cheese"]}, "product_lines"),
    Case("edit rule", "blank name", {"name": ""}, "name"),
    Case("revise rule", "blank start date", {"valid_from": ""}, "valid_from"),
    Case("run a settlement", "bad period", {"period": "2026-Q5"}, "2026-Q5"),
    Case("run a settlement", "blank period", {"period": ""}, "required"),
    Case(
        "run a settlement", "overlaps a run", {"period": "2024-Q1"}, "Q1 2024 overlaps the settlement of February 2024"
    ),
    Case("mark a settlement paid", "blank reference", {"payment_reference": ""}, "payment reference"),
    Case("mark a settlement paid", "reference too long", {"payment_reference": "x" * 101}, "100 characters"),
    Case("mark a settlement paid", "blank date", {"paid_on": ""}, "day the payment was made"),
    Case("mark a settlement paid", "bad date", {"paid_on": "2026-02-30"}, "valid date"),
    Case("mark a settlement paid", "date in the future", {"paid_on": FUTURE}, "cannot be in the future"),
    Case("mark a settlement paid", "malformed reference line", {"references": "VIR-9"}, "is not “SIREN;reference”"),
    Case(
        "mark a settlement paid",
        "reference for a partner not in the run",
        {"references": "552100554;VIR-9"},
        "no statement of this run to pay",
    ),
    Case("approve a settlement", "blank total", {"confirmed_total": ""}, "confirmed_total"),
    Case("approve a settlement", "total not a number", {"confirmed_total": "onze millions"}, "confirmed_total"),
    Case("approve a settlement", "total huge", {"confirmed_total": "1e30"}, "confirmed_total"),
    Case("approve a settlement", "another total", {"confirmed_total": "11000000.00"}, "confirmed_total"),
    Case("approve a settlement", "stale review", {"review_token": "0" * 24}, "review_token"),
    Case(
        "approve a settlement",
        "exceptions not acknowledged",
        {"acknowledge_exceptions": None},
        "acknowledge_exceptions",
    ),
    Case("add a manual adjustment", "neither line nor deal", {"opportunity": None}, "line"),
    Case("add a manual adjustment", "deal not a number", {"opportunity": "abc"}, "opportunity"),
    Case("add a manual adjustment", "deal id too large", {"opportunity": HUGE_ID}, "opportunity"),
    Case("add a manual adjustment", "line id too large", {"line": HUGE_ID}, "line"),
    Case("add a manual adjustment", "zero amount", {"amount": "0"}, "amount"),
    Case("add a manual adjustment", "amount not a number", {"amount": "cinquante"}, "amount"),
    Case("add a manual adjustment", "amount huge", {"amount": "1e30"}, "amount"),
    Case("add a manual adjustment", "amount with 3 decimals", {"amount": "10.125"}, "amount"),
    Case("add a manual adjustment", "blank reason", {"reason": ""}, "reason"),
    Case("add a manual adjustment", "reason too long", {"reason": "x" * 2001}, "reason"),
    Case("new quota", "blank partner", {"partner": ""}, "partner"),
    Case("new quota", "partner id too large", {"partner": HUGE_ID}, "partner"),
    Case("new quota", "bad period", {"period": "2026-Q5"}, "period"),
    Case("new quota", "blank amount", {"amount": ""}, "amount"),
    Case("new quota", "negative amount", {"amount": "-5"}, "amount"),
    Case("new quota", "zero amount", {"amount": "0"}, "amount"),
    Case("new quota", "amount NaN", {"amount": "NaN"}, "amount"),
    Case("new quota", "huge amount", {"amount": "1e30"}, "amount"),
    Case("new quota", "amount with 3 decimals", {"amount": "10,125"}, "amount"),
    Case("new quota", "reason too long", {"reason": "x" * 101}, "reason"),
    Case("change a quota", "blank amount", {"amount": ""}, "amount"),
    Case("change a quota", "amount not a number", {"amount": "beaucoup"}, "amount"),
    Case("change a quota", "negative amount", {"amount": "-1000"}, "amount"),
    Case("quota import", "no file", {}, "file"),
    Case("dispute a line", "blank comment", {"comment": ""}, "comment"),
    Case("dispute a line", "comment too long", {"comment": LONG}, "comment"),
    Case("dispute comment", "blank message", {"body": ""}, "Write a message"),
    Case("dispute comment", "message too long", {"body": LONG}, "5000 characters"),
    Case("resolve a dispute", "blank resolution", {"resolution": ""}, "Write the resolution"),
    Case("resolve a dispute", "resolution too long", {"resolution": LONG}, "5000 characters"),
    Case("resolve a dispute", "no outcome", {"outcome": None}, "accepted or rejected"),
    Case("resolve a dispute", "unknown outcome", {"outcome": "maybe"}, "valid choice"),
    Case("resolve a dispute", "accepted without an amount", {"amount": ""}, "amount granted"),
    Case("resolve a dispute", "accepted with zero", {"amount": "0"}, "non-zero"),
    Case("resolve a dispute", "amount not a number", {"amount": "vingt"}, "not an amount"),
    Case("choose my language", "unknown language", {"language": "de"}, "language"),
    Case("choose my language", "no language", {"language": None}, "language"),
    Case("invite a user", "bad email", {"email": "not-an-email"}, "email"),
    Case("invite a user", "internal role", {"role": "channel"}, "role"),
    Case("invite a user", "blank partner", {"partner": ""}, "partner"),
    Case("invite a user", "email too long", {"email": "x" * 150 + "@alpha.example"}, "email"),
    Case("accept an invitation", "passwords differ", {"new_password2": "Autre-mot-de-passe-2"}, "new_password2"),
    Case("accept an invitation", "password too short", {"new_password1": "a1", "new_password2": "a1"}, "new_password2"),
    Case("accept an invitation", "blank password", {"new_password1": "", "new_password2": ""}, "new_password1"),
    Case("change a user's role", "internal role", {"role": "channel"}, "partner administrator or partner rep"),
    Case("register an opportunity", "blank account", {"account": ""}, "account"),
    Case("register an opportunity", "account id too large", {"account": HUGE_ID}, "account"),
    Case("register an opportunity", "unknown product line", {"product_line": "cheese"}, "product_line"),
    Case("register an opportunity", "amount not a number", {"amount": "douze mille"}, "amount"),
    Case("register an opportunity", "negative amount", {"amount": "-5"}, "amount"),
    Case("register an opportunity", "huge amount", {"amount": "1e30"}, "amount"),
    Case("register an opportunity", "amount with 3 decimals", {"amount": "10,125"}, "amount"),
    Case("register an opportunity", "amount NaN", {"amount": "NaN"}, "amount"),
    Case("register an opportunity", "close date passed", {"expected_close": "2020-01-01"}, "expected_close"),
    Case("register an opportunity", "bad date", {"expected_close": "2026-02-30"}, "expected_close"),
    Case("register an opportunity", "description too long", {"description": "x" * 301}, "description"),
    Case("register an opportunity", "bad idempotency key", {"idempotency_key": "<script>"}, "idempotency_key"),
    Case("move an opportunity on", "unknown stage", {"stage": "signed"}, "stage"),
    Case("move an opportunity on", "won without amount", {"stage": "won", "closed_on": "2025-03-01"}, "amount"),
    Case(
        "move an opportunity on",
        "won in the future",
        {"stage": "won", "closed_on": "2999-01-01", "amount": "10"},
        "closed_on",
    ),  # fmt: skip
    Case(
        "move an opportunity on", "huge amount", {"stage": "won", "closed_on": "2025-03-01", "amount": "1e30"}, "amount"
    ),  # fmt: skip
    Case("decide a registration", "unknown decision", {"decision": "maybe"}, "decision"),
    Case("decide a registration", "reject without a reason", {"decision": "reject"}, "reason"),
    Case("request an extension", "blank reason", {"reason": ""}, "reason"),
    Case("request an extension", "reason too long", {"reason": "x" * 501}, "reason"),
    Case("decide an extension", "unknown decision", {"decision": "maybe"}, "decision"),
    Case("billing details", "blank legal name", {"legal_name": ""}, "legal_name"),
    Case("billing details", "legal name too long", {"legal_name": "x" * 201}, "legal_name"),
    Case("billing details", "IBAN mistyped", {"iban": "FR76 3000 6000 0112 3456 7890 188"}, "iban"),
    Case("billing details", "not an IBAN", {"iban": "12345"}, "iban"),
    Case("billing details", "blank IBAN", {"iban": ""}, "iban"),
    Case("billing details", "bad BIC", {"bic": "AGRI"}, "bic"),
    Case("billing details", "bad VAT number", {"vat_number": "FR00123456789"}, "vat_number"),
    Case("billing details", "no VAT number, not exempt", {"vat_number": ""}, "vat_number"),
    Case("billing details", "country not a code", {"country": "Fr"[:1] + "1"}, "country"),
    Case("billing details", "country too long", {"country": "FRA"}, "country"),
    Case("make a payment file", "bad date", {"execution_date": "2026-02-30"}, "valid date"),
    Case("make a payment file", "date passed", {"execution_date": "2020-01-01"}, "past"),
    Case("make a payment file", "blank date", {"execution_date": ""}, "required"),
    Case("cancel a payment file", "no reason", {"reason": ""}, "Say why"),
    Case("cancel a payment file", "blank reason", {"reason": "   "}, "Say why"),
    Case("cancel a payment file", "reason too long", {"reason": "x" * 501}, "500 characters"),
    Case("record a payment file executed", "blank date", {"executed_on": ""}, "day the bank executed"),
    Case("record a payment file executed", "bad date", {"executed_on": "2026-02-30"}, "valid date"),
    Case("record a payment file executed", "in the future", {"executed_on": "2099-01-01"}, "future"),
    Case("record a payment file executed", "before the approval", {"executed_on": "2020-01-01"}, "before the approval"),
    Case("record a payment file executed", "reference too long", {"bank_reference": "x" * 101}, "100 characters"),
    Case("registration queue", "id not a number", {"ids": ["abc"]}, "ids of the registrations"),
    Case("registration queue", "id too large", {"ids": [HUGE_ID]}, "ids of the registrations"),
    Case("registration queue", "unknown action", {"action": "delete-all"}, "Choose an action"),
    Case("new partner", "blank name", {"name": ""}, "name"),
    Case("new partner", "SIREN not 9 digits", {"siren": "12345"}, "siren"),
    Case("new partner", "SIREN with letters", {"siren": "12345678A"}, "siren"),
    Case("new partner", "SIREN check digit wrong", {"siren": _wrong_check_digit()}, "siren"),
    Case("new partner", "unknown kind", {"kind": "broker"}, "kind"),
    Case("new partner", "unknown tier", {"tier": "diamond"}, "tier"),
    Case("new partner", "created suspended", {"status": "suspended"}, "status"),
    Case("new partner", "unknown region", {"regions": ["atlantis"]}, "regions"),
    Case("new partner", "unknown specialisation", {"specialisations": ["cheese"]}, "specialisations"),
    Case("new partner", "bad date", {"joined_on": "2024-02-30"}, "joined_on"),
    Case("new partner", "negative capacity", {"capacity": "-1"}, "capacity"),
    Case("new partner", "name too long", {"name": "x" * 201}, "name"),
    Case("edit partner", "blank SIREN", {"siren": ""}, "siren"),
    Case("edit partner", "SIREN check digit wrong", {"siren": _wrong_check_digit()}, "siren"),
    Case("edit partner", "capacity not a number", {"capacity": "beaucoup"}, "capacity"),
    Case("suspend a partner", "no reason", {"reason": ""}, "reason"),
    Case("suspend a partner", "reason too long", {"reason": "x" * 501}, "reason"),
    Case("activate a partner", "reason too long", {"reason": "x" * 501}, "reason"),
    Case("new secondment", "blank expert", {"expert_name": ""}, "expert_name"),
    Case("new secondment", "bad e-mail", {"expert_email": "claire@"}, "expert_email"),
    Case("new secondment", "unknown expertise", {"expertise": "magic"}, "expertise"),
    Case("new secondment", "no partner", {"partner": ""}, "partner"),
    Case("new secondment", "partner by a name not picked", {"partner": "Alpha"}, "partner"),
    Case("new secondment", "unknown partner", {"partner": "999999"}, "partner"),
    Case("new secondment", "unknown partner SIREN", {"partner": _wrong_check_digit()}, "partner"),
    Case("new secondment", "partner id too large", {"partner": HUGE_ID}, "partner"),
    Case("new secondment", "ends before it starts", {"ends_on": "2025-12-31"}, "ends_on"),
    Case("new secondment", "bad date", {"starts_on": "2026-13-01"}, "starts_on"),
    Case("edit secondment", "ends before it starts", {"starts_on": "2026-07-01"}, "ends_on"),
    Case("end a secondment", "after the planned end", {"ends_on": "2026-07-31"}, "ends_on"),
    Case("end a secondment", "on the planned end", {"ends_on": "2026-06-30"}, "ends_on"),
    Case("end a secondment", "before it starts", {"ends_on": "2025-12-31"}, "ends_on"),
    Case("end a secondment", "bad date", {"ends_on": "31/03/2026"}, "ends_on"),
    Case("end a secondment", "reason too long", {"reason": "x" * 501}, "reason"),
    Case("new roadshow", "blank title", {"title": ""}, "title"),
    Case("new roadshow", "unknown region", {"region": "atlantis"}, "region"),
    Case("new roadshow", "bad date", {"date": "2026-02-30"}, "date"),
    Case("new roadshow", "city too long", {"city": "x" * 101}, "city"),
    Case("edit roadshow", "blank city", {"city": ""}, "city"),
    Case("add an attendee", "no partner", {"partner": ""}, "required"),
    Case("add an attendee", "partner not a number", {"partner": "abc"}, "choose it from the suggestions"),
    Case("add an attendee", "unknown partner", {"partner": "999999"}, "No partner you may choose"),
    Case("add an attendee", "partner id too large", {"partner": HUGE_ID}, "choose it from the suggestions"),
    Case("remove an attendee", "unknown partner", {"partner": "999999"}, "No partner you may choose"),
    Case("remove an attendee", "partner not a number", {"partner": "x"}, "choose it from the suggestions"),
    Case("new target", "blank name", {"name": ""}, "name"),
    Case("new target", "share zero", {"value": "0"}, "value"),
    Case("new target", "share over 100", {"value": "150"}, "value"),
    Case("new target", "share not a number", {"value": "moitié"}, "value"),
    Case("new target", "share with 3 decimals", {"value": "50.125"}, "value"),
    Case("new target", "bad baseline period", {"baseline_period": "2025-Q5"}, "baseline_period"),
    Case("new target", "deadline before the baseline ends", {"deadline": "2025-03-01"}, "deadline"),
    Case("new target", "bad deadline", {"deadline": "2028-12-32"}, "deadline"),
    Case("new target", "unknown region", {"region": "atlantis"}, "region"),
    Case("new target", "unknown sector", {"sector": "cheese"}, "sector"),
    Case("edit target", "negative share", {"value": "-5"}, "value"),
]

TABLE = [pytest.param(case, id=f"{case.form} - {case.id}") for case in CASES]


@pytest.fixture
def world(partner_a, partner_b, rep_a, admin_a, rep_b, channel_user, manager_user) -> World:
    return World(
        partner_a=partner_a,
        partner_b=partner_b,
        rep_a=rep_a,
        admin_a=admin_a,
        rep_b=rep_b,
        admin_b=UserFactory(username="admin_b", role=Role.PARTNER_ADMIN, partner=partner_b),
        channel=channel_user,
        manager=manager_user,
    )


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


@pytest.mark.django_db
@pytest.mark.parametrize("case", TABLE)
def test_bad_form(case, world, client, census):
    form = FORMS[case.form]
    user, url, good = form.setup(world)
    data = {**good, **case.changes}
    if user is not None:
        client.force_login(user)  # before the census: a login is audited
    with census():
        response = client.post(url, {k: v for k, v in data.items() if v is not None})
        if form.style == "redirect":
            assert response.status_code == 302, response.status_code
            response = client.get(response["Location"])
    assert response.status_code in (200, 400), response.status_code
    page = response.content.decode()
    if form.style == "redirect":
        shown = " | ".join(_messages(response))
        assert case.expect.lower() in shown.lower(), f"{case.expect!r} not in the messages: {shown!r}"
        assert html.escape(_messages(response)[0]) in page or _messages(response)[0] in page
        return
    bound = response.context[form.context_name]
    assert case.expect in bound.errors, f"no error on {case.expect!r}: {bound.errors.as_data()}"
    for message in bound.errors[case.expect]:
        assert html.escape(message) in page, f"the error {message!r} is not shown on the page"


def test_every_form_has_cases():
    assert {case.form for case in CASES} == set(FORMS)


#: Every page that accepts a POST, by URL name → the form above it is (or why it has none here).
FORM_OF_URL = {
    "account-import": "account import",
    "assignment-import": "assignment import",
    "bookings-import": "bookings import",
    "claim-confirm": "confirm a claim",
    "reconciliation-link": "link a booking",
    "reconciliation-create": "create from a booking",
    "account-assign-selection": "assign selection",
    "account-assign": "assign one account",
    "assignment-end": "end an assignment",
    "proposal-list": "propose assignments",
    "proposal-decide": "accept proposal items",
    "commissions:program-create": "new program",
    "commissions:program-edit": "edit program",
    "commissions:rule-create": "new rule",
    "commissions:rule-edit": "edit rule",
    "commissions:rule-revise": "revise rule",
    "commissions:settlement-run": "run a settlement",
    "commissions:settlement-mark-paid": "mark a settlement paid",
    "commissions:line-dispute": "dispute a line",
    "commissions:dispute-message": "dispute comment",
    "commissions:dispute-resolve": "resolve a dispute",
    "commissions:settlement-approve": "approve a settlement",
    "commissions:adjustment-create": "add a manual adjustment",
    "commissions:quota-create": "new quota",
    "commissions:quota-edit": "change a quota",
    "commissions:quota-import": "quota import",
    "user-invite": "invite a user",
    "user-me": "choose my language",
    "user-role": "change a user's role",
    "invitation-accept": "accept an invitation",
    "opportunity-register": "register an opportunity",
    "opportunity-stage": "move an opportunity on",
    "registration-decide": "decide a registration",
    "extension-request": "request an extension",
    "extension-decide": "decide an extension",
    "registration-queue": "registration queue",
    "payments:billing-edit": "billing details",
    "payments:payment-file-create": "make a payment file",
    "payments:payment-file-cancel": "cancel a payment file",
    "payments:payment-file-execute": "record a payment file executed",
    "partner-create": "new partner",
    "partner-edit": "edit partner",
    "partner-suspend": "suspend a partner",
    "partner-activate": "activate a partner",
    "secondment-create": "new secondment",
    "secondment-edit": "edit secondment",
    "secondment-end": "end a secondment",
    "roadshow-create": "new roadshow",
    "roadshow-edit": "edit roadshow",
    "roadshow-attendee-add": "add an attendee",
    "roadshow-attendee-remove": "remove an attendee",
    "target-create": "new target",
    "target-edit": "edit target",
}
NOT_FORMS = {
    "healthz": "a probe, reads nothing",
    "readyz": "a probe, reads nothing",
    "login": "Django's login form (tests/users/test_login_security.py)",
    "logout": "no input",
    "password_change": "Django's form (tests/users)",
    "password_reset": "Django's form (tests/users)",
    "password_reset_confirm": "Django's form (tests/users)",
    "set_language": "Django's view: an unknown language is ignored",
    "user-deactivate": "a button, no input",
    "user-reactivate": "a button, no input",
    "user-resend-invitation": "a button, no input",
    "insights-snapshot": "a button, no input",
    "payments:billing-confirm-iban": "a button, no input",
    "payments:payment-file-release": "a button, no input (its four eyes: tests/payments/test_releasing_views.py)",
}


def test_every_page_that_takes_a_post_is_in_the_table():
    """A form page added tomorrow fails here until it has its cases (or a reason not to)."""
    from ..foundation.urlwalk import all_endpoints

    posted = {e.name for e in all_endpoints() if not (e.is_api or e.is_admin) and "post" in e.implemented_methods()}
    assert posted - set(FORM_OF_URL) - set(NOT_FORMS) == set(), "add these pages to FORM_OF_URL or NOT_FORMS"
    assert set(FORM_OF_URL.values()) == set(FORMS)
