"""Stages: the pure transition rules, the service, the web form and the API; history with who and when."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from opportunities.models import Opportunity, Stage
from opportunities.stages import is_allowed, next_stages, stage_change_errors

from ..factories import OpportunityFactory, UserFactory

TODAY = date(2026, 6, 15)

ALLOWED = [
    ("registered", "qualified"),
    ("registered", "proposal"),
    ("registered", "won"),
    ("registered", "lost"),
    ("qualified", "proposal"),
    ("qualified", "won"),
    ("qualified", "lost"),
    ("proposal", "won"),
    ("proposal", "lost"),
]
FORBIDDEN = [
    ("qualified", "registered"),
    ("proposal", "qualified"),
    ("proposal", "registered"),
    ("won", "lost"),
    ("won", "proposal"),
    ("lost", "won"),
    ("lost", "registered"),
]


@pytest.mark.parametrize(("current", "new"), ALLOWED)
def test_allowed_transitions(current, new):
    assert is_allowed(current, new)
    closed_on = TODAY if new in ("won", "lost") else None
    errors = stage_change_errors(current=current, new=new, closed_on=closed_on, amount=Decimal("1"), today=TODAY)
    assert errors == {}


@pytest.mark.parametrize(("current", "new"), FORBIDDEN)
def test_forbidden_transitions(current, new):
    assert not is_allowed(current, new)
    errors = stage_change_errors(current=current, new=new, closed_on=TODAY, amount=Decimal("1"), today=TODAY)
    assert list(errors) == ["stage"]


def test_the_channel_team_may_correct_any_stage():
    assert is_allowed("won", "lost", corrective=True)
    assert set(next_stages("won", corrective=True)) == set(Stage.values) - {"won"}


def test_won_needs_a_closing_date_and_a_final_amount():
    errors = stage_change_errors(current="proposal", new="won", closed_on=None, amount=None, today=TODAY)
    assert set(errors) == {"closed_on", "amount"}
    future = stage_change_errors(
        current="proposal", new="won", closed_on=TODAY + timedelta(days=1), amount=Decimal("5"), today=TODAY
    )
    assert set(future) == {"closed_on"}
    zero = stage_change_errors(current="proposal", new="won", closed_on=TODAY, amount=Decimal("0"), today=TODAY)
    assert set(zero) == {"amount"}


def test_lost_may_omit_the_date_and_same_stage_is_no_change():
    assert stage_change_errors(current="qualified", new="lost", closed_on=None, amount=None, today=TODAY) == {}
    assert "stage" in stage_change_errors(
        current="qualified", new="qualified", closed_on=None, amount=None, today=TODAY
    )
    assert "stage" in stage_change_errors(current="qualified", new="bogus", closed_on=None, amount=None, today=TODAY)


@pytest.fixture
def approved_a(partner_a):
    return OpportunityFactory(partner=partner_a, registration_status="approved")


@pytest.mark.django_db
def test_api_moves_through_the_stages_with_history(api, rep_a, admin_a, approved_a):
    url = f"/api/v1/opportunities/{approved_a.pk}/stage/"
    assert api(rep_a).post(url, {"stage": "qualified"}, format="json").status_code == 200
    assert api(admin_a).post(url, {"stage": "proposal"}, format="json").status_code == 200
    missing = api(rep_a).post(url, {"stage": "won"}, format="json")
    assert missing.status_code == 400 and {"closed_on", "amount"} <= set(missing.json())
    today = timezone.localdate().isoformat()
    won = api(rep_a).post(url, {"stage": "won", "closed_on": today, "amount": "98000.00"}, format="json")
    assert won.status_code == 200, won.content
    assert won.json()["stage"] == "won" and won.json()["amount"] == "98000.00" and won.json()["closed_on"] == today
    closed = api(rep_a).post(url, {"stage": "lost"}, format="json")
    assert closed.status_code == 400 and "stage" in closed.json()
    rows = list(approved_a.history.order_by("history_id"))
    assert [r.stage for r in rows] == ["registered", "qualified", "proposal", "won"]
    assert [r.history_user for r in rows[1:]] == [rep_a, admin_a, rep_a]
    entries = api(rep_a).get(f"/api/v1/opportunities/{approved_a.pk}/history/").json()
    assert entries[0]["by"] == rep_a.username
    assert {"field": "stage", "old": "Proposal", "new": "Won"} in [
        {k: c[k] for k in ("field", "old", "new")} for c in entries[0]["changes"]
    ]


@pytest.mark.django_db
def test_lost_records_today_when_no_date_is_given(api, rep_a, approved_a):
    response = api(rep_a).post(f"/api/v1/opportunities/{approved_a.pk}/stage/", {"stage": "lost"}, format="json")
    assert response.status_code == 200
    assert response.json()["closed_on"] == timezone.localdate().isoformat()


@pytest.mark.django_db
def test_patch_follows_the_same_rules(api, rep_a, approved_a):
    url = f"/api/v1/opportunities/{approved_a.pk}/"
    assert api(rep_a).patch(url, {"stage": "won"}, format="json").status_code == 400
    ok = api(rep_a).patch(url, {"amount": "1234.50", "description": "bigger scope"}, format="json")
    assert ok.status_code == 200 and ok.json()["amount"] == "1234.50"
    bad = api(rep_a).patch(url, {"amount": "-5", "expected_close": "1900-01-01"}, format="json")
    assert bad.status_code == 400 and {"amount", "expected_close"} <= set(bad.json())
    product = api(rep_a).patch(url, {"product_line": "data"}, format="json")
    assert Opportunity.objects.get(pk=approved_a.pk).product_line == "ai"
    assert product.status_code == 200


@pytest.mark.django_db
def test_rejected_or_expired_registrations_cannot_move(api, rep_a, partner_a):
    for status in ("rejected", "expired"):
        opportunity = OpportunityFactory(partner=partner_a, registration_status=status)
        response = api(rep_a).post(
            f"/api/v1/opportunities/{opportunity.pk}/stage/", {"stage": "qualified"}, format="json"
        )
        assert response.status_code == 400 and "registration_status" in response.json()


@pytest.mark.django_db
def test_channel_corrects_a_won_deal_and_managers_cannot(api, channel_user, manager_user, partner_a):
    opportunity = OpportunityFactory(
        partner=partner_a, registration_status="approved", stage="won", closed_on=timezone.localdate()
    )
    url = f"/api/v1/opportunities/{opportunity.pk}/stage/"
    assert api(manager_user).post(url, {"stage": "lost"}, format="json").status_code == 403
    assert api(channel_user).post(url, {"stage": "lost"}, format="json").status_code == 200
    assert Opportunity.objects.get(pk=opportunity.pk).stage == "lost"


@pytest.mark.django_db
def test_web_stage_form_and_history_page(client, rep_a, approved_a):
    client.force_login(rep_a)
    page = client.get(f"/opportunities/{approved_a.pk}/")
    choices = [value for value, _label in page.context["stage_form"].fields["stage"].choices]
    assert choices == ["qualified", "proposal", "won", "lost"]
    refused = client.post(f"/opportunities/{approved_a.pk}/stage/", {"stage": "won", "closed_on": "", "amount": ""})
    assert refused.status_code == 400
    assert {"closed_on", "amount"} <= set(refused.context["stage_form"].errors)
    today = timezone.localdate().isoformat()
    done = client.post(f"/opportunities/{approved_a.pk}/stage/", {"stage": "won", "closed_on": today, "amount": "5000"})
    assert done.status_code == 302
    page = client.get(f"/opportunities/{approved_a.pk}/")
    assert "stage_form" not in page.context  # won is final for a partner
    html = page.content.decode()
    assert rep_a.username in html and "5,000.00" in html
    entry = page.context["history"][0]
    assert entry.who == rep_a.username
    assert {c.field for c in entry.changes} >= {"stage", "amount", "closed_on"}


@pytest.mark.django_db
def test_partners_see_the_channel_team_not_its_members_in_history(client, rep_a, partner_a):
    from opportunities import services

    channel_user = UserFactory(username="ines.durand", role="channel")
    opportunity = OpportunityFactory(partner=partner_a, registration_status="pending")
    services.registration_approve(opportunity=opportunity, user=channel_user)
    client.force_login(rep_a)
    history = client.get(f"/opportunities/{opportunity.pk}/").context["history"]
    assert history[0].who == "Channel team"
    assert channel_user.username not in client.get(f"/opportunities/{opportunity.pk}/").content.decode()


@pytest.mark.django_db
def test_channel_cannot_give_an_external_id_twice(api, channel_user, partner_a):
    OpportunityFactory(partner=partner_a, external_id="ORD-1")
    other = OpportunityFactory(partner=partner_a)
    response = api(channel_user).patch(f"/api/v1/opportunities/{other.pk}/", {"external_id": "ORD-1"}, format="json")
    assert response.status_code == 400 and "external_id" in response.json()
