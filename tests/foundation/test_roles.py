"""SPEC §2 role rules on the API, table-driven; partner A's lists hold partner A's rows only.

Role table: anonymous → 401 everywhere; partner users → 403 on creating and editing the
channel team's resources; managers read everything and write nothing (403); the channel
team writes. Lists: partner A's users get exactly partner A's rows, whatever filter, search
or ordering they add, and a filter naming another partner's id tells them nothing.
"""

import re
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from accounts.models import AssignmentProposal
from ecosystem.roles import Role

from ..factories import (
    AccountFactory,
    AssignmentFactory,
    DirectOpportunityFactory,
    OpportunityFactory,
    RoadshowFactory,
    SecondmentFactory,
    next_siren,
)
from .registry import IN_SCOPE, NOT_ROW_LISTS, OUT_OF_SCOPE, label_of
from .urlwalk import api_endpoints, list_endpoints

LISTS = list_endpoints()
PARTNER_ROLES = ["partner_rep", "partner_admin"]
#: API routes anonymous callers may use, with the reason.
ANONYMOUS_ALLOWED = {"api:api-token": "exchanges a username and password for a token"}


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


def caller(world, role):
    return {
        "channel": world.channel,
        "manager": world.manager,
        "partner_rep": world.rep_a,
        "partner_admin": world.admin_a,
    }[role]


# --- Anonymous --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", LISTS, ids=str)
def test_anonymous_gets_401_on_every_list(endpoint, world):
    response = client_for(None).get(endpoint.url())
    assert response.status_code == 401, f"GET {endpoint.url()} anonymous: {response.status_code}"
    assert "WWW-Authenticate" in response, "a 401 says how to authenticate"


@pytest.mark.django_db
def test_anonymous_gets_401_on_every_api_route(world):
    """Every method of every route under /api/v1/, detail and actions included (never 404: no oracle)."""
    client, failures = client_for(None), []
    for endpoint in api_endpoints():
        if endpoint.name in ANONYMOUS_ALLOWED or endpoint.is_format_suffix:
            continue
        url = endpoint.url(**dict.fromkeys(endpoint.id_kwargs, world.partner_a.pk))
        for method in sorted(endpoint.mapped_methods() - {"options", "head"}):
            response = getattr(client, method)(url)
            if response.status_code != 401:
                failures.append(f"{method.upper()} {url}: {response.status_code}")
    assert not failures, "anonymous calls that did not answer 401:\n" + "\n".join(failures)


# --- Writes by role ----------------------------------------------------------------------------------


def _payloads(world):
    """Per resource: a valid create body, the row an edit targets (visible to partner A), an edit body."""
    account_of_a = AssignmentFactory(partner=world.partner_a).account
    return {
        "partners": (
            {
                "name": "Nouveau partenaire",
                "siren": next_siren(),
                "kind": "integrator",
                "tier": "gold",
                "status": "active",
                "joined_on": "2024-01-01",
                "regions": ["ile_de_france"],
                "specialisations": ["ai"],
            },
            world.partner_a,
            {"tier": "platinum"},
        ),
        "accounts": (
            {
                "name": "Nouveau compte",
                "siren": next_siren(),
                "sector": "industry",
                "region": "ile_de_france",
                "city": "Lyon",
                "employees": 10,
                "is_select": True,
                "vendor_awareness": "low",
            },
            account_of_a,
            {"is_select": False},
        ),
        "assignments": (  # fmt: skip
            {
                "account": AccountFactory().pk,
                "partner": world.partner_a.pk,
                "role": "primary",
                "valid_from": "2025-02-01",
            },
            AssignmentFactory(partner=world.partner_a),
            None,  # never edited: ended (its own action below)
        ),
        "secondments": (
            {
                "expert_name": "Camille Expert",
                "expert_email": "camille@vendor.example",
                "expertise": "technical",
                "partner": world.partner_a.pk,
                "starts_on": "2026-01-01",
                "ends_on": "2026-06-30",
            },
            SecondmentFactory(partner=world.partner_a),
            {"expertise": "sales"},
        ),
        "roadshows": (
            {
                "title": "Roadshow Nantes",
                "city": "Nantes",
                "region": "pays_de_la_loire",
                "date": "2026-05-01",
                "partners": [world.partner_a.pk],
            },
            RoadshowFactory(partners=[world.partner_a]),
            {"city": "Angers"},
        ),  # fmt: skip
        "targets": (
            {"name": "50 % en 2028", "value": "0.5000", "baseline_period": "2025-Q1", "deadline": "2028-12-31"},
            OUT_OF_SCOPE["insights.Target"](world)["internal"],
            {"value": "0.6000"},
        ),
        "commission-programs": (
            {"name": "Programme 2027", "valid_from": "2027-01-01", "status": "draft"},
            OUT_OF_SCOPE["commissions.Program"](world)["internal"],
            {"description": "changed"},
        ),
        "opportunities": (
            {
                "account": account_of_a.pk,
                "product_line": "security",
                "amount": "1000.00",
                "route": "partner_sourced",
                "partner": world.partner_a.pk,
                "expected_close": "2027-06-30",
            },
            OpportunityFactory(partner=world.partner_a, account=account_of_a),
            {"description": "changed"},
        ),  # fmt: skip
    }


CHANNEL_RESOURCES = [
    "partners", "accounts", "assignments", "secondments", "roadshows", "targets", "commission-programs",
]  # fmt: skip
#: Row actions reserved to the channel team: (resource, action, body).
CHANNEL_ACTIONS = [
    ("assignments", "end", {}),
    ("opportunities", "approve", {}),
    ("opportunities", "reject", {"reason": "no"}),
    ("assignment-proposals", "accept", {}),
    ("assignment-proposals", "discard", {}),
    ("partners", "suspend", {"reason": "contrat rompu"}),
    ("partners", "activate", {}),
    ("secondments", "end", {}),
    ("roadshows", "add-attendee", lambda w: {"partner": w.partner_a.pk}),
    ("roadshows", "remove-attendee", lambda w: {"partner": w.partner_a.pk}),
]

# role → resource → (create status, edit status)
EXPECTED_WRITES = {
    "partner_rep": dict.fromkeys(CHANNEL_RESOURCES, (403, 403)),
    "partner_admin": dict.fromkeys(CHANNEL_RESOURCES, (403, 403)),
    "manager": {**dict.fromkeys(CHANNEL_RESOURCES, (403, 403)), "opportunities": (403, 403)},
    "channel": {**dict.fromkeys(CHANNEL_RESOURCES, (201, 200)), "opportunities": (201, 200)},
}
EXPECTED_WRITES["partner_rep"]["opportunities"] = (201, 200)
EXPECTED_WRITES["partner_admin"]["opportunities"] = (201, 200)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "resource"), [(role, resource) for role, table in EXPECTED_WRITES.items() for resource in table]
)
def test_writes_by_role(role, resource, world):
    create_status, edit_status = EXPECTED_WRITES[role][resource]
    body, row, edit = _payloads(world)[resource]
    client = client_for(caller(world, role))
    model = type(row)
    before = model._base_manager.count()

    response = client.post(f"/api/v1/{resource}/", body, format="json")
    assert response.status_code == create_status, f"{role} POST {resource}: {response.status_code} {response.content}"
    assert model._base_manager.count() == before + (1 if create_status == 201 else 0)

    if edit is not None:
        response = client.patch(f"/api/v1/{resource}/{row.pk}/", edit, format="json")
        assert response.status_code == edit_status, f"{role} PATCH {resource}: {response.status_code}"
        row.refresh_from_db()
        changed = all(str(getattr(row, k)) == str(v) for k, v in edit.items())
        assert changed == (edit_status == 200), f"{role} PATCH {resource}: changed={changed}, {response.content}"
        response = client.put(f"/api/v1/{resource}/{row.pk}/", {**body, **edit}, format="json")
        assert response.status_code in ({403} if edit_status == 403 else {200, 400}), (
            f"{role} PUT {resource}: {response.status_code}"
        )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["partner_rep", "partner_admin", "manager", "channel"])
@pytest.mark.parametrize(("resource", "action", "body"), CHANNEL_ACTIONS)
def test_channel_row_actions_by_role(role, resource, action, body, world):
    today = date.today()
    row = {
        "assignments": lambda: AssignmentFactory(partner=world.partner_a, valid_from=date(2025, 1, 1)),
        "opportunities": lambda: OpportunityFactory(partner=world.partner_a),
        "assignment-proposals": lambda: AssignmentProposal.objects.create(created_by=world.channel, status="ready"),
        # Rows partner A's users see (its own partner, secondment, roadshow): their 403 is the role's.
        "partners": lambda: world.partner_a if action == "suspend" else _suspended(world.partner_a),
        "secondments": lambda: SecondmentFactory(
            partner=world.partner_a, starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=60)
        ),
        "roadshows": lambda: RoadshowFactory(partners=[world.partner_a] if action == "remove-attendee" else []),
    }[resource]()
    if callable(body):
        body = body(world)
    response = client_for(caller(world, role)).post(f"/api/v1/{resource}/{row.pk}/{action}/", body, format="json")
    expected = 200 if role == "channel" else 403
    assert response.status_code == expected, f"{role} {action} {resource}: {response.status_code} {response.content}"


#: Lists the managers do not read, with the reason (SPEC §5.2: billing details are the partner's admins'
#: and the channel team's only; a payment file carries every partner's IBAN).
NOT_FOR_MANAGERS = {
    "api:billingdetails-list": "billing details: the partner's admins and the channel team only (SPEC §5.2)",
    "api:paymentfile-list": "payment files carry the partners' IBANs: the channel team only",
}


def _suspended(partner):
    partner.status = "suspended"
    partner.save(update_fields=["status"])
    return partner


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["manager", "channel"])
@pytest.mark.parametrize("endpoint", LISTS, ids=str)
def test_internal_roles_read_every_list(endpoint, role, world):
    response = client_for(caller(world, role)).get(endpoint.url())
    if endpoint.name == "api:commission-estimate-list":
        assert response.status_code == 400  # the estimator needs its query parameters
        return
    if role == "manager" and endpoint.name in NOT_FOR_MANAGERS:
        assert response.status_code == 403, f"{role} GET {endpoint.url()}: {response.status_code}"
        return
    assert response.status_code == 200, f"{role} GET {endpoint.url()}: {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", PARTNER_ROLES)
def test_partner_users_never_make_a_deal_another_partners(role, world):
    """The partner of a partner user's registration is its own, whatever the body says."""
    account = AccountFactory()
    response = client_for(caller(world, role)).post(
        "/api/v1/opportunities/",
        {
            "account": account.pk,
            "product_line": "ai",
            "amount": "10.00",
            "partner": world.partner_b.pk,
            "expected_close": "2027-06-30",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["partner"] == world.partner_a.pk


# --- Lists as partner A ------------------------------------------------------------------------------


@pytest.fixture
def book(world):
    """A small book of business around partners A and B, and what partner A's users must see of it."""
    a, b = world.partner_a, world.partner_b
    acc_a = AssignmentFactory(partner=a, account=AccountFactory(name="Alpha Client")).account
    acc_shared = AssignmentFactory(partner=b, account=AccountFactory(name="Shared Client")).account
    AssignmentFactory(partner=a, account=acc_shared, role="secondary")
    acc_ended = AssignmentFactory(partner=a, valid_to=date(2025, 6, 30), account=AccountFactory(name="Former Client"))
    acc_b = AssignmentFactory(partner=b, account=AccountFactory(name="Bravo Client")).account
    acc_direct = AccountFactory(name="Direct Client")
    opp_a = OpportunityFactory(partner=a, account=acc_a, description="alpha deal")
    opp_a_shared = OpportunityFactory(partner=a, account=acc_shared, description="alpha shared deal")
    opp_b = OpportunityFactory(partner=b, account=acc_a, description="bravo deal on alpha's account")
    opp_b2 = OpportunityFactory(partner=b, account=acc_b, description="bravo deal")
    opp_direct = DirectOpportunityFactory(account=acc_a, description="direct deal on alpha's account")
    opp_direct2 = DirectOpportunityFactory(account=acc_direct, description="direct deal")
    return {
        "accounts": ({acc_a.pk, acc_shared.pk}, {acc_ended.account_id, acc_b.pk, acc_direct.pk}),
        "opportunities": ({opp_a.pk, opp_a_shared.pk}, {opp_b.pk, opp_b2.pk, opp_direct.pk, opp_direct2.pk}),
    }


SNEAKY_QUERIES = [
    "",
    "?partner={b}",
    "?partner={b}&page_size=500",
    "?search=Bravo",
    "?search=direct",
    "?search=Client",
    "?account={acc_b}",
    "?ordering=-amount",
    "?page_size=500&ordering=name",
    "?assigned=true",
    "?registration_status=pending&route=partner_sourced",
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", PARTNER_ROLES)
@pytest.mark.parametrize("resource", ["accounts", "opportunities"])
@pytest.mark.parametrize("query", SNEAKY_QUERIES)
def test_partner_lists_hold_only_the_partners_rows(resource, query, role, world, book):
    mine, others = book[resource]
    url = f"/api/v1/{resource}/" + query.format(b=world.partner_b.pk, acc_b=next(iter(book["accounts"][1])))
    response = client_for(caller(world, role)).get(url)
    if response.status_code == 400:  # a filter refusing a value outside the caller's scope: fine, nothing shown
        return
    assert response.status_code == 200, f"{url}: {response.status_code}"
    data = response.json()
    ids = {row["id"] for row in data["results"]}
    assert not ids & others, f"{url} as {role} shows rows outside partner A's scope: {ids & others}"
    assert ids <= mine
    assert data["count"] == len(ids), f"{url}: count {data['count']} but {len(ids)} rows"
    if query == "":
        assert ids == mine, f"{url} as {role}: {ids}, expected {mine}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", PARTNER_ROLES)
@pytest.mark.parametrize("endpoint", [e for e in LISTS if e.name not in NOT_ROW_LISTS], ids=str)
def test_no_list_shows_a_row_outside_partner_a(endpoint, role, world):
    """Generated: every list, with the registry's out-of-scope rows of its model, filtered every which way."""
    model = endpoint.declared_model
    if model is None or label_of(model) not in OUT_OF_SCOPE:
        pytest.fail(f"{endpoint.route}: no OUT_OF_SCOPE builder for {model}: add one in tests/foundation/registry.py")
    label = label_of(model)
    outside = OUT_OF_SCOPE[label](world)
    if label in IN_SCOPE:
        IN_SCOPE[label](world, 2)
    user = caller(world, role)
    forbidden = {obj.pk for obj in outside.values()}
    secrets = set().union(*(strings_of(obj) for obj in outside.values()))
    # A value partner A's own rows carry too (a job's kind, a city) identifies nothing.
    secrets -= set().union(set(), *(strings_of(obj) for obj in model._default_manager.for_user(user)))
    client = client_for(user)
    queries = ["", f"?partner={world.partner_b.pk}", f"?partner_id={world.partner_b.pk}", "?page_size=500"]
    queries += ["?" + urlencode({"search": secret}) for secret in sorted(secrets)[:6]]
    for query in queries:
        url = endpoint.url() + query
        response = client.get(url)
        if response.status_code in (400, 403):
            continue
        assert response.status_code == 200, f"{url} as {role}: {response.status_code}"
        data = response.json()
        rows = data["results"] if isinstance(data, dict) and "results" in data else data
        if not isinstance(rows, list):
            continue
        shown = {row.get("id") for row in rows if isinstance(row, dict)}
        assert not shown & forbidden, f"{url} as {role} lists {label} rows outside partner A's scope"
        leaked = secrets & set(json_strings(data))
        assert not leaked, f"{url} as {role} reveals {sorted(leaked)}"
        if isinstance(data, dict) and "count" in data and not data.get("next"):
            assert data["count"] == len(rows), f"{url} as {role}: count {data['count']} for {len(rows)} rows"


@pytest.mark.django_db
@pytest.mark.parametrize("role", PARTNER_ROLES)
def test_a_filter_on_another_partner_is_no_oracle(role, world):
    """``?partner=<B>`` answers exactly like ``?partner=<an id that does not exist>``: B's existence stays unknown."""
    AssignmentFactory(partner=world.partner_a)
    OpportunityFactory(partner=world.partner_a)
    SecondmentFactory(partner=world.partner_a)
    client = client_for(caller(world, role))
    missing = world.partner_b.pk + 10_000
    for endpoint in LISTS:
        for name in ("partner", "partners"):
            other = client.get(f"{endpoint.url()}?{name}={world.partner_b.pk}")
            nobody = client.get(f"{endpoint.url()}?{name}={missing}")
            # An error may echo the id it was given; apart from that the answers are the same.
            other_body, nobody_body = other.content, nobody.content
            if other_body != nobody_body:
                other_body = re.sub(rb"\b%d\b" % world.partner_b.pk, b"<id>", other_body)
                nobody_body = re.sub(rb"\b%d\b" % missing, b"<id>", nobody_body)
            assert (other.status_code, other_body) == (nobody.status_code, nobody_body), (
                f"{endpoint.url()}?{name}=: partner B's id answers {other.status_code} {other.content[:200]!r}, "
                f"an unknown id answers {nobody.status_code} {nobody.content[:200]!r}"
            )


@pytest.mark.django_db
def test_a_partner_never_sees_who_else_covered_or_attends(world, client):
    """Rows partner A may see, entangled with partner B's: nothing of B comes along."""
    account = AssignmentFactory(partner=world.partner_b, valid_to=date(2025, 6, 30)).account
    AssignmentFactory(partner=world.partner_a, account=account, valid_from=date(2025, 7, 1))
    OpportunityFactory(partner=world.partner_b, account=account, description="bravo secret deal")
    roadshow = RoadshowFactory(partners=[world.partner_a, world.partner_b])
    b = world.partner_b
    api = client_for(world.rep_a)
    account_json = api.get(f"/api/v1/accounts/{account.pk}/").content.decode()
    roadshow_json = api.get(f"/api/v1/roadshows/{roadshow.pk}/").json()
    assert roadshow_json["partners"] == [world.partner_a.pk]
    client.force_login(world.rep_a)
    page = client.get(f"/accounts/{account.pk}/")
    assert page.status_code == 200
    for body in (account_json, page.content.decode()):
        for secret in (b.name, b.siren, "bravo secret deal"):
            assert secret not in body


def strings_of(obj):
    from .registry import identifying_strings

    return identifying_strings(obj)


def json_strings(data):
    if isinstance(data, dict):
        for value in data.values():
            yield from json_strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from json_strings(value)
    elif isinstance(data, str):
        yield data


def test_roles_cover_every_role():
    assert set(EXPECTED_WRITES) == {r.value for r in Role}
