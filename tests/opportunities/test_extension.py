"""One extension per registration: the partner asks with a reason, the channel team grants or refuses."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from opportunities.models import Opportunity

from ..factories import OpportunityFactory


@pytest.fixture
def approved_a(partner_a):
    return OpportunityFactory(
        partner=partner_a, registration_status="approved", protected_until=timezone.localdate() + timedelta(days=5)
    )


@pytest.mark.django_db
def test_partner_asks_once_and_channel_grants(
    api, rep_a, admin_a, channel_user, approved_a, settings, django_capture_on_commit_callbacks
):
    settings.REGISTRATION_PROTECTION_DAYS = 90
    before = approved_a.protected_until
    asked = api(rep_a).post(
        f"/api/v1/opportunities/{approved_a.pk}/request-extension/", {"reason": "Tender delayed"}, format="json"
    )
    assert asked.status_code == 200 and asked.json()["extension_status"] == "requested"
    again = api(admin_a).post(
        f"/api/v1/opportunities/{approved_a.pk}/request-extension/", {"reason": "Please"}, format="json"
    )
    assert again.status_code == 400 and "extension_status" in again.json()
    with django_capture_on_commit_callbacks(execute=True):
        granted = api(channel_user).post(
            f"/api/v1/opportunities/{approved_a.pk}/decide-extension/", {"decision": "grant"}, format="json"
        )
    assert granted.status_code == 200
    approved_a.refresh_from_db()
    assert approved_a.extension_status == "granted"
    assert approved_a.protected_until == before + timedelta(days=90)
    assert approved_a.extension_decided_by == channel_user
    assert {m.to[0] for m in mail.outbox} == {rep_a.email, admin_a.email}
    # Once only, even after the decision.
    third = api(rep_a).post(
        f"/api/v1/opportunities/{approved_a.pk}/request-extension/", {"reason": "More"}, format="json"
    )
    assert third.status_code == 400
    history = [h.extension_status for h in approved_a.history.order_by("history_id")]
    assert history == [None, "requested", "granted"]
    users = [h.history_user for h in approved_a.history.order_by("history_id")]
    assert users[1:] == [rep_a, channel_user]


@pytest.mark.django_db
def test_refusal_needs_a_reason_and_keeps_the_date(api, rep_a, channel_user, approved_a):
    api(rep_a).post(f"/api/v1/opportunities/{approved_a.pk}/request-extension/", {"reason": "x"}, format="json")
    url = f"/api/v1/opportunities/{approved_a.pk}/decide-extension/"
    assert api(channel_user).post(url, {"decision": "refuse"}, format="json").status_code == 400
    response = api(channel_user).post(url, {"decision": "refuse", "reason": "Enough time"}, format="json")
    assert response.status_code == 200
    approved_a.refresh_from_db()
    assert approved_a.extension_status == "refused"
    assert approved_a.protected_until == timezone.localdate() + timedelta(days=5)
    assert api(channel_user).post(url, {"decision": "grant"}, format="json").status_code == 400


@pytest.mark.django_db
def test_only_approved_open_registrations_can_be_extended(api, rep_a, partner_a):
    for kwargs in (
        {"registration_status": "pending"},
        {"registration_status": "rejected"},
        {"registration_status": "expired"},
        {"registration_status": "approved", "stage": "won", "closed_on": timezone.localdate()},
    ):
        opportunity = OpportunityFactory(partner=partner_a, **kwargs)
        response = api(rep_a).post(
            f"/api/v1/opportunities/{opportunity.pk}/request-extension/", {"reason": "x"}, format="json"
        )
        assert response.status_code == 400, kwargs
        assert Opportunity.objects.get(pk=opportunity.pk).extension_status is None


@pytest.mark.django_db
def test_the_reason_is_required(api, rep_a, approved_a):
    response = api(rep_a).post(
        f"/api/v1/opportunities/{approved_a.pk}/request-extension/", {"reason": ""}, format="json"
    )
    assert response.status_code == 400 and "reason" in response.json()


@pytest.mark.django_db
def test_roles_for_extensions(api, client, channel_user, manager_user, rep_a, approved_a):
    # The channel team does not ask; partners and managers do not decide.
    url = f"/api/v1/opportunities/{approved_a.pk}/request-extension/"
    assert api(channel_user).post(url, {"reason": "x"}, format="json").status_code == 403
    assert api(manager_user).post(url, {"reason": "x"}, format="json").status_code == 403
    api(rep_a).post(url, {"reason": "x"}, format="json")
    decide = f"/api/v1/opportunities/{approved_a.pk}/decide-extension/"
    for user in (rep_a, manager_user):
        assert api(user).post(decide, {"decision": "grant"}, format="json").status_code == 403
        client.force_login(user)
        assert (
            client.post(f"/opportunities/{approved_a.pk}/extension/decide/", {"decision": "grant"}).status_code == 403
        )
    approved_a.refresh_from_db()
    assert approved_a.extension_status == "requested"


@pytest.mark.django_db
def test_web_extension_round_trip(client, rep_a, channel_user, approved_a, django_capture_on_commit_callbacks):
    client.force_login(rep_a)
    page = client.get(f"/opportunities/{approved_a.pk}/")
    assert "extension_form" in page.context
    empty = client.post(f"/opportunities/{approved_a.pk}/extension/", {"reason": ""})
    assert empty.status_code == 400 and "reason" in empty.context["extension_form"].errors
    assert client.post(f"/opportunities/{approved_a.pk}/extension/", {"reason": "Budget vote"}).status_code == 302
    assert "extension_form" not in client.get(f"/opportunities/{approved_a.pk}/").context
    client.force_login(channel_user)
    queue = client.get("/opportunities/registrations/")
    assert [o.pk for o in queue.context["extensions"]] == [approved_a.pk]
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/opportunities/registrations/", {"action": f"grant:{approved_a.pk}"})
    approved_a.refresh_from_db()
    assert approved_a.extension_status == "granted"
    assert list(client.get("/opportunities/registrations/").context["extensions"]) == []
