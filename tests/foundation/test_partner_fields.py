"""Issue 12, item 3: every field a partner user receives, reviewed against SPEC §2.

Each field of every API answer a partner user can read (the components of the OpenAPI schema those
operations return) and each column of every CSV export it can download is classified here as
(a spreadsheet export, ``.xlsx``, is the CSV of the same name for people: it must hold the same number of
columns as that CSV, whose columns are classified, so it carries nothing the review has not seen)

- ``OWN``: the caller's own partner's data (its assignments, deals, statements, users, jobs), or
- ``PUBLIC``: account master data and other data that is nobody's in particular (SPEC §3: an account's
  name, SIREN, sector...; a partner may register on any account, so the company itself is no secret),

with a one-line reason. Another partner's data is never a class: a field that would carry it has no
reason to give. The operations are found as the differential test finds them (``probes.plan_for``) and
read in the shared-accounts world as A's rep and admin; the fields actually received must be in the
schema (so the schema-based review covers what is sent). A new field, or a new export column, that is
not classified here fails the test; so does a classification of a field that no longer exists.
"""

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from ecosystem.xlsx import CONTENT_TYPE as XLSX_CONTENT_TYPE

from .probes import openapi_schema, plan_for
from .shared_world import build

OWN, PUBLIC = "own data", "public (account master data)"

ACCOUNT_MASTER = {
    "id": (PUBLIC, "the account's id: any account may be named when registering (SPEC §3, account lookup)"),
    "name": (PUBLIC, "account master data (SPEC §3): the company, not who covers it"),
    "siren": (PUBLIC, "account master data (SPEC §3)"),
    "sector": (PUBLIC, "account master data (SPEC §3)"),
    "region": (PUBLIC, "account master data (SPEC §3)"),
    "city": (PUBLIC, "account master data (SPEC §3)"),
    "employees": (PUBLIC, "account master data (SPEC §3)"),
    "is_select": (PUBLIC, "account master data (SPEC §3): the vendor's targeting, the same for every partner"),
    "vendor_awareness": (PUBLIC, "account master data (SPEC §3)"),
}

#: Schema component → field → (class, reason).
FIELDS = {
    "Account": {
        **ACCOUNT_MASTER,
        "partner_role": (OWN, "the caller's own partner's role on the account; never who else covers it (SPEC §2)"),
    },
    "AccountLookup": {name: ACCOUNT_MASTER[name] for name in ("id", "name", "siren", "city")},
    "Assignment": {
        "id": (OWN, "the caller's own assignment (partner users see their partner's only, SPEC §2)"),
        "account": (PUBLIC, "the account's id: master data"),
        "account_name": (PUBLIC, "the account's name: master data"),
        "partner": (OWN, "always the caller's own partner"),
        "partner_name": (OWN, "always the caller's own partner"),
        "role": (OWN, "its own role on the account"),
        "valid_from": (OWN, "when its own assignment started"),
        "valid_to": (OWN, "when its own assignment ended"),
        "assigned_by": (OWN, "the channel team member who made its own assignment (vendor staff, no partner's)"),
        "reason": (OWN, "the channel team's note on its own assignment"),
    },
    "Opportunity": {
        "id": (OWN, "its own partner's opportunity (direct and other partners' deals are never listed, SPEC §2)"),
        "account": (PUBLIC, "the account's id: master data"),
        "account_name": (PUBLIC, "the account's name: master data"),
        "partner": (OWN, "always the caller's own partner"),
        "partner_name": (OWN, "always the caller's own partner"),
        "route": (OWN, "its own deal's route"),
        "product_line": (OWN, "its own deal"),
        "amount": (OWN, "its own deal"),
        "stage": (OWN, "its own deal"),
        "expected_close": (OWN, "its own deal"),
        "closed_on": (OWN, "its own deal"),
        "roadshow": (OWN, "a roadshow its own partner attended (the choice is scoped)"),
        "external_id": (OWN, "its own deal's key in the order system"),
        "description": (OWN, "its own deal"),
        "registration_status": (OWN, "its own registration; the conflict behind it is the channel team's"),
        "decided_at": (OWN, "when its own registration was decided"),
        "decision_reason": (OWN, "the channel team's note to it on its own registration"),
        "protected_until": (OWN, "its own protection"),
        "awaiting_confirmation": (OWN, "whether its own win is a claim awaiting the booking (SPEC §4.2)"),
        "claimed_amount": (OWN, "the amount its own claim declared"),
        "claimed_closed_on": (OWN, "the close date its own claim declared"),
        "claimed_at": (OWN, "when it claimed its own win"),
        "claim_difference": (OWN, "the booked amount less its own claim's"),
        "confirmed_at": (OWN, "when its own win was confirmed"),
        "confirmed_via": (OWN, "how its own win was confirmed: booking, the channel team, at migration"),
        "confirmation_reason": (OWN, "the channel team's reason for confirming its own win by hand"),
        "registration_number": (OWN, "its own registration's number (REG-000123), to name it on a booking"),
        "extension_status": (OWN, "its own extension request"),
        "extension_reason": (OWN, "its own extension request"),
        "extension_requested_at": (OWN, "its own extension request"),
        "extension_decided_at": (OWN, "the decision on its own extension request"),
        "extension_decision_reason": (OWN, "the channel team's note to it on its own extension request"),
        "created_at": (OWN, "its own deal"),
        "updated_at": (OWN, "its own deal; other partners' changes never touch it (conflict flags skip it)"),
        "has_conflict": (OWN, "left out for partner users (HIDDEN_FROM_PARTNERS): the channel team's triage"),
    },
    "HistoryEntry": {
        "at": (OWN, "a change of its own deal"),
        "by": (OWN, "its own colleague, or 'Channel team' for vendor staff (opportunities/history.py)"),
        "kind": (OWN, "a change of its own deal"),
        "stage": (OWN, "its own deal's stage then"),
        "registration": (OWN, "its own registration then"),
        "changes": (OWN, "its own deal's fields, conflict flags and internal keys left out"),
    },
    "HistoryChange": {
        "field": (OWN, "a field of its own deal"),
        "old": (OWN, "its own deal's value before"),
        "new": (OWN, "its own deal's value after"),
    },
    "Partner": {
        "id": (OWN, "the caller's own partner (the only one it sees)"),
        "name": (OWN, "its own partner"),
        "siren": (OWN, "its own partner"),
        "kind": (OWN, "its own partner"),
        "tier": (OWN, "its own partner"),
        "regions": (OWN, "its own partner"),
        "specialisations": (OWN, "its own partner"),
        "status": (OWN, "its own partner"),
        "joined_on": (OWN, "its own partner"),
        "capacity": (OWN, "its own partner's capacity for assignment proposals"),
    },
    "Secondment": {
        "id": (OWN, "an expert placed in its own partner"),
        "expert_name": (OWN, "an expert placed in its own partner"),
        "expert_email": (OWN, "an expert placed in its own partner"),
        "expertise": (OWN, "an expert placed in its own partner"),
        "partner": (OWN, "always the caller's own partner"),
        "partner_name": (OWN, "always the caller's own partner"),
        "starts_on": (OWN, "its own secondment"),
        "ends_on": (OWN, "its own secondment"),
    },
    "Roadshow": {
        "id": (PUBLIC, "a roadshow its partner attends: the vendor's event, not a partner's data"),
        "title": (PUBLIC, "the vendor's event"),
        "city": (PUBLIC, "the vendor's event"),
        "region": (PUBLIC, "the vendor's event"),
        "date": (PUBLIC, "the vendor's event"),
        "partners": (OWN, "only the caller's own partner's id: who else attends is never told (RoadshowSerializer)"),
    },
    "Statement": {
        "id": (OWN, "its own partner's statement (approved or paid runs only)"),
        "run": (OWN, "the run of its own statement"),
        "period": (OWN, "its own statement's period"),
        "run_status": (OWN, "its own statement's status (approved, paid)"),
        "partner": (OWN, "always the caller's own partner"),
        "partner_name": (OWN, "always the caller's own partner"),
        "partner_siren": (OWN, "always the caller's own partner"),
        "total": (OWN, "its own statement's total: the sum of its own lines, never the run's"),
        "line_count": (OWN, "its own statement's lines"),
        "paid_on": (OWN, "when its own statement was paid"),
        "payment_reference": (OWN, "the reference of its own payment"),
        "preliminary": (OWN, "whether its own statement's run was computed before the period ended"),
        "figures_through": (OWN, "the day its own preliminary figures stop at"),
        "carried": (OWN, "its own partner's earlier negative totals applied to this run (CarryForward of its partner)"),
        "to_be_paid": (OWN, "its own invoice's total less its own carried amounts"),
    },
    "StatementDetail": {
        "lines": (OWN, "its own statement's lines"),
    },  # and the Statement's fields, added below
    "PayoutLine": {
        "id": (OWN, "a line of its own statement"),
        "kind": (OWN, "a line of its own statement"),
        "opportunity": (OWN, "its own deal the line pays (a clawback stays with the partner of the line, SPEC §4.1)"),
        "account": (PUBLIC, "the account of its own deal: master data; null once a booking moved the deal away"),
        "product_line": (OWN, "its own deal's; null once the deal is another partner's (PayoutLine.shown_deal)"),
        "closed_on": (OWN, "its own deal's; null once the deal is another partner's (PayoutLine.shown_deal)"),
        "deal_period": (OWN, "the period of its own deal"),
        "rule": (OWN, "the rule that paid its own deal (every line explains itself to the partner, SPEC §4)"),
        "rule_name": (OWN, "the rule that paid its own deal"),
        "base_amount": (OWN, "its own deal's amount"),
        "rate": (OWN, "its own line's rate or band"),
        "accelerator": (OWN, "its own accelerator (its own quota and attainment)"),
        "capped": (OWN, "its own cap (caps are per partner)"),
        "payout": (OWN, "its own payout"),
        "explanation": (OWN, "the arithmetic of its own line, over its own deals (tiers and caps are per partner)"),
        "explanation_parts": (OWN, "the same arithmetic of its own line as stored: figures of its own deals and rules"),
        "corrects": (OWN, "its own earlier line that this adjustment corrects"),
        "open_dispute": (OWN, "its own dispute of the line"),
    },
    "Dispute": {
        "id": (OWN, "a dispute of its own line"),
        "line": (OWN, "its own line"),
        "period": (OWN, "its own line's period"),
        "partner": (OWN, "always the caller's own partner"),
        "partner_name": (OWN, "always the caller's own partner"),
        "opportunity": (OWN, "its own deal"),
        "account": (PUBLIC, "the account of its own deal: master data; null once a booking moved the deal away"),
        "rule_name": (OWN, "the rule of its own line"),
        "payout": (OWN, "its own payout"),
        "explanation": (OWN, "its own line's arithmetic"),
        "status": (OWN, "its own dispute"),
        "opened_by": (OWN, "its own administrator who opened it"),
        "created_at": (OWN, "its own dispute"),
        "resolved_at": (OWN, "its own dispute"),
        "resolution": (OWN, "the channel team's answer to its own dispute"),
        "messages": (OWN, "its own dispute's thread"),
        "outcome": (OWN, "the decision on its own dispute: accepted or rejected"),
        "outcome_amount": (OWN, "what its own accepted dispute pays"),
        "adjustment_period": (OWN, "the run its own dispute's adjustment is paid in"),
    },
    "DisputeMessage": {
        "id": (OWN, "a message of its own dispute's thread"),
        "author": (OWN, "its own administrator, or the channel team member who answered it"),
        "side": (OWN, "partner or vendor side of its own thread"),
        "body": (OWN, "its own dispute's thread"),
        "created_at": (OWN, "its own dispute's thread"),
    },
    "Job": {
        "id": (OWN, "a job its own user started (JobQuerySet: nobody else's)"),
        "kind": (OWN, "its own job"),
        "kind_label": (OWN, "its own job's kind, in words"),
        "state": (OWN, "its own job"),
        "state_label": (OWN, "its own job's state, in words"),
        "progress": (OWN, "its own job"),
        "total": (OWN, "its own job"),
        "percent": (OWN, "its own job"),
        "message": (OWN, "its own job"),
        "message_label": (OWN, "its own job's progress note, in words"),
        "params": (OWN, "what its own user asked"),
        "result": (OWN, "what its own job produced"),
        "error": (OWN, "its own job's failure"),
        "created_by": (OWN, "its own user"),
        "created_at": (OWN, "its own job"),
        "started_at": (OWN, "its own job"),
        "finished_at": (OWN, "its own job"),
        "attempts": (OWN, "its own job"),
    },
    "User": {
        "id": (OWN, "a colleague of its own partner (partner administrators only)"),
        "username": (OWN, "its colleague's login; a placeholder until an invitation is accepted, for everyone"),
        "email": (OWN, "its colleague's address"),
        "first_name": (OWN, "its colleague"),
        "last_name": (OWN, "its colleague"),
        "role": (OWN, "its colleague's role"),
        "partner": (OWN, "always the caller's own partner"),
        "partner_name": (OWN, "always the caller's own partner"),
        "status": (OWN, "its colleague: active, invited (held invitations look the same) or deactivated"),
        "is_active": (OWN, "its colleague"),
        "last_login": (OWN, "its colleague"),
        "date_joined": (OWN, "its colleague"),
    },
    "Estimate": {
        "partner": (OWN, "always the caller's own partner"),
        "account": (PUBLIC, "the account's id: master data"),
        "product_line": (OWN, "the deal the caller describes"),
        "amount": (OWN, "the deal the caller describes"),
        "date": (OWN, "the day it assumes the deal closes"),
        "period": (OWN, "the quarter of that day"),
        "payout": (OWN, "what its own deal would pay: today's rules over its own won deals of the quarter"),
        "other_deals_effect": (OWN, "the effect on its own other deals (tiers and caps are per partner)"),
        "no_rule_reason": (OWN, "why no rule would pay its own deal"),
        "notes": (OWN, "about its own deals of the quarter"),
        "lines": (OWN, "its own deal's lines"),
    },
    "EstimateLine": {
        "rule": (OWN, "a rule in force that would pay its own deal (rules are the vendor's offer to partners)"),
        "rule_name": (OWN, "the rule that would pay its own deal"),
        "program": (OWN, "the programme of that rule"),
        "stacking": (OWN, "how that rule adds up"),
        "payout": (OWN, "what its own deal would earn"),
        "rate": (OWN, "the rate or band its own deal would get"),
        "accelerator": (OWN, "its own quota's accelerator"),
        "capped": (OWN, "its own cap"),
        "explanation": (OWN, "the arithmetic over its own deals"),
    },
    # SPEC §4.3: its own earnings, preliminary, approved and paid apart.
    "Earnings": {
        "quarter": (OWN, "the quarter of its own figures"),
        "this_quarter": (OWN, "its own preliminary earnings this quarter"),
        "this_quarter_until": (OWN, "the day its own preliminary figures stop at"),
        "preliminary": (OWN, "its own statements of runs not approved yet"),
        "approved": (OWN, "its own approved statements not paid yet"),
        "approved_total": (OWN, "their total"),
        "paid": (OWN, "its own paid statements"),
        "paid_this_year": (OWN, "what it was paid this year"),
    },
    "EarningsFigure": {
        "statement": (OWN, "its own statement"),
        "period": (OWN, "its own statement's period"),
        "status": (OWN, "its own statement's state"),
        "total": (OWN, "its own statement's total"),
        "figures_until": (OWN, "the day its own preliminary figures stop at"),
        "paid_on": (OWN, "when its own statement was paid"),
        "payment_reference": (OWN, "its own payment's reference"),
        "carried": (OWN, "its own partner's earlier negative totals taken off this payment"),
        "to_be_paid": (OWN, "its own invoice's total less its own carried amounts"),
    },
    # SPEC §4.3 / §5.1: a partner reads its own quotas (what its accelerators measure against).
    "Quota": {
        "id": (OWN, "its own quota"),
        "partner": (OWN, "always the caller's own partner"),
        "partner_name": (OWN, "always the caller's own partner"),
        "partner_siren": (OWN, "always the caller's own partner"),
        "period": (OWN, "its own quota's period"),
        "amount": (OWN, "its own quota"),
        "locked": (OWN, "whether its own quota's period is settled (it no longer changes)"),
    },
    "QuotaChange": {
        "date": (OWN, "when its own quota changed"),
        "user": (OWN, "who changed it: vendor staff, hidden from partner users"),
        "type": (OWN, "created or changed"),
        "old": (OWN, "its own quota before"),
        "amount": (OWN, "its own quota after"),
        "reason": (OWN, "why its own quota changed"),
    },
    # The pickers' answers: rows the caller may name (its own, or accounts, which any partner may name).
    "PickResults": {"results": (OWN, "the rows the caller may pick, scoped like the lists")},
    "PickResult": {
        "id": (PUBLIC, "an account's id (any account may be named) or the caller's own partner's"),
        "label": (PUBLIC, "the account's name, SIREN and city, or its own partner's name"),
        "detail": (OWN, "'one of your accounts' for its own: never who else covers an account"),
    },
    # SPEC §5.2: a partner admin reads its own partner's billing details (a rep reads none).
    "BillingDetails": {
        "id": (OWN, "its own partner's billing details"),
        "partner": (OWN, "always the caller's own partner"),
        "partner_name": (OWN, "always the caller's own partner"),
        "legal_name": (OWN, "its own legal name"),
        "address_line": (OWN, "its own address"),
        "address_line_2": (OWN, "its own address"),
        "postal_code": (OWN, "its own address"),
        "city": (OWN, "its own address"),
        "country": (OWN, "its own address"),
        "vat_number": (OWN, "its own VAT number"),
        "vat_exempt": (OWN, "its own VAT status"),
        "vat_exemption_mention": (OWN, "its own exemption mention"),
        "iban_masked": (OWN, "its own IBAN, masked (the full IBAN is written, never read back)"),
        "bic": (OWN, "its own bank's BIC"),
        "iban_status": (OWN, "whether its own IBAN change is confirmed"),
        "iban_changed_at": (OWN, "when its own IBAN changed"),
        "iban_changed_by": (OWN, "who changed its own IBAN: one of its admins or the channel team"),
        "iban_confirmed_at": (OWN, "when the channel team confirmed its own IBAN"),
        "iban_confirmed_by": (OWN, "the channel team member who confirmed it (vendor staff)"),
        "updated_at": (OWN, "when its own details last changed"),
    },
    # A self-billed invoice is between the vendor and the caller's own partner (SPEC §5.2).
    "Invoice": {
        "id": (OWN, "its own invoice"),
        "number": (OWN, "its own invoice's number"),
        "year": (OWN, "its own invoice's year"),
        "kind": (OWN, "invoice or credit note: its own"),
        "partner": (OWN, "always the caller's own partner"),
        "partner_name": (OWN, "always the caller's own partner"),
        "run": (OWN, "the run of its own statement"),
        "statement": (OWN, "its own statement"),
        "period": (OWN, "its own statement's period"),
        "period_start": (OWN, "its own statement's period"),
        "period_end": (OWN, "its own statement's period"),
        "issued_on": (OWN, "its own invoice's date"),
        "line_count": (OWN, "its own statement's lines"),
        "net": (OWN, "its own amounts"),
        "vat_rate": (OWN, "its own VAT rate"),
        "vat": (OWN, "its own amounts"),
        "gross": (OWN, "its own amounts"),
        "vat_exemption_mention": (OWN, "its own exemption mention"),
        "supplier_name": (OWN, "the supplier is the caller's own partner (self-billing)"),
        "supplier_address": (OWN, "its own address, frozen at issue"),
        "supplier_siren": (OWN, "its own SIREN"),
        "supplier_vat_number": (OWN, "its own VAT number"),
        "customer_name": (PUBLIC, "the vendor itself, the customer of every self-billed invoice"),
        "customer_address": (PUBLIC, "the vendor's address"),
        "customer_siren": (PUBLIC, "the vendor's SIREN"),
        "customer_vat_number": (PUBLIC, "the vendor's VAT number"),
        "corrects_numbers": (OWN, "the numbers of its own invoices a credit note corrects"),
    },
}

FIELDS["StatementDetail"].update(FIELDS["Statement"])

#: CSV export (the file name's first word) → column → (class, reason).
CSV_COLUMNS = {
    "accounts": {
        **{name: ACCOUNT_MASTER[name] for name in ACCOUNT_MASTER if name != "id"},
        "partner_role": (OWN, "its own role on the account, instead of the primary partner's SIREN and name"),
    },
    "assignments": {
        "account_siren": (PUBLIC, "account master data"),
        "account": (PUBLIC, "account master data"),
        "partner_siren": (OWN, "always the caller's own partner"),
        "partner": (OWN, "always the caller's own partner"),
        "role": (OWN, "its own role"),
        "valid_from": (OWN, "its own assignment"),
        "valid_to": (OWN, "its own assignment"),
        "assigned_by": (OWN, "the channel team member who made its own assignment"),
        "reason": (OWN, "the channel team's note on its own assignment"),
    },
    "statement": {
        "partner_siren": (OWN, "always the caller's own partner"),
        "partner": (OWN, "always the caller's own partner"),
        "period": (OWN, "its own statement's period"),
        "opportunity": (OWN, "its own deal"),
        "account": (PUBLIC, "the account of its own deal; empty once a booking moved the deal away"),
        "product_line": (OWN, "its own deal's; empty once the deal is another partner's"),
        "amount": (OWN, "its own deal's amount"),
        "rule": (OWN, "the rule that paid its own deal"),
        "calculation": (OWN, "its own line's arithmetic"),
        "payout": (OWN, "its own payout"),
    },
}

#: Schema components that only wrap others (pagination), with no field of their own to classify.
ENVELOPES = {"count", "next", "previous", "results"}


def _resolve(node, schema):
    while isinstance(node, dict) and "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _component(node) -> str | None:
    return node["$ref"].rsplit("/", 1)[1] if isinstance(node, dict) and "$ref" in node else None


def _walk_schema(node, schema, found: dict, owner: str | None = None):
    """Every (component, property) reachable from ``node``; paginated wrappers are walked through."""
    for option in (node.get("allOf") or node.get("oneOf") or node.get("anyOf") or []) if isinstance(node, dict) else []:
        _walk_schema(option, schema, found, owner)
    name = _component(node)
    node = _resolve(node, schema)
    if name is not None and isinstance(node, dict) and "properties" in node:  # an object, not an enum
        if name in found:
            return
        found[name] = set()
        owner = name
    if not isinstance(node, dict):
        return
    if node.get("type") == "array" or "items" in node:
        _walk_schema(node.get("items", {}), schema, found, owner)
    for prop, sub in (node.get("properties") or {}).items():
        if owner is not None and not (owner.startswith("Paginated") and prop in ENVELOPES):
            found[owner].add(prop)
        _walk_schema(sub, schema, found, None)


#: Fields whose value is a free-form JSON object (no keys in the schema), classified as a whole above.
#: A line's explanation parts vary by kind (commissions/explaining.py): every key in them is a figure of the
#: partner's own line (its rule's name, its deal's amount, its quota and attainment), classified OWN as a whole.
FREE_FORM = {("Job", "params"), ("Job", "result"), ("PayoutLine", "explanation_parts")}


def _received(value, node, schema, owner, seen: set, unknown: list, where: str, field=None):
    """Walk a JSON answer along its schema: note (component, key) received; what the schema does not
    describe (a key it lacks, an untyped object) is reported, since the review could not see it."""
    for option in (node.get("allOf") or []) if isinstance(node, dict) else []:
        node = option if "$ref" in option else node
    owner = _component(node) or owner
    node = _resolve(node, schema)
    if isinstance(value, list):
        for item in value:
            _received(item, node.get("items", {}), schema, owner, seen, unknown, where, field)
    elif isinstance(value, dict) and isinstance(node, dict):
        properties = node.get("properties")
        if properties is None:
            if field not in FREE_FORM:
                what = f"{field[0]}.{field[1]}" if field else "the answer"
                unknown.append(f"{where}: {what} is an object the schema does not describe "
                               "(type it with extend_schema_field, or list it in FREE_FORM)")  # fmt: skip
            return
        for key, item in value.items():
            if key not in properties:
                unknown.append(f"{where}: {owner}.{key} is sent but not in the schema")
                continue
            if not (owner or "").startswith("Paginated"):
                seen.add((owner, key))
            _received(item, properties[key], schema, None, seen, unknown, where, (owner, key))


def _response_schema(operation):
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    return content.get("application/json", {}).get("schema")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["partner_rep", "partner_admin"])
def test_every_field_a_partner_receives_is_classified(role, world):
    shared = build(world)
    caller = world.rep_a if role == "partner_rep" else world.admin_a
    plan = plan_for(shared, caller)
    assert not plan.problems, "\n".join(plan.problems)
    schema = openapi_schema()
    operations = {
        path: methods["get"] for path, methods in schema["paths"].items() if "get" in methods
    }  # fmt: skip
    api, page = APIClient(), Client()
    api.force_authenticate(caller)
    page.force_login(caller)

    components: dict[str, set] = {}
    received: set = set()
    unknown: list[str] = []
    columns: dict[str, list[str]] = {}
    spreadsheets: dict[str, tuple] = {}
    for probe in plan.probes:
        if not probe.readable or "format=api" in probe.url:
            continue
        response = (api if probe.api else page).get(probe.url)
        if response.status_code != 200:
            continue
        if response.get("Content-Type", "").startswith("text/csv"):
            body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
            kind = response["Content-Disposition"].split('filename="', 1)[1].split("-", 1)[0]
            columns[kind] = next(csv.reader(io.StringIO(body)))
            continue
        if response.get("Content-Type", "") == XLSX_CONTENT_TYPE:
            kind = response["Content-Disposition"].split('filename="', 1)[1].split("-", 1)[0]
            sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
            spreadsheets[kind] = next(sheet.iter_rows(values_only=True))
            continue
        if not probe.api or not probe.base:
            continue
        # The operation of this URL: a literal segment wins over a {placeholder} (account-lookup/ vs {id}/).
        candidates = [p for p in operations if _matches(p, probe.url.split("?", 1)[0])]
        template = min(candidates, key=lambda p: p.count("{"), default=None)
        node = _response_schema(operations[template]) if template else None
        if node is None:
            continue
        _walk_schema(node, schema, components)
        _received(response.json(), node, schema, None, received, unknown, probe.where)

    problems = list(unknown)
    for component, fields in sorted(components.items()):
        if component.startswith("Paginated"):
            continue
        classified = FIELDS.get(component)
        if classified is None:
            problems.append(f"{component} (fields {sorted(fields)}) reaches partner users and is not reviewed: add it")
            continue
        for name in sorted(fields - set(classified)):
            problems.append(f"{component}.{name} reaches partner users and is not classified: add it to FIELDS")
    for kind, header in sorted(columns.items()):
        classified = CSV_COLUMNS.get(kind)
        if classified is None:
            problems.append(f"the {kind!r} export ({header}) reaches partner users and is not reviewed: add it")
            continue
        for name in header:
            if name not in classified:
                problems.append(f"column {name!r} of the {kind!r} export is not classified: add it to CSV_COLUMNS")
    for kind, header in sorted(spreadsheets.items()):
        if kind not in columns:
            problems.append(f"the {kind!r} spreadsheet ({header}) reaches partner users without a reviewed CSV")
        elif len(header) != len(columns[kind]):
            problems.append(f"the {kind!r} spreadsheet ({header}) has other columns than its CSV {columns[kind]}")
    for component, fields in FIELDS.items():
        for name, (kind, reason) in fields.items():
            assert kind in (OWN, PUBLIC) and reason, f"{component}.{name}: own data or public, with a reason"
    assert not problems, "\n".join(problems)
    assert received, "no JSON field was read: is the world empty?"
    assert {"accounts", "statement"} <= set(columns), f"the partner exports were not read: {sorted(columns)}"
    assert {"accounts", "statement"} <= set(spreadsheets), (
        f"the partner spreadsheets were not read: {sorted(spreadsheets)}"
    )


def test_no_classification_outlives_its_field():
    """A classified field that no partner-readable component has any more is a stale entry."""
    schema = openapi_schema()["components"]["schemas"]
    stale = [
        f"{component}.{name}"
        for component, fields in FIELDS.items()
        for name in fields
        if component not in schema or name not in schema[component].get("properties", {})
    ]
    assert not stale, f"classified fields that no longer exist in the schema: {stale}: remove them from FIELDS"


def _matches(template: str, path: str) -> bool:
    parts, concrete = template.strip("/").split("/"), path.strip("/").split("/")
    return len(parts) == len(concrete) and all(
        p == c or (p.startswith("{") and p.endswith("}")) for p, c in zip(parts, concrete, strict=True)
    )
