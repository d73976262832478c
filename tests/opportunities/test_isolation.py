"""Partner B never reads, changes, decides, extends or learns the existence of partner A's opportunity.

Every new page and API action is called by B's rep and admin on A's opportunity and on an
id that does not exist: both answers must be the same (404 where B's role may act, 403
where it may not), and A's row must be unchanged.
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from opportunities.models import Opportunity

from ..factories import OpportunityFactory, RoadshowFactory

MISSING = 987654321


@pytest.fixture
def secret(partner_a, account_a):
    """Partner A's approved opportunity with a waiting extension request (every action applies to it)."""
    return OpportunityFactory(
        partner=partner_a,
        account=account_a,
        registration_status="approved",
        protected_until=timezone.localdate() + timedelta(days=10),
        extension_status="requested",
        extension_reason="Secret tender",
        extension_requested_at=timezone.now(),
        description="Alpha's secret deal",
        amount="777777.00",
    )


def snapshot(opportunity):
    return Opportunity.objects.filter(pk=opportunity.pk).values().get()


WEB = [
    # (method, url pattern, data, expected status for a partner user)
    ("get", "/opportunities/{pk}/", {}, 404),
    ("post", "/opportunities/{pk}/stage/", {"stage": "won", "closed_on": "2026-01-01", "amount": "1"}, 404),
    ("post", "/opportunities/{pk}/extension/", {"reason": "mine now"}, 404),
    ("post", "/opportunities/{pk}/decide/", {"decision": "reject", "reason": "x"}, 403),
    ("post", "/opportunities/{pk}/extension/decide/", {"decision": "refuse", "reason": "x"}, 403),
]

API = [
    ("get", "/api/v1/opportunities/{pk}/", {}, 404),
    ("patch", "/api/v1/opportunities/{pk}/", {"amount": "1.00"}, 404),
    ("put", "/api/v1/opportunities/{pk}/", {"amount": "1.00", "product_line": "ai"}, 404),
    ("get", "/api/v1/opportunities/{pk}/history/", {}, 404),
    ("post", "/api/v1/opportunities/{pk}/stage/", {"stage": "lost"}, 404),
    ("post", "/api/v1/opportunities/{pk}/request-extension/", {"reason": "mine"}, 404),
    ("post", "/api/v1/opportunities/{pk}/approve/", {}, 403),
    ("post", "/api/v1/opportunities/{pk}/reject/", {"reason": "x"}, 403),
    ("post", "/api/v1/opportunities/{pk}/decide-extension/", {"decision": "refuse", "reason": "x"}, 403),
]


def without_csrf(content: bytes) -> bytes:
    """The page without what differs by nature between two requests: its CSRF tokens (masked anew in every
    response; the 404 page has the menu's log-out form) and the language form's return address (the path
    the caller asked for)."""
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b'name="csrfmiddlewaretoken"', content)
    return re.sub(rb'name="next" type="hidden" value="[^"]*"', b'name="next" type="hidden"', content)


@pytest.mark.django_db
@pytest.mark.parametrize("caller", ["rep_b", "admin_b"])
@pytest.mark.parametrize(("method", "pattern", "data", "expected"), WEB)
def test_web_urls_answer_as_if_the_opportunity_did_not_exist(request, secret, caller, method, pattern, data, expected):
    user = request.getfixturevalue(caller)
    client = Client()
    client.force_login(user)
    before = snapshot(secret)
    answer = getattr(client, method)(pattern.format(pk=secret.pk), data)
    missing = getattr(client, method)(pattern.format(pk=MISSING), data)
    assert answer.status_code == missing.status_code == expected
    assert without_csrf(answer.content) == without_csrf(missing.content)
    assert snapshot(secret) == before
    assert secret.history.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("caller", ["rep_b", "admin_b"])
@pytest.mark.parametrize(("method", "pattern", "data", "expected"), API)
def test_api_actions_answer_as_if_the_opportunity_did_not_exist(
    request, api, secret, caller, method, pattern, data, expected
):
    client = api(request.getfixturevalue(caller))
    before = snapshot(secret)
    answer = getattr(client, method)(pattern.format(pk=secret.pk), data, format="json")
    missing = getattr(client, method)(pattern.format(pk=MISSING), data, format="json")
    assert answer.status_code == missing.status_code == expected
    assert answer.json() == missing.json()
    assert snapshot(secret) == before


@pytest.mark.django_db
def test_channel_only_collections_are_refused(api, client, rep_b, secret):
    assert api(rep_b).get("/api/v1/opportunities/queue/").status_code == 403
    response = api(rep_b).post(
        "/api/v1/opportunities/decide/", {"ids": [secret.pk], "decision": "reject", "reason": "x"}, format="json"
    )
    assert response.status_code == 403
    client.force_login(rep_b)
    assert client.get("/opportunities/registrations/").status_code == 403
    assert client.post("/opportunities/registrations/", {"action": f"reject:{secret.pk}"}).status_code == 403
    assert client.post("/opportunities/registrations/", {"action": f"refuse:{secret.pk}"}).status_code == 403
    assert Opportunity.objects.get(pk=secret.pk).registration_status == "approved"


FILTERS = [
    {},
    {"search": "secret"},
    {"q": "Maison"},
    {"account": "{account}"},
    {"partner": "{partner}"},
    {"has_conflict": "false"},
    {"registration_status": "approved"},
    {"extension_status": "requested"},
    {"amount_min": "777776"},
    {"external_id": ""},
]


@pytest.mark.django_db
@pytest.mark.parametrize("params", FILTERS, ids=lambda p: ",".join(p) or "none")
def test_lists_filters_and_searches_never_show_it(api, client, rep_b, partner_b, secret, partner_a, params):
    mine = OpportunityFactory(partner=partner_b)
    query = {k: v.format(account=secret.account_id, partner=partner_a.pk) for k, v in params.items()}
    response = api(rep_b).get("/api/v1/opportunities/", query)
    if "partner" in params:
        # Another partner is refused like one that does not exist (its picker never offers it).
        assert response.status_code == 400 and set(response.json()) == {"partner"}
        assert api(rep_b).get("/api/v1/opportunities/", {"partner": "999999"}).json() == response.json()
    else:
        body = response.json()
        ids = [row["id"] for row in body["results"]]
        assert secret.pk not in ids and body["count"] == len(ids) and set(ids) <= {mine.pk}
    client.force_login(rep_b)
    page = client.get("/opportunities/", query)
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/opportunities/{secret.pk}/" not in html and secret.account.name not in html


@pytest.mark.django_db
def test_the_filter_form_lists_no_account_or_partner(client, rep_b, partner_a, secret):
    client.force_login(rep_b)
    page = client.get("/opportunities/")
    assert "has_conflict" not in page.context["filterset"].form.fields
    assert 'name="partner"' not in page.content.decode() and 'name="account"' not in page.content.decode()
    html = page.content.decode()
    assert partner_a.name not in html and secret.account.name not in html


@pytest.mark.django_db
def test_form_choices_never_offer_partner_as_things(client, rep_b, account_a, secret, partner_a):
    roadshow_a = RoadshowFactory(title="Alpha-only roadshow", partners=[partner_a])
    client.force_login(rep_b)
    page = client.get("/opportunities/register/")
    form = page.context["form"]
    assert "<option" not in str(form["account"])  # a picker: it lists no account at all
    assert roadshow_a not in form.fields["roadshow"].queryset
    html = page.content.decode()
    assert account_a.name not in html and roadshow_a.title not in html
    # Naming A's roadshow gets the same answer as naming one that does not exist.
    data = {
        "account": account_a.pk,
        "product_line": "data",
        "amount": "10",
        "expected_close": (timezone.localdate() + timedelta(days=9)).isoformat(),
        "idempotency_key": "b-1",
    }
    theirs = client.post("/opportunities/register/", {**data, "roadshow": roadshow_a.pk})
    missing = client.post("/opportunities/register/", {**data, "roadshow": MISSING})
    assert theirs.context["form"].errors["roadshow"] == missing.context["form"].errors["roadshow"]
    assert not Opportunity.objects.filter(partner__name="Bravo Services").exists()


@pytest.mark.django_db
def test_api_roadshow_choice_is_scoped(api, rep_b, account_b, partner_a):
    roadshow_a = RoadshowFactory(partners=[partner_a])
    body = {
        "account": account_b.pk,
        "product_line": "data",
        "amount": "10",
        "expected_close": (timezone.localdate() + timedelta(days=9)).isoformat(),
    }
    theirs = api(rep_b).post("/api/v1/opportunities/", {**body, "roadshow": roadshow_a.pk}, format="json")
    missing = api(rep_b).post("/api/v1/opportunities/", {**body, "roadshow": MISSING}, format="json")
    assert theirs.status_code == missing.status_code == 400
    assert theirs.json() == missing.json()


@pytest.mark.django_db
def test_portal_home_and_counts_show_only_its_own(client, rep_b, partner_b, secret):
    client.force_login(rep_b)
    html = client.get("/portal/").content.decode()
    assert "Maison" not in html and "777" not in html


@pytest.mark.django_db
def test_registering_on_the_same_deal_tells_b_nothing(api, rep_b, partner_a, secret, account_a):
    body = {
        "account": account_a.pk,
        "product_line": secret.product_line,
        "amount": "10",
        "expected_close": (timezone.localdate() + timedelta(days=9)).isoformat(),
    }
    response = api(rep_b).post("/api/v1/opportunities/", body, format="json")
    assert response.status_code == 201
    text = response.content.decode()
    assert partner_a.name not in text and str(secret.amount) not in text and "conflict" not in text
    assert Opportunity.objects.get(pk=response.json()["id"]).has_conflict  # flagged for the channel team only


@pytest.mark.django_db
def test_a_rep_cannot_approve_its_own_registration(api, rep_a, payload):
    created = api(rep_a).post("/api/v1/opportunities/", payload(), format="json").json()
    assert api(rep_a).post(f"/api/v1/opportunities/{created['id']}/approve/", {}, format="json").status_code == 403
    assert Opportunity.objects.get(pk=created["id"]).registration_status == "pending"
