"""Registering an opportunity: validation, idempotency, conflicts (SPEC §3) and what each side sees."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from opportunities import services
from opportunities.models import Opportunity, RegistrationStatus

from ..factories import AccountFactory, AssignmentFactory, OpportunityFactory

FAR = (date.today() + timedelta(days=365 * 50)).isoformat()

# (field, bad value, field named in the 400)
BAD_INPUTS = [
    ("amount", "-5", "amount"),
    ("amount", "0", "amount"),
    ("amount", "1e309", "amount"),
    ("amount", "abc", "amount"),
    ("amount", "NaN", "amount"),
    ("amount", "Infinity", "amount"),
    ("amount", "12.345", "amount"),
    ("amount", "", "amount"),
    ("expected_close", "1900-01-01", "expected_close"),
    ("expected_close", "2001-01-01", "expected_close"),
    ("expected_close", "9999-12-31", "expected_close"),
    ("expected_close", FAR, "expected_close"),
    ("expected_close", "31/12/2026", "expected_close"),
    ("account", 999999, "account"),
    ("account", "abc", "account"),
    ("product_line", "quantum", "product_line"),
    ("product_line", "", "product_line"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value", "named"), BAD_INPUTS)
def test_api_refuses_bad_input_naming_the_field_and_writes_nothing(api, rep_a, payload, field, value, named):
    response = api(rep_a).post("/api/v1/opportunities/", payload(**{field: value}), format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert named in body, body
    assert all(isinstance(m, str) and m for m in body[named])
    assert not Opportunity.objects.exists()
    assert not Opportunity.history.exists()


@pytest.mark.django_db
def test_api_refuses_a_json_number_too_large_for_a_float(api, rep_a, payload):
    """``1e309`` as a JSON number parses to infinity: refused, not stored."""
    account, expected_close = payload()["account"], payload()["expected_close"]
    body = f'{{"account": {account}, "product_line": "ai", "amount": 1e309, "expected_close": "{expected_close}"}}'
    response = api(rep_a).post("/api/v1/opportunities/", body, content_type="application/json")
    assert response.status_code == 400
    assert "amount" in response.json()
    assert not Opportunity.objects.exists()


@pytest.mark.django_db
def test_api_refuses_missing_fields_each_by_name(api, rep_a):
    response = api(rep_a).post("/api/v1/opportunities/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert {"product_line", "amount"} <= set(body)
    response = api(rep_a).post("/api/v1/opportunities/", {"product_line": "ai", "amount": "10"}, format="json")
    assert "account" in response.json()


@pytest.mark.django_db
def test_api_refuses_a_missing_expected_close(api, rep_a, payload):
    response = api(rep_a).post("/api/v1/opportunities/", payload(expected_close=None), format="json")
    assert response.status_code == 400
    assert "expected_close" in response.json()


@pytest.mark.django_db
def test_api_refuses_a_roadshow_the_partner_did_not_attend(api, rep_a, payload, roadshow_b):
    response = api(rep_a).post("/api/v1/opportunities/", payload(roadshow=roadshow_b.pk), format="json")
    assert response.status_code == 400
    assert "roadshow" in response.json()
    # The message is the same as for a roadshow that does not exist: nothing is learnt of B's.
    missing = api(rep_a).post("/api/v1/opportunities/", payload(roadshow=987654), format="json")
    assert missing.json()["roadshow"] == response.json()["roadshow"]
    assert not Opportunity.objects.exists()


@pytest.mark.django_db
def test_api_roadshow_message_is_translated(api, rep_a, payload, roadshow_b):
    """The API answers in the caller's language: the roadshow message has its French."""
    for roadshow in (roadshow_b.pk, 987654):
        response = api(rep_a).post(
            "/api/v1/opportunities/", payload(roadshow=roadshow), format="json", HTTP_ACCEPT_LANGUAGE="fr"
        )
        assert response.status_code == 400
        assert response.json()["roadshow"] == ["Choisissez un roadshow auquel votre entreprise a participé."]
    response = api(rep_a).post(
        "/api/v1/opportunities/", payload(roadshow=roadshow_b.pk), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["roadshow"] == ["Choose a roadshow your partner attended."]


@pytest.mark.django_db
def test_api_account_and_product_line_messages_are_translated(api, rep_a, payload):
    cases = [
        ({"account": 987654}, "account", "Aucun compte n’a l’identifiant 987654.", "No account has the id 987654."),
        ({"product_line": "nope"}, "product_line", "« nope » n’est pas une gamme de produits.",
         '"nope" is not a product line.'),
    ]  # fmt: skip
    for change, field, french, english in cases:
        for language, expected in (("fr", french), ("en", english)):
            response = api(rep_a).post(
                "/api/v1/opportunities/", payload(**change), format="json", HTTP_ACCEPT_LANGUAGE=language
            )
            assert response.status_code == 400
            assert response.json()[field] == [expected]


@pytest.mark.django_db
def test_api_registers_a_pending_registration(api, rep_a, partner_a, account_a, payload, roadshow_a):
    response = api(rep_a).post("/api/v1/opportunities/", payload(roadshow=roadshow_a.pk), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["registration_status"] == "pending"
    assert body["amount"] == "125000.00"
    assert body["partner"] == partner_a.pk
    assert "has_conflict" not in body
    opportunity = Opportunity.objects.get()
    assert opportunity.partner == partner_a and opportunity.registered_by == rep_a
    assert opportunity.route == "partner_sourced" and opportunity.roadshow == roadshow_a
    assert opportunity.history.get().history_user == rep_a


@pytest.mark.django_db
def test_api_registers_by_siren_on_an_unassigned_account(api, rep_a, free_account, payload):
    body = payload(account=None, account_siren=free_account.siren)
    response = api(rep_a).post("/api/v1/opportunities/", body, format="json")
    assert response.status_code == 201, response.content
    assert Opportunity.objects.get().account == free_account
    response = api(rep_a).post(
        "/api/v1/opportunities/", payload(account=None, account_siren="000000000"), format="json"
    )
    assert response.status_code == 400 and "account_siren" in response.json()


@pytest.mark.django_db
def test_partner_cannot_register_for_another_partner_or_set_external_ids(api, rep_a, partner_a, partner_b, payload):
    response = api(rep_a).post(
        "/api/v1/opportunities/", payload(partner=partner_b.pk, external_id="CRM-1"), format="json"
    )
    assert response.status_code == 201
    opportunity = Opportunity.objects.get()
    assert opportunity.partner == partner_a
    assert opportunity.external_id is None


@pytest.mark.django_db
def test_manager_cannot_register(api, manager_user, payload):
    assert api(manager_user).post("/api/v1/opportunities/", payload(), format="json").status_code == 403
    assert not Opportunity.objects.exists()


# --- Idempotency ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_retry_with_the_same_idempotency_key_creates_one_registration(api, rep_a, payload):
    client = api(rep_a)
    first = client.post("/api/v1/opportunities/", payload(), format="json", HTTP_IDEMPOTENCY_KEY="crm-42")
    again = client.post("/api/v1/opportunities/", payload(), format="json", HTTP_IDEMPOTENCY_KEY="crm-42")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Opportunity.objects.count() == 1
    assert Opportunity.history.count() == 1


@pytest.mark.django_db
def test_a_key_reused_for_different_content_is_refused(api, rep_a, payload):
    client = api(rep_a)
    client.post("/api/v1/opportunities/", payload(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    response = client.post("/api/v1/opportunities/", payload(amount="1.00"), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 400
    assert "idempotency_key" in response.json()
    assert Opportunity.objects.count() == 1


@pytest.mark.django_db
def test_a_malformed_key_is_refused(api, rep_a, payload):
    response = api(rep_a).post("/api/v1/opportunities/", payload(), format="json", HTTP_IDEMPOTENCY_KEY="x" * 65)
    assert response.status_code == 400 and "idempotency_key" in response.json()
    assert not Opportunity.objects.exists()


@pytest.mark.django_db
def test_keys_belong_to_their_user(api, rep_a, admin_a, rep_b, payload, account_b, in_a_month):
    """Another user's identical key is another registration (and tells nothing about the first)."""
    api(rep_a).post("/api/v1/opportunities/", payload(), format="json", HTTP_IDEMPOTENCY_KEY="same")
    body = {"account": account_b.pk, "product_line": "data", "amount": "5", "expected_close": in_a_month}
    response = api(rep_b).post("/api/v1/opportunities/", body, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert response.status_code == 201
    assert Opportunity.objects.count() == 2


@pytest.mark.django_db
def test_without_a_key_a_second_open_registration_on_the_same_deal_is_refused(api, rep_a, payload):
    client = api(rep_a)
    first = client.post("/api/v1/opportunities/", payload(), format="json")
    second = client.post("/api/v1/opportunities/", payload(), format="json")
    assert first.status_code == 201
    assert second.status_code == 400
    assert f"#{first.json()['id']}" in second.json()["product_line"][0]
    assert Opportunity.objects.count() == 1


@pytest.mark.django_db
def test_web_double_submit_creates_one_registration(client, rep_a, account_a, in_a_month):
    client.force_login(rep_a)
    page = client.get("/opportunities/register/")
    assert page.status_code == 200
    key = page.context["form"].initial["idempotency_key"]
    data = {
        "account": account_a.pk,
        "product_line": "ai",
        "amount": "125 000,50",
        "expected_close": in_a_month,
        "idempotency_key": key,
    }
    first = client.post("/opportunities/register/", data)
    second = client.post("/opportunities/register/", data)
    opportunity = Opportunity.objects.get()
    assert opportunity.amount == Decimal("125000.50")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/opportunities/{opportunity.pk}/"


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_with_one_key_create_one_registration(rep_a, account_a):
    """Both requests pass the look-up before either inserts: the unique constraint settles it."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    results, errors = [], []
    barrier = threading.Barrier(2)

    def submit():
        try:
            barrier.wait()
            result = services.registration_submit(
                user=rep_a,
                account=account_a,
                product_line="ai",
                amount=Decimal("10"),
                expected_close=timezone.localdate() + timedelta(days=10),
                idempotency_key="race",
            )
            results.append(result)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert Opportunity.objects.count() == 1
    assert sorted(r.created for r in results) == [False, True]


@pytest.mark.django_db
def test_the_integrity_error_path_returns_the_first_registration(rep_a, account_a, monkeypatch):
    """Simulates losing the race: the look-up finds nothing, the insert hits the unique key."""
    first = services.registration_submit(
        user=rep_a,
        account=account_a,
        product_line="ai",
        amount=Decimal("10"),
        expected_close=timezone.localdate() + timedelta(days=10),
        idempotency_key="race",
    ).opportunity
    real = services._replayed
    calls = []

    def late(*args, **kwargs):
        calls.append(1)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(services, "_replayed", late)
    monkeypatch.setattr(services, "registration_errors", lambda **kwargs: {})
    result = services.registration_submit(
        user=rep_a,
        account=account_a,
        product_line="ai",
        amount=Decimal("10"),
        expected_close=timezone.localdate() + timedelta(days=10),
        idempotency_key="race",
    )
    assert result.created is False and result.opportunity == first
    assert Opportunity.objects.count() == 1


# --- Web form -----------------------------------------------------------------------------------------

WEB_BAD = [
    ("amount", "-5"),
    ("amount", "1e309"),
    ("amount", "abc"),
    ("amount", "NaN"),
    ("expected_close", "1900-01-01"),
    ("expected_close", "9999-12-31"),
    ("account", "999999"),
    ("product_line", "quantum"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), WEB_BAD)
def test_web_form_shows_the_error_under_the_field_and_writes_nothing(
    client, rep_a, account_a, in_a_month, field, value
):
    client.force_login(rep_a)
    data = {
        "account": account_a.pk,
        "product_line": "ai",
        "amount": "1000",
        "expected_close": in_a_month,
        "idempotency_key": "web-1",
    }
    data[field] = value
    response = client.post("/opportunities/register/", data)
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors, form.errors
    html = response.content.decode()
    assert f'id="id_{field}-error"' in html
    assert 'aria-invalid="true"' in html
    assert not Opportunity.objects.exists()


@pytest.mark.django_db
def test_register_form_lists_no_account_and_only_attended_roadshows(
    client, api, rep_a, account_a, account_b, free_account, roadshow_a, roadshow_b
):
    client.force_login(rep_a)
    response = client.get("/opportunities/register/")
    form = response.context["form"]
    assert "<option" not in str(form["account"])  # the account is picked, not listed
    # The picker offers any company, the partner's own accounts first and marked, nobody's coverage.
    picked = api(rep_a).get("/api/v1/accounts/pick/", {"q": account_a.name[:4], "nameable": "1"}).json()["results"]
    assert picked[0]["id"] == account_a.pk and picked[0]["detail"]  # "one of your accounts"
    assert all(row["detail"] == "" for row in picked[1:])
    roadshows = set(form.fields["roadshow"].queryset)
    assert roadshows == {roadshow_a}
    html = response.content.decode()
    assert account_b.name not in html and roadshow_b.title not in html


@pytest.mark.django_db
def test_account_search_finds_any_account_with_minimal_information(client, rep_a, account_b, partner_b):
    client.force_login(rep_a)
    response = client.get("/opportunities/register/", {"q": "Usine"})
    results = response.context["results"]
    assert results == [{"id": account_b.pk, "name": "Usine Bravo", "siren": account_b.siren, "city": "Lyon"}]
    html = response.content.decode()
    assert partner_b.name not in html  # who covers it is never said
    by_siren = client.get("/opportunities/register/", {"q": account_b.siren})
    assert [r["id"] for r in by_siren.context["results"]] == [account_b.pk]
    too_short = client.get("/opportunities/register/", {"q": "Us"})
    assert too_short.context["results"] == []
    chosen = client.get("/opportunities/register/", {"account": account_b.pk})
    assert f'data-picker-label="Usine Bravo ({account_b.siren}) — Lyon"' in str(chosen.context["form"]["account"])


@pytest.mark.django_db
def test_api_account_lookup_returns_minimal_fields(api, rep_a, account_b):
    response = api(rep_a).get("/api/v1/opportunities/account-lookup/", {"q": "usine"})
    assert response.status_code == 200
    assert response.json() == [{"id": account_b.pk, "name": "Usine Bravo", "siren": account_b.siren, "city": "Lyon"}]


@pytest.mark.django_db
def test_register_page_is_for_partner_users(client, channel_user, manager_user):
    for user in (channel_user, manager_user):
        client.force_login(user)
        assert client.get("/opportunities/register/").status_code == 403


@pytest.mark.django_db
def test_suspended_partner_cannot_register(api, rep_a, partner_a, payload):
    partner_a.status = "suspended"
    partner_a.save()
    assert api(rep_a).post("/api/v1/opportunities/", payload(), format="json").status_code == 403
    assert not Opportunity.objects.exists()


# --- Conflicts -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_another_partners_open_registration_is_a_conflict_for_both_sides(
    api, rep_a, rep_b, partner_b, free_account, in_a_month
):
    body = {"account": free_account.pk, "product_line": "ai", "amount": "100", "expected_close": in_a_month}
    first = api(rep_b).post("/api/v1/opportunities/", body, format="json").json()
    second = api(rep_a).post("/api/v1/opportunities/", body, format="json")
    assert second.status_code == 201
    mine = Opportunity.objects.get(pk=second.json()["id"])
    theirs = Opportunity.objects.get(pk=first["id"])
    assert mine.has_conflict and theirs.has_conflict
    assert mine.registration_status == theirs.registration_status == RegistrationStatus.PENDING
    # What the registering partner sees: pending, under review; nothing of the other side.
    seen = [second.json(), api(rep_a).get(f"/api/v1/opportunities/{mine.pk}/").json()]
    seen += api(rep_a).get("/api/v1/opportunities/").json()["results"]
    for row in seen:
        assert row["registration_status"] == "pending"
        assert "has_conflict" not in row
        assert row["id"] == mine.pk
        assert partner_b.name not in str(row)
    listing = api(rep_a).get("/api/v1/opportunities/", {"has_conflict": "false"}).json()
    assert [row["id"] for row in listing["results"]] == [mine.pk]  # the triage filter is ignored for partners
    # Another partner's id is refused as an unknown one is: its rows are never reached that way.
    assert api(rep_a).get("/api/v1/opportunities/", {"partner": partner_b.pk}).status_code == 400


@pytest.mark.django_db
def test_another_partners_primary_assignment_is_a_conflict(rep_a, account_b):
    opportunity = services.opportunity_register(
        user=rep_a, account=account_b, product_line="ai", amount=Decimal("10"),
        expected_close=timezone.localdate() + timedelta(days=5),
    )  # fmt: skip
    assert opportunity.has_conflict


@pytest.mark.django_db
def test_no_conflict_on_own_account_other_product_line_or_closed_records(rep_a, partner_b, account_a, free_account):
    soon = timezone.localdate() + timedelta(days=5)
    OpportunityFactory(partner=partner_b, account=account_a, product_line="data")  # other line
    OpportunityFactory(partner=partner_b, account=free_account, registration_status="rejected")
    OpportunityFactory(partner=partner_b, account=free_account, registration_status="expired")
    OpportunityFactory(
        partner=partner_b, account=free_account, registration_status="approved", stage="lost", closed_on=soon
    )
    OpportunityFactory(
        partner=partner_b, account=free_account, registration_status="approved",
        protected_until=timezone.localdate() - timedelta(days=1),
    )  # fmt: skip
    AssignmentFactory(account=free_account, partner=partner_b, role="secondary")
    for account in (account_a, free_account):
        opportunity = services.opportunity_register(
            user=rep_a, account=account, product_line="ai", amount=Decimal("10"), expected_close=soon
        )
        assert not opportunity.has_conflict, account


@pytest.mark.django_db
def test_an_approved_protected_registration_is_a_conflict(rep_a, partner_b, free_account):
    OpportunityFactory(
        partner=partner_b, account=free_account, registration_status="approved",
        protected_until=timezone.localdate() + timedelta(days=10),
    )  # fmt: skip
    opportunity = services.opportunity_register(
        user=rep_a, account=free_account, product_line="ai", amount=Decimal("10"),
        expected_close=timezone.localdate() + timedelta(days=5),
    )  # fmt: skip
    assert opportunity.has_conflict
    assert opportunity.registration_status == "pending"  # flagged, never decided by itself


@pytest.mark.django_db
def test_the_other_partner_sees_nothing_move_when_it_is_conflicted(api, rep_a, rep_b, free_account, in_a_month):
    body = {"account": free_account.pk, "product_line": "ai", "amount": "100", "expected_close": in_a_month}
    theirs = api(rep_b).post("/api/v1/opportunities/", body, format="json").json()
    before = api(rep_b).get(f"/api/v1/opportunities/{theirs['id']}/").json()
    before_history = api(rep_b).get(f"/api/v1/opportunities/{theirs['id']}/history/").json()
    api(rep_a).post("/api/v1/opportunities/", body, format="json")
    after = api(rep_b).get(f"/api/v1/opportunities/{theirs['id']}/").json()
    assert after == before
    assert api(rep_b).get(f"/api/v1/opportunities/{theirs['id']}/history/").json() == before_history


@pytest.mark.django_db
def test_service_refuses_bad_values_directly(rep_a, account_a):
    with pytest.raises(ValidationError) as caught:
        services.registration_submit(
            user=rep_a, account=account_a, product_line="quantum", amount=Decimal("NaN"),
            expected_close=date(1900, 1, 1),
        )  # fmt: skip
    assert set(caught.value.message_dict) == {"product_line", "amount", "expected_close"}


@pytest.mark.django_db
def test_channel_registers_on_behalf_of_a_partner_or_direct(api, channel_user, partner_a, payload):
    response = api(channel_user).post("/api/v1/opportunities/", payload(partner=partner_a.pk), format="json")
    assert response.status_code == 201
    assert response.json()["registration_status"] == "pending"
    direct = api(channel_user).post("/api/v1/opportunities/", payload(product_line="data"), format="json")
    assert direct.status_code == 201
    assert direct.json()["route"] == "direct" and direct.json()["registration_status"] is None


@pytest.mark.django_db
def test_account_b_assigned_elsewhere_is_still_registrable(rep_a, account_b):
    """A partner may register on an account not assigned to it; the conflict check weighs it."""
    assert AccountFactory._meta.model.objects.for_user(rep_a).filter(pk=account_b.pk).count() == 0
    opportunity = services.opportunity_register(
        user=rep_a, account=account_b, product_line="data", amount=Decimal("10"),
        expected_close=timezone.localdate() + timedelta(days=5),
    )  # fmt: skip
    assert opportunity.pk and opportunity.has_conflict
