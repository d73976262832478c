"""Bad API bodies, one table generated from the OpenAPI schema (SPEC §6: errors are 400 ``{"field": [...]}``).

Every operation that takes a body (POST, PUT, PATCH under ``/api/v1/``) is read from the schema;
each kind of bad input below is derived from the operation's request schema (its fields, their
types, which are required), so a new endpoint or a new field is covered without editing this
file — except to say, in ``SETUPS``, who calls it on which object (a test fails until it does).

For every bad body: the answer is 400 (never 500, never 2xx), its JSON names the offending field
(``detail`` for a body that is not JSON at all), and no project table changes.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator

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
    claim,
    next_siren,
)
from ..foundation.registry import (
    World,
    _billing_details,
    _close,
    _dispute,
    _invoice,
    _payment_file,
    _proposal,
    _queued_booking,
    _quota,
    _released_payment_file,
    _settlement_run,
    _statement,
)

WRITE_METHODS = ("post", "put", "patch")


# --- The operations, from the schema --------------------------------------------------------------


@cache
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def resolve(node: dict) -> dict:
    while "$ref" in node:
        node = schema()["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # as in the schema: /api/v1/accounts/{id}/
    content_type: str  # "application/json" or "multipart/form-data"
    properties: tuple  # ((name, schema), ...)
    required: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def multipart(self) -> bool:
        return self.content_type == "multipart/form-data"


def body_operations() -> list[Operation]:
    operations = []
    for path, methods in schema()["paths"].items():
        for method, spec in methods.items():
            if method not in WRITE_METHODS or not path.startswith("/api/v1/"):
                continue
            content = spec.get("requestBody", {}).get("content", {})
            if not content:
                continue
            content_type = "application/json" if "application/json" in content else next(iter(content))
            body = resolve(content[content_type]["schema"])
            operations.append(
                Operation(
                    method,
                    path,
                    content_type,
                    tuple(sorted(body.get("properties", {}).items())),
                    tuple(body.get("required", [])),
                )
            )
    return operations


def bodiless_operations() -> list[str]:
    return [
        f"{method.upper()} {path}"
        for path, methods in schema()["paths"].items()
        for method, spec in methods.items()
        if method in WRITE_METHODS and path.startswith("/api/v1/") and not spec.get("requestBody")
    ]


# --- Who calls each operation, on what, with which good body ----------------------------------------
#
# ``setup(world) -> (user, object id or None, good body)``. The bad bodies are the good one
# with one thing wrong, so the 400 can only come from that one thing.


def _account_body(**extra):
    return {
        "name": "Maison Dupont",
        "siren": next_siren(),
        "sector": "industry",
        "region": "ile_de_france",
        "city": "Paris",
        "employees": 120,
        "is_select": True,
        "vendor_awareness": "low",
        **extra,
    }


def _partner_body(**extra):
    return {
        "name": "Gamma Conseil",
        "siren": next_siren(),
        "kind": "integrator",
        "tier": "gold",
        "regions": ["ile_de_france"],
        "specialisations": ["ai"],
        "status": "active",
        "joined_on": "2024-01-01",
        "capacity": 10,
        **extra,
    }


def _program_body():
    return {
        "name": "Programme 2027",
        "valid_from": "2027-01-01",
        "valid_to": None,
        "status": "draft",
        "description": "",
    }


def _rule_body(program):
    return {
        "program": program.pk,
        "name": "Règle IA",
        "priority": 1,
        "calculation": "percent",
        "rate": "0.05",
        "product_lines": ["ai"],
        "min_amount": "100.00",
        "valid_from": "2025-01-01",
    }


def _opportunity_body(world):
    account = AssignmentFactory(partner=world.partner_a).account
    return {
        "account": account.pk,
        "product_line": "ai",
        "amount": "12500.00",
        "expected_close": (date.today().replace(day=1).replace(year=date.today().year + 1)).isoformat(),
        "description": "Projet IA",
    }


def _opportunity_of_a(world):
    return OpportunityFactory(partner=world.partner_a, registered_by=world.rep_a)


def _upload():
    return SimpleUploadedFile("file.csv", b"a,b\n1,2\n", content_type="text/csv")


def _line_of_a(world):
    run = _settlement_run(world, approved=True)
    _, line = _statement(run, world.partner_a, marker="bad input")
    _close(run, world)
    return line


def _computed_run_of_channel(w):
    """A computed run (run by the channel team) with an exception, as a manager reviews it."""
    from commissions.models import SettlementException, SettlementRun

    run = _settlement_run(w, approved=False)
    deal = OpportunityFactory(partner=w.partner_a, stage="won", closed_on=run.period_start)
    SettlementException.objects.create(run=run, attempt=1, partner=w.partner_a, opportunity=deal, reason="no rule")
    SettlementRun.objects.filter(pk=run.pk).update(exception_count=1)
    run.refresh_from_db()
    return run


def _approve_body(run):
    from commissions.review import token_of

    return {"confirmed_total": str(run.total), "review_token": token_of(run), "acknowledge_exceptions": True}


def _target():
    return Target.objects.create(
        name="50 %", value=Decimal("0.5"), baseline_period="2025-Q1", deadline=date(2028, 12, 31)
    )


def _billing_body(owner, **extra):
    from ecosystem.validators import french_vat_number

    return {
        "legal_name": "Alpha Intégration SAS",
        "address_line": "3 rue du Port",
        "address_line_2": "",
        "postal_code": "44000",
        "city": "Nantes",
        "country": "FR",
        "vat_number": french_vat_number(owner.siren),
        "vat_exempt": False,
        "vat_exemption_mention": "",
        "iban": "FR76 3000 6000 0112 3456 7890 189",
        "bic": "AGRIFRPP",
        **extra,
    }


def _next_week() -> str:
    return (date.today() + timedelta(days=7)).isoformat()


def _target_body():
    return {"name": "Objectif", "value": "0.5000", "baseline_period": "2025-Q1", "deadline": "2028-12-31"}


SETUPS: dict[str, Callable[[World], tuple]] = {
    "POST /api/v1/accounts/": lambda w: (w.channel, None, _account_body()),
    "PUT /api/v1/accounts/{id}/": lambda w: (w.channel, (a := AccountFactory()).pk, _account_body(siren=a.siren)),
    "PATCH /api/v1/accounts/{id}/": lambda w: (w.channel, AccountFactory().pk, {"name": "Renamed"}),
    "POST /api/v1/accounts/import/": lambda w: (w.channel, None, {"file": _upload(), "good_rows_only": "false"}),
    "POST /api/v1/assignment-proposals/": lambda w: (w.channel, None, {"region": ["ile_de_france"]}),
    "POST /api/v1/assignment-proposals/{id}/accept/": lambda w: (
        w.channel,
        (p := _proposal(w, w.partner_a)).pk,
        {"items": [p.items.get().pk]},
    ),
    "POST /api/v1/assignments/": lambda w: (
        w.channel,
        None,
        {"account": AccountFactory().pk, "partner": w.partner_a.pk, "role": "primary", "valid_from": "2025-01-01"},
    ),
    "POST /api/v1/assignments/{id}/end/": lambda w: (
        w.channel,
        AssignmentFactory(partner=w.partner_a).pk,
        {"valid_to": "2025-06-30", "reason": "Fin"},
    ),
    "POST /api/v1/assignments/bulk/": lambda w: (
        w.channel,
        None,
        {"accounts": [AccountFactory().pk], "partner": w.partner_a.pk, "role": "primary", "reason": ""},
    ),
    "POST /api/v1/assignments/import/": lambda w: (w.channel, None, {"file": _upload(), "good_rows_only": "false"}),
    "POST /api/v1/auth/token/": lambda w: (None, None, {"username": "rep_a", "password": "secret-pass-123"}),
    "POST /api/v1/bookings/import/": lambda w: (w.channel, None, {"file": _upload(), "good_rows_only": "false"}),
    "POST /api/v1/billing-details/": lambda w: (w.channel, None, _billing_body(w.partner_a, partner=w.partner_a.pk)),
    "PUT /api/v1/billing-details/{id}/": lambda w: (
        w.channel,
        _billing_details(w.partner_a).pk,
        _billing_body(w.partner_a),
    ),
    "PATCH /api/v1/billing-details/{id}/": lambda w: (w.admin_a, _billing_details(w.partner_a).pk, {"city": "Brest"}),
    "POST /api/v1/payment-files/": lambda w: (
        w.channel,
        None,
        {"run": _invoice(w, w.partner_a).run_id, "execution_date": _next_week()},
    ),
    "POST /api/v1/payment-files/{id}/cancel/": lambda w: (
        w.channel,
        _payment_file(w, w.partner_a).pk,
        {"reason": "Mauvaise date d'exécution"},
    ),
    "POST /api/v1/payment-files/{id}/executed/": lambda w: (
        w.channel,
        _released_payment_file(w, w.partner_a).pk,
        {"executed_on": date.today().isoformat(), "bank_reference": "BQ-2025-001"},
    ),
    "POST /api/v1/booking-reconciliation/{id}/link/": lambda w: (
        w.channel,
        (b := _queued_booking(w.partner_a, marker="link")).pk,
        {"opportunity": b.candidates[0], "reason": "Même commande"},
    ),
    "POST /api/v1/booking-reconciliation/{id}/create-opportunity/": lambda w: (
        w.channel,
        _queued_booking(w.partner_a, marker="create").pk,
        {"reason": "Jamais enregistrée"},
    ),
    "POST /api/v1/commission-programs/": lambda w: (w.channel, None, _program_body()),
    "PUT /api/v1/commission-programs/{id}/": lambda w: (w.channel, ProgramFactory().pk, _program_body()),
    "PATCH /api/v1/commission-programs/{id}/": lambda w: (w.channel, ProgramFactory().pk, {"name": "Renamed"}),
    "POST /api/v1/commission-rules/": lambda w: (w.channel, None, _rule_body(ProgramFactory())),
    "PUT /api/v1/commission-rules/{id}/": lambda w: (w.channel, (r := RuleFactory()).pk, _rule_body(r.program)),
    "PATCH /api/v1/commission-rules/{id}/": lambda w: (w.channel, RuleFactory().pk, {"rate": "0.06"}),
    "POST /api/v1/commission-rules/{id}/revise/": lambda w: (
        w.channel,
        RuleFactory(valid_from=date(2025, 1, 1)).pk,
        {"valid_from": "2026-01-01", "rate": "0.06"},
    ),
    "POST /api/v1/disputes/": lambda w: (w.admin_a, None, {"line": _line_of_a(w).pk, "comment": "Le taux est faux."}),
    "POST /api/v1/disputes/{id}/messages/": lambda w: (
        w.admin_a,
        _dispute(w, w.partner_a, w.admin_a).pk,
        {"body": "Voici le bon de commande."},
    ),
    "POST /api/v1/disputes/{id}/resolve/": lambda w: (
        w.channel,
        _dispute(w, w.partner_a, w.admin_a).pk,
        {"outcome": "accepted", "amount": "20.00", "resolution": "Corrigé au prochain relevé."},
    ),
    "POST /api/v1/manual-adjustments/": lambda w: (
        w.channel,
        None,
        {
            "run": _settlement_run(w, approved=False).pk,
            "opportunity": OpportunityFactory(partner=w.partner_a).pk,
            "amount": "-50.00",
            "reason": "Doublon de la ligne 12.",
        },
    ),
    "POST /api/v1/quotas/": lambda w: (
        w.channel,
        None,
        {"partner": w.partner_a.pk, "period": "2027-Q1", "amount": "150000.00", "reason": "Plan 2027"},
    ),
    "PUT /api/v1/quotas/{id}/": lambda w: (
        w.channel,
        _quota(w.partner_a).pk,
        {"amount": "160000.00", "reason": "Revu en comité"},
    ),
    "PATCH /api/v1/quotas/{id}/": lambda w: (w.channel, _quota(w.partner_a).pk, {"amount": "160000.00"}),
    "POST /api/v1/quotas/import/": lambda w: (w.channel, None, {"file": _upload(), "good_rows_only": "false"}),
    "POST /api/v1/settlements/{id}/approve/": lambda w: (
        w.manager,
        (run := _computed_run_of_channel(w)).pk,
        _approve_body(run),
    ),
    "POST /api/v1/opportunities/": lambda w: (w.rep_a, None, _opportunity_body(w)),
    "PUT /api/v1/opportunities/{id}/": lambda w: (w.channel, _opportunity_of_a(w).pk, _opportunity_body(w)),
    "PATCH /api/v1/opportunities/{id}/": lambda w: (w.rep_a, _opportunity_of_a(w).pk, {"amount": "15000.00"}),
    "POST /api/v1/opportunities/{id}/confirm/": lambda w: (
        w.channel,
        claim(w.partner_a, "12000.00", date(2026, 7, 1)).pk,
        {"reason": "Contrat papier"},
    ),
    "POST /api/v1/opportunities/{id}/approve/": lambda w: (w.channel, _opportunity_of_a(w).pk, {"reason": "OK"}),
    "POST /api/v1/opportunities/{id}/reject/": lambda w: (w.channel, _opportunity_of_a(w).pk, {"reason": "Doublon"}),
    "POST /api/v1/opportunities/{id}/decide-extension/": lambda w: (
        w.channel,
        _opportunity_of_a(w).pk,
        {"decision": "grant", "reason": ""},
    ),
    "POST /api/v1/opportunities/{id}/request-extension/": lambda w: (
        w.rep_a,
        _opportunity_of_a(w).pk,
        {"reason": "Le client décale sa décision."},
    ),
    "POST /api/v1/opportunities/{id}/stage/": lambda w: (
        w.rep_a,
        _opportunity_of_a(w).pk,
        {"stage": "won", "closed_on": "2025-03-01", "amount": "12000.00"},
    ),
    "POST /api/v1/opportunities/decide/": lambda w: (
        w.channel,
        None,
        {"ids": [_opportunity_of_a(w).pk], "decision": "approve", "reason": ""},
    ),
    "POST /api/v1/partners/": lambda w: (w.channel, None, _partner_body()),
    "PUT /api/v1/partners/{id}/": lambda w: (w.channel, (p := PartnerFactory()).pk, _partner_body(siren=p.siren)),
    "PATCH /api/v1/partners/{id}/": lambda w: (w.channel, PartnerFactory().pk, {"capacity": 12}),
    "POST /api/v1/partners/{id}/suspend/": lambda w: (w.channel, PartnerFactory().pk, {"reason": "Contrat rompu"}),
    "POST /api/v1/partners/{id}/activate/": lambda w: (
        w.channel,
        PartnerFactory(status="suspended").pk,
        {"reason": "Contrat repris"},
    ),
    "POST /api/v1/roadshows/{id}/add-attendee/": lambda w: (
        w.channel,
        RoadshowFactory().pk,
        {"partner": w.partner_a.pk},
    ),
    "POST /api/v1/roadshows/{id}/remove-attendee/": lambda w: (
        w.channel,
        RoadshowFactory(partners=[w.partner_a]).pk,
        {"partner": w.partner_a.pk},
    ),
    "POST /api/v1/secondments/{id}/end/": lambda w: (
        w.channel,
        SecondmentFactory(partner=w.partner_a, starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30)).pk,
        {"ends_on": "2026-03-31", "reason": "Retour anticipé"},
    ),
    "POST /api/v1/roadshows/": lambda w: (
        w.channel,
        None,
        {"title": "Tour IA", "city": "Lyon", "region": "auvergne_rhone_alpes", "date": "2026-03-15", "partners": []},
    ),
    "PUT /api/v1/roadshows/{id}/": lambda w: (
        w.channel,
        RoadshowFactory().pk,
        {"title": "Tour IA", "city": "Lyon", "region": "auvergne_rhone_alpes", "date": "2026-03-15", "partners": []},
    ),
    "PATCH /api/v1/roadshows/{id}/": lambda w: (w.channel, RoadshowFactory().pk, {"city": "Nantes"}),
    "POST /api/v1/secondments/": lambda w: (
        w.channel,
        None,
        {
            "expert_name": "Claire",
            "expert_email": "claire@vendor.example",
            "expertise": "technical",
            "partner": w.partner_a.pk,
            "starts_on": "2026-01-01",
            "ends_on": "2026-06-30",
        },
    ),
    "PUT /api/v1/secondments/{id}/": lambda w: (
        w.channel,
        SecondmentFactory(partner=w.partner_a).pk,
        {
            "expert_name": "Claire",
            "expert_email": "claire@vendor.example",
            "expertise": "technical",
            "partner": w.partner_a.pk,
            "starts_on": "2026-01-01",
            "ends_on": "2026-06-30",
        },
    ),
    "PATCH /api/v1/secondments/{id}/": lambda w: (
        w.channel,
        SecondmentFactory(partner=w.partner_a).pk,
        {"ends_on": "2026-07-31"},
    ),
    "POST /api/v1/settlements/": lambda w: (w.channel, None, {"period": "2025-Q1"}),
    "POST /api/v1/settlements/{id}/mark-paid/": lambda w: (
        w.channel,
        _close(_settlement_run(w, approved=True), w).pk,
        {"paid_on": date.today().isoformat(), "payment_reference": "VIR-2025-001", "references": []},
    ),
    "POST /api/v1/targets/": lambda w: (w.channel, None, _target_body()),
    "PUT /api/v1/targets/{id}/": lambda w: (w.channel, _target().pk, _target_body()),
    "PATCH /api/v1/targets/{id}/": lambda w: (w.channel, _target().pk, {"value": "0.6"}),
    "POST /api/v1/users/": lambda w: (
        w.channel,
        None,
        {"email": "new@alpha.example", "role": "partner_rep", "partner": w.partner_a.pk},
    ),
    "POST /api/v1/users/{id}/role/": lambda w: (
        w.channel,
        UserFactory(role=Role.PARTNER_REP, partner=w.partner_a).pk,
        {"role": "partner_admin"},
    ),
}

#: Fields an operation accepts in its schema but ignores in this call (read-only for an existing row).
IGNORED_IN_CALL = {
    # The registration's account, partner and product line never change once registered; a partner
    # user never sets the partner nor the order system's external id (read-only for them).
    "PUT /api/v1/opportunities/{id}/": {"account", "account_siren", "partner", "product_line"},
    "PATCH /api/v1/opportunities/{id}/": {"account", "account_siren", "partner", "product_line", "external_id"},
}


# --- The kinds of bad input, derived from a field's schema -------------------------------------------


def field_type(spec: dict) -> str:
    """integer, decimal, date, boolean, array, enum, file, text or object."""
    if "allOf" in spec or "oneOf" in spec or "$ref" in spec or "enum" in spec:
        return "enum"
    kind, fmt = spec.get("type"), spec.get("format")
    if kind == "string":
        return {"decimal": "decimal", "date": "date", "binary": "file"}.get(fmt, "text")
    return {"integer": "integer", "number": "decimal", "boolean": "boolean", "array": "array"}.get(kind, "object")


def _too_many_decimals(spec):
    return "1." + "1" * 9


#: kind id → (applies to field types, bad values). JSON bodies only, unless marked for multipart.
FIELD_KINDS: dict[str, tuple[frozenset, Callable[[dict], list]]] = {
    "wrong type: text for a number": (frozenset({"integer", "decimal"}), lambda s: ["twelve"]),
    "wrong type: list for a text": (frozenset({"text", "date", "enum", "decimal"}), lambda s: [["a", "b"]]),
    "wrong type: object for a text": (frozenset({"text", "date"}), lambda s: [{"a": 1}]),
    "wrong type: text for a list": (frozenset({"array"}), lambda s: ["ai", {"a": 1}]),
    "wrong type: text for yes/no": (frozenset({"boolean"}), lambda s: ["maybe", [True]]),
    "huge number": (frozenset({"integer", "decimal"}), lambda s: [10**40, 1e30, "1e30", -(10**40)]),
    "too many decimals": (frozenset({"decimal"}), lambda s: [_too_many_decimals(s)]),
    "bad date": (frozenset({"date"}), lambda s: ["2026-02-30", "31/12/2026", 20260101]),
    "unknown choice": (frozenset({"enum"}), lambda s: ["not-a-choice"]),
    "text too long": (frozenset({"text"}), lambda s: ["x" * (s["maxLength"] + 1)] if "maxLength" in s else []),
    "null where not allowed": (
        frozenset({"integer", "decimal", "date", "boolean", "array", "enum", "text"}),
        lambda s: [] if s.get("nullable") else [None],
    ),
    "huge number in a list": (
        frozenset({"array"}),
        lambda s: [[10**40]] if resolve(s.get("items", {})).get("type") == "integer" else [],
    ),
}
MULTIPART_KINDS = {"wrong type: text for yes/no", "text instead of a file"}
WHOLE_BODY_KINDS = ("unknown field", "missing required field", "malformed JSON", "not an object", "empty body")


@dataclass(frozen=True)
class Bad:
    field: str | None  # the field the answer must name; None: ``detail`` or ``non_field_errors``
    body: object  # dict (JSON or multipart), or raw bytes
    raw: bool = False


def open_fields(op: Operation) -> list[tuple[str, dict]]:
    ignored = IGNORED_IN_CALL.get(op.key, set())
    return [(name, spec) for name, spec in op.properties if name not in ignored and not spec.get("readOnly")]


def required_fields(op: Operation) -> list[str]:
    if op.method == "patch":
        return []
    return [name for name in op.required if name not in IGNORED_IN_CALL.get(op.key, set())]


def bad_bodies(op: Operation, kind: str, good: dict) -> list[Bad]:
    fields = open_fields(op)
    if kind == "unknown field":
        return [Bad("ammount", {**good, "ammount": "12500.00"}), Bad("Partner_Id", {**good, "Partner_Id": 1})]
    if kind == "missing required field":
        return [Bad(name, {k: v for k, v in good.items() if k != name}) for name in required_fields(op)]
    if kind == "malformed JSON":
        return [Bad(None, b'{"name": "unterminated', raw=True), Bad(None, b"\xff\xfe not utf-8", raw=True)]
    if kind == "not an object":
        return [Bad(None, b"[1, 2]", raw=True), Bad(None, b'"text"', raw=True), Bad(None, b"12", raw=True)]
    if kind == "empty body":
        return [Bad(name, {}) for name in required_fields(op)[:1]]
    if kind == "text instead of a file":
        return [Bad(name, {**good, name: "not a file"}) for name, spec in fields if field_type(spec) == "file"]
    types, values = FIELD_KINDS[kind]
    return [
        Bad(name, {**good, name: value})
        for name, spec in fields
        if field_type(spec) in types
        for value in values(spec)
        if not (op.multipart and isinstance(value, list | dict))  # a form field holds text only
    ]


def kinds_for(op: Operation) -> list[str]:
    """The kinds of bad input that apply to ``op``, from its schema alone."""
    if op.multipart:
        kinds = ["unknown field", "missing required field", *sorted(MULTIPART_KINDS)]
    else:
        kinds = [*WHOLE_BODY_KINDS, *FIELD_KINDS]
    fields = open_fields(op)
    applies = {
        "missing required field": bool(required_fields(op)),
        "empty body": bool(required_fields(op)),
        "text instead of a file": any(field_type(spec) == "file" for _name, spec in fields),
        **{
            kind: any(field_type(spec) in types and values(spec) for _name, spec in fields)
            for kind, (types, values) in FIELD_KINDS.items()
        },
    }
    return [kind for kind in kinds if applies.get(kind, True)]


TABLE = [pytest.param(op, kind, id=f"{op.key} - {kind}") for op in body_operations() for kind in kinds_for(op)]


# --- The test -------------------------------------------------------------------------------------------


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


def send(client, op: Operation, url: str, bad: Bad):
    if bad.raw:
        return client.generic(op.method.upper(), url, bad.body, content_type="application/json")
    if op.multipart:
        return getattr(client, op.method)(url, bad.body, format="multipart")
    return client.generic(op.method.upper(), url, json.dumps(bad.body), content_type="application/json")


def _rewound(bad: Bad) -> Bad:
    """The same body, its uploaded file (shared by the bodies of one case) read from the start again."""
    if isinstance(bad.body, dict) and hasattr(bad.body.get("file"), "seek"):
        bad.body["file"].seek(0)
    return bad


def names(body) -> set[str]:
    """Every key of a (nested) error body."""
    if isinstance(body, dict):
        return set(body) | {name for value in body.values() for name in names(value)}
    if isinstance(body, list):
        return {name for value in body for name in names(value)}
    return set()


@pytest.mark.django_db
@pytest.mark.parametrize(("op", "kind"), TABLE)
def test_bad_body(op, kind, world, api, census):
    assert op.key in SETUPS, f"{op.key} takes a body: say in SETUPS who calls it, on what, with which good body"
    user, pk, good = SETUPS[op.key](world)
    bodies = bad_bodies(op, kind, good)
    assert bodies, f"no bad body of kind {kind!r} for {op.key}"
    client = api(user)
    url = op.path.replace("{id}", str(pk))
    problems = []
    with census():  # around every bad body of the case: none of them may write anything
        responses = [(bad, send(client, op, url, _rewound(bad))) for bad in bodies]
    for bad, response in responses:
        shown = repr(bad.body)[:120]
        if response.status_code != 400:
            problems.append(f"{shown}: {response.status_code} {response.content[:300]!r}")
            continue
        try:
            answer = response.json()
        except ValueError:
            problems.append(f"{shown}: 400 but not JSON: {response.content[:200]!r}")
            continue
        expected = bad.field or ("detail", "non_field_errors")
        wanted = {expected} if isinstance(expected, str) else set(expected)
        if not wanted & names(answer):
            problems.append(f"{shown}: 400 does not name {expected}: {answer}")
        elif bad.field and kind == "unknown field" and answer.get(bad.field) != ["Unknown field."]:
            problems.append(f"{shown}: {answer}")
    assert not problems, "\n".join(problems)


def test_every_operation_with_a_body_has_a_setup():
    """An endpoint added tomorrow fails here until SETUPS says how to call it."""
    keys = {op.key for op in body_operations()}
    assert keys - set(SETUPS) == set(), "add these to SETUPS"
    assert set(SETUPS) - keys == set(), "these are no longer in the schema"


#: Operations the schema declares without a body: whatever is sent is not read (nothing to validate).
BODILESS = {
    "POST /api/v1/assignment-proposals/{id}/discard/",
    "POST /api/v1/auth/token/rotate/",
    "POST /api/v1/billing-details/{id}/confirm-iban/",
    "POST /api/v1/insights/snapshots/",
    "POST /api/v1/payment-files/{id}/release/",
    "POST /api/v1/users/{id}/deactivate/",
    "POST /api/v1/users/{id}/reactivate/",
    "POST /api/v1/users/{id}/resend-invitation/",
}


def test_the_operations_without_a_body_are_known():
    assert set(bodiless_operations()) == BODILESS
