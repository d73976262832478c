"""The API's writes on partners, secondments, roadshows and targets go through the same services as the
pages: the same checks, the history (who), the audit trail; and the actions the pages have."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from insights.models import Target
from partners.models import Partner

from ..factories import PartnerFactory, RoadshowFactory, SecondmentFactory, next_siren


def _kinds(prefix):
    return list(AuditEvent.objects.filter(kind__startswith=prefix).order_by("id").values_list("kind", flat=True))


@pytest.mark.django_db
def test_partner_writes_are_recorded(api, channel_user):
    client = api(channel_user)
    body = {"name": "Omega", "siren": next_siren(), "kind": "msp", "tier": "gold", "joined_on": "2025-01-01"}
    created = client.post("/api/v1/partners/", body, format="json")
    assert created.status_code == 201, created.content
    partner = Partner.objects.get(pk=created.json()["id"])
    duplicate = client.post("/api/v1/partners/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert duplicate.status_code == 400 and duplicate.json() == {"siren": ["A partner with this SIREN already exists."]}
    assert client.patch(f"/api/v1/partners/{partner.pk}/", {"tier": "platinum"}, format="json").status_code == 200
    assert partner.history.first().history_user == channel_user
    assert _kinds("partner.") == ["partner.created", "partner.changed"]
    assert AuditEvent.objects.get(kind="partner.changed").detail == {"changes": {"tier": ["gold", "platinum"]}}


@pytest.mark.django_db
def test_suspend_and_activate(api, channel_user, partner_a):
    client = api(channel_user)
    refused = client.post(f"/api/v1/partners/{partner_a.pk}/suspend/", {}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()
    done = client.post(f"/api/v1/partners/{partner_a.pk}/suspend/", {"reason": "Audit en cours"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "suspended"
    again = client.post(f"/api/v1/partners/{partner_a.pk}/suspend/", {"reason": "Encore"}, format="json")
    assert again.status_code == 400 and "status" in again.json()
    assert client.post(f"/api/v1/partners/{partner_a.pk}/activate/", {}, format="json").json()["status"] == "active"
    assert _kinds("partner.") == ["partner.suspended", "partner.activated"]
    assert partner_a.history.first().history_user == channel_user


@pytest.mark.django_db
def test_a_secondment_ended_early(api, channel_user, partner_a):
    today = timezone.localdate()
    secondment = SecondmentFactory(
        partner=partner_a, starts_on=today - timedelta(days=10), ends_on=today + timedelta(days=50)
    )
    client = api(channel_user)
    late = client.post(
        f"/api/v1/secondments/{secondment.pk}/end/", {"ends_on": str(today + timedelta(days=50))}, format="json"
    )
    assert late.status_code == 400 and "ends_on" in late.json()
    early = client.post(f"/api/v1/secondments/{secondment.pk}/end/", {"reason": "Rappelé"}, format="json")
    assert early.status_code == 200 and early.json()["ends_on"] == str(today)
    assert _kinds("secondment.") == ["secondment.ended"]


@pytest.mark.django_db
def test_secondment_dates_and_partner_are_checked(api, channel_user, partner_a):
    client = api(channel_user)
    body = {
        "expert_name": "Ana",
        "expert_email": "ana@vendor.example",
        "expertise": "sales",
        "partner": partner_a.pk,
        "starts_on": "2026-05-01",
        "ends_on": "2026-04-01",
    }
    assert client.post("/api/v1/secondments/", body, format="json").json().keys() == {"ends_on"}
    suspended = PartnerFactory(status="suspended")
    answer = client.post(
        "/api/v1/secondments/", {**body, "ends_on": "2026-08-01", "partner": suspended.pk}, format="json"
    )
    assert answer.status_code == 400 and answer.json().keys() == {"partner"}
    assert client.post("/api/v1/secondments/", {**body, "ends_on": "2026-08-01"}, format="json").status_code == 201
    assert _kinds("secondment.") == ["secondment.created"]


@pytest.mark.django_db
def test_roadshow_attendees(api, channel_user, partner_a, partner_b):
    client = api(channel_user)
    roadshow = RoadshowFactory()
    added = client.post(f"/api/v1/roadshows/{roadshow.pk}/add-attendee/", {"partner": partner_a.pk}, format="json")
    assert added.status_code == 200 and added.json()["partners"] == [partner_a.pk]
    twice = client.post(f"/api/v1/roadshows/{roadshow.pk}/add-attendee/", {"partner": partner_a.pk}, format="json")
    assert twice.status_code == 400 and "partner" in twice.json()
    absent = client.post(f"/api/v1/roadshows/{roadshow.pk}/remove-attendee/", {"partner": partner_b.pk}, format="json")
    assert absent.status_code == 400 and "partner" in absent.json()
    client.patch(f"/api/v1/roadshows/{roadshow.pk}/", {"partners": [partner_b.pk]}, format="json")
    assert list(roadshow.partners.all()) == [partner_b]
    removed = client.post(f"/api/v1/roadshows/{roadshow.pk}/remove-attendee/", {"partner": partner_b.pk}, format="json")
    assert removed.status_code == 200 and removed.json()["partners"] == []
    assert _kinds("roadshow.") == ["roadshow.attendee_added", "roadshow.changed", "roadshow.attendee_removed"]


@pytest.mark.django_db
def test_a_partner_user_cannot_add_itself_to_a_roadshow(api, rep_a, partner_a):
    roadshow = RoadshowFactory()
    answer = api(rep_a).post(f"/api/v1/roadshows/{roadshow.pk}/add-attendee/", {"partner": partner_a.pk}, format="json")
    assert answer.status_code == 403 and not roadshow.partners.exists()


@pytest.mark.django_db
def test_targets_are_checked_and_recorded(api, channel_user, manager_user):
    client = api(channel_user)
    body = {"name": "Objectif", "value": "0.5000", "baseline_period": "2025-Q1", "deadline": "2025-03-01"}
    assert client.post("/api/v1/targets/", body, format="json").json().keys() == {"deadline"}
    created = client.post("/api/v1/targets/", {**body, "deadline": "2028-12-31"}, format="json")
    assert created.status_code == 201
    target = Target.objects.get()
    assert client.patch(f"/api/v1/targets/{target.pk}/", {"value": "0.6"}, format="json").status_code == 200
    assert target.history.first().history_user == channel_user and target.history.count() == 2
    assert _kinds("target.") == ["target.created", "target.changed"]
    assert api(manager_user).patch(f"/api/v1/targets/{target.pk}/", {"value": "0.7"}, format="json").status_code == 403
    assert Target.objects.get().deadline == date(2028, 12, 31)
