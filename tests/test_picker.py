"""The type-ahead pickers (ecosystem/picker.py): the ``pick`` endpoints are scoped like the lists and make
one query; the fields take an id or a SIREN, refuse an unknown or out-of-scope one with a message; the
widget degrades to a plain input; the forms and filters that listed hundreds of rows use them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.forms import AssignForm
from accounts.models import Assignment
from ecosystem.picker import parse_reference
from partners.models import Partner
from users.forms import InviteForm

from .factories import AccountFactory, AssignmentFactory, PartnerFactory


def test_parse_reference():
    assert parse_reference("552 100 554") == {"siren": "552100554"}
    assert parse_reference("12") == {"pk": 12}
    assert parse_reference("abc") is None
    assert parse_reference("0") is None
    assert parse_reference(str(10**30)) is None
    assert parse_reference("１２") is None  # full-width digits are no id


def _results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.django_db
def test_partner_pick_is_scoped_and_ranked(api, channel_user, rep_a, partner_a, partner_b):
    PartnerFactory(name="Zalpha Conseil")
    suspended = PartnerFactory(name="Alpha Suspendu", status="suspended")
    channel = [row["label"] for row in _results(api(channel_user).get("/api/v1/partners/pick/", {"q": "alpha"}))]
    # Names starting with the word first, then the others, by name.
    assert channel == [f"Alpha Intégration ({partner_a.siren})", f"Alpha Suspendu ({suspended.siren})",
                       f"Zalpha Conseil ({Partner.objects.get(name='Zalpha Conseil').siren})"]  # fmt: skip
    active = _results(api(channel_user).get("/api/v1/partners/pick/", {"q": "alpha", "suspended": "0"}))
    assert suspended.pk not in {row["id"] for row in active}
    by_siren = _results(api(channel_user).get("/api/v1/partners/pick/", {"q": partner_b.siren[:6]}))
    assert partner_b.pk in {row["id"] for row in by_siren}
    # A partner user is offered its own partner only, whatever it types.
    for text in ("alpha", "bravo", partner_b.siren, "a"):
        ids = {row["id"] for row in _results(api(rep_a).get("/api/v1/partners/pick/", {"q": text}))}
        assert ids <= {partner_a.pk}, text


@pytest.mark.django_db
def test_account_pick_for_a_partner_user(api, rep_a, partner_a, partner_b):
    own = AssignmentFactory(partner=partner_a, account=AccountFactory(name="Verrerie Ouest", city="Nantes")).account
    theirs = AssignmentFactory(partner=partner_b, account=AccountFactory(name="Verrerie Est", city="Metz")).account
    free = AccountFactory(name="Verrerie Sud", city="Nîmes")
    seen = _results(api(rep_a).get("/api/v1/accounts/pick/", {"q": "verrerie"}))
    assert [row["id"] for row in seen] == [own.pk]  # the accounts it sees, like its list
    nameable = _results(api(rep_a).get("/api/v1/accounts/pick/", {"q": "verrerie", "nameable": "1"}))
    # Any company may be named on a registration: its own first and marked, the others unmarked.
    assert [row["id"] for row in nameable] == [own.pk, theirs.pk, free.pk]
    assert nameable[0]["detail"] and nameable[1]["detail"] == "" and nameable[2]["detail"] == ""
    assert all(partner_b.name not in str(row) for row in nameable)  # who covers an account is never said
    assert nameable[2]["label"] == f"Verrerie Sud ({free.siren}) — Nîmes"
    assert _results(api(rep_a).get("/api/v1/accounts/pick/", {"q": "nimes", "nameable": "1"}))[0]["id"] == free.pk


@pytest.mark.django_db
def test_pick_answers_nothing_for_nothing_and_bounds_its_limit(api, channel_user):
    for index in range(25):
        PartnerFactory(name=f"Gamma {index:02d}")
    client = api(channel_user)
    assert _results(client.get("/api/v1/partners/pick/")) == []
    assert _results(client.get("/api/v1/partners/pick/", {"q": "  "})) == []
    assert len(_results(client.get("/api/v1/partners/pick/", {"q": "gamma"}))) == 10
    assert len(_results(client.get("/api/v1/partners/pick/", {"q": "gamma", "limit": "500"}))) == 20
    assert len(_results(client.get("/api/v1/partners/pick/", {"q": "gamma", "limit": "x"}))) == 10


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["channel_user", "rep_a"])
@pytest.mark.parametrize("url", ["/api/v1/partners/pick/?q=pick", "/api/v1/accounts/pick/?q=pick&nameable=1"])
def test_pick_makes_the_same_queries_for_2_and_20_matches(api, request, user, url, partner_a):
    client = api(request.getfixturevalue(user))

    def add(count):
        for _ in range(count):
            PartnerFactory(name="Pick partner")
            AssignmentFactory(partner=partner_a, account=AccountFactory(name="Pick account"))

    add(2)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add(18)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(small) == len(large)


@pytest.mark.django_db
def test_pick_needs_a_login(api):
    assert api(None).get("/api/v1/partners/pick/", {"q": "x"}).status_code == 401
    assert api(None).get("/api/v1/accounts/pick/", {"q": "x"}).status_code == 401


# --- Fields and forms ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_assign_form_takes_an_id_or_a_siren_and_refuses_the_rest(channel_user, partner_a):
    suspended = PartnerFactory(status="suspended")
    for value in (partner_a.pk, partner_a.siren, f"{partner_a.siren[:3]} {partner_a.siren[3:6]} {partner_a.siren[6:]}"):
        form = AssignForm({"partner": value, "role": "primary"}, user=channel_user)
        assert form.is_valid(), form.errors
        assert form.cleaned_data["partner"] == partner_a
    for value, message in [
        ("Alpha", "Type the partner's name and choose it from the suggestions"),
        ("999999", "No partner you may choose has this SIREN or number."),
        (suspended.siren, "No partner you may choose has this SIREN or number."),
        (str(10**30), "Type the partner's name and choose it from the suggestions"),
    ]:
        with translation.override("en"):
            form = AssignForm({"partner": value, "role": "primary"}, user=channel_user)
            assert not form.is_valid()
            assert message in form.errors["partner"][0], form.errors
    form = AssignForm({"partner": "999999", "role": "primary"}, user=channel_user)
    assert not form.is_valid() and "Aucun partenaire que vous pouvez choisir" in form.errors["partner"][0]


@pytest.mark.django_db
def test_a_partner_scoped_form_refuses_another_partner_like_an_unknown_one(rep_a, partner_b):
    """A form whose partner choice is scoped to a partner user: another partner reads as unknown."""
    theirs = AssignForm({"partner": partner_b.siren, "role": "primary"}, user=rep_a)
    unknown = AssignForm({"partner": "999999", "role": "primary"}, user=rep_a)
    assert not theirs.is_valid() and not unknown.is_valid()
    assert theirs.errors == unknown.errors


@pytest.mark.django_db
def test_the_widget_is_a_text_box_that_shows_the_chosen_partner(channel_user, partner_a):
    form = InviteForm({"email": "x@example.com", "role": "partner_rep", "partner": partner_a.siren}, user=channel_user)
    html = str(form["partner"])
    assert '<input type="text" name="partner"' in html and "<option" not in html
    assert 'data-picker-url="/api/v1/partners/pick/?suspended=0"' in html
    assert f'data-picker-label="Alpha Intégration ({partner_a.siren})"' in html
    assert f'value="{partner_a.siren}"' in html  # what was typed stays in the box
    assert "picker-current" in html  # without the script, the chosen partner is named beside the box
    empty = str(InviteForm(user=channel_user)["partner"])
    assert 'data-picker-label=""' in empty and "value=" not in empty


@pytest.mark.django_db
def test_assigning_from_an_account_page_by_siren(client, channel_user, partner_a):
    account = AccountFactory()
    client.force_login(channel_user)
    page = client.get(f"/accounts/{account.pk}/").content.decode()
    assert 'class="picker"' in page and "/static/js/picker.js" in page
    response = client.post(f"/accounts/{account.pk}/assign/", {"partner": partner_a.siren, "role": "primary"})
    assert response.status_code == 302
    assert Assignment.objects.get(account=account).partner == partner_a


@pytest.mark.django_db
def test_filters_take_a_partner_by_siren_and_refuse_another_partners(api, client, channel_user, rep_a, partner_a):
    mine = AssignmentFactory(partner=partner_a).account
    AssignmentFactory()
    client.force_login(channel_user)
    response = client.get("/accounts/", {"partner": partner_a.siren})
    assert [account.pk for account in response.context["object_list"]] == [mine.pk]
    assert f'data-picker-label="Alpha Intégration ({partner_a.siren})"' in response.content.decode()
    assert api(channel_user).get("/api/v1/accounts/", {"partner": partner_a.siren}).json()["count"] == 1
    body = api(channel_user).get("/api/v1/opportunities/", {"partner": "not a partner"})
    assert body.status_code == 400 and "partner" in body.json()


@pytest.mark.django_db
def test_the_registration_form_takes_any_account_by_siren(client, rep_a):
    account = AccountFactory(name="Hors Liste")
    client.force_login(rep_a)
    page = client.get("/opportunities/register/").content.decode()
    assert 'data-picker-url="/api/v1/accounts/pick/?nameable=1"' in page
    response = client.post(
        "/opportunities/register/",
        {"account": account.siren, "product_line": "ai", "amount": "1000", "expected_close": "2099-01-01",
         "idempotency_key": "k-1"},
    )  # fmt: skip
    form = response.context["form"] if response.status_code != 302 else None
    # The account was accepted; only the horizon of the close date may be refused.
    assert form is None or "account" not in form.errors


@pytest.mark.django_db
def test_the_proposal_page_filters_by_a_picked_partner_or_by_name(client, channel_user, partner_a, partner_b):
    from .foundation.registry import World, _proposal

    world = World(partner_a, partner_b, None, None, None, None, channel_user, None)
    proposal = _proposal(world, partner_a)
    item_b = proposal.items.create(account=AccountFactory(name="Compte de Bravo"), partner=partner_b, score=1)
    client.force_login(channel_user)
    by_pick = client.get(f"/accounts/proposals/{proposal.pk}/", {"partner": partner_b.siren}).context["items"]
    assert [item.pk for item in by_pick] == [item_b.pk]
    by_name = client.get(f"/accounts/proposals/{proposal.pk}/", {"partner": "bravo"}).context["items"]
    assert [item.pk for item in by_name] == [item_b.pk]


@pytest.mark.django_db
def test_the_account_export_refuses_another_partner_like_an_unknown_one(client, rep_a, partner_a, partner_b):
    shared = AssignmentFactory(partner=partner_a).account
    AssignmentFactory(partner=partner_b, account=shared, role="secondary")
    client.force_login(rep_a)
    theirs = client.get("/accounts/export.csv", {"partner": partner_b.pk})
    unknown = client.get("/accounts/export.csv", {"partner": "999999"})
    assert theirs.status_code == unknown.status_code == 400
    assert theirs.content == unknown.content
    mine = client.get("/accounts/export.csv", {"partner": partner_a.siren})
    assert mine.status_code == 200 and shared.siren in b"".join(mine.streaming_content).decode()


@pytest.mark.django_db
def test_the_audit_and_user_filters_take_a_partner_by_siren(client, channel_user, partner_a, partner_b, rep_a, rep_b):
    from audit.models import AuditEvent

    AuditEvent.objects.create(kind="partner.changed", actor=channel_user, partner=partner_a, target_repr="about A")
    AuditEvent.objects.create(kind="partner.changed", actor=channel_user, partner=partner_b, target_repr="about B")
    client.force_login(channel_user)
    events = client.get("/audit/", {"partner": partner_a.siren}).context["object_list"]
    assert {event.target_repr for event in events} == {"about A"}
    users = client.get("/portal/users/", {"partner": partner_b.siren}).context["object_list"]
    assert {user.username for user in users} == {"rep_b"}
