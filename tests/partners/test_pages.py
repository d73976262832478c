"""The partner, secondment, roadshow and target pages: who may open which (the role table), and the
channel team's whole job done through them — with validation, history in words and audit events."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from insights.models import Target
from partners.models import Partner, Roadshow, Secondment

from ..factories import RoadshowFactory, SecondmentFactory, next_siren

ROLES = ["anonymous", "channel", "manager", "partner_admin", "partner_rep"]
INTERNAL = {"channel": 200, "manager": 200, "partner_admin": 403, "partner_rep": 403}
CHANNEL = {"channel": 200, "manager": 403, "partner_admin": 403, "partner_rep": 403}
EVERYONE = {"channel": 200, "manager": 200, "partner_admin": 200, "partner_rep": 200}


def _target():
    return Target.objects.create(name="Objectif", value="0.5", baseline_period="2025-Q1", deadline=date(2028, 12, 31))


#: page → (URL built from partner A and its rows, expected GET status per role)
PAGES = {
    "partner list": (lambda a: "/partners/", INTERNAL),
    "partner detail": (lambda a: f"/partners/{a.pk}/", INTERNAL),
    "partner create": (lambda a: "/partners/new/", CHANNEL),
    "partner edit": (lambda a: f"/partners/{a.pk}/edit/", CHANNEL),
    "partner suspend": (lambda a: f"/partners/{a.pk}/suspend/", CHANNEL),
    "partner activate": (lambda a: f"/partners/{a.pk}/activate/", CHANNEL),
    "secondment list": (lambda a: "/partners/secondments/", EVERYONE),
    "secondment detail": (lambda a: f"/partners/secondments/{SecondmentFactory(partner=a).pk}/", EVERYONE),
    "secondment create": (lambda a: "/partners/secondments/new/", CHANNEL),
    "secondment edit": (lambda a: f"/partners/secondments/{SecondmentFactory(partner=a).pk}/edit/", CHANNEL),
    "secondment end": (lambda a: f"/partners/secondments/{SecondmentFactory(partner=a).pk}/end/", CHANNEL),
    "roadshow list": (lambda a: "/partners/roadshows/", EVERYONE),
    "roadshow detail": (lambda a: f"/partners/roadshows/{RoadshowFactory(partners=[a]).pk}/", EVERYONE),
    "roadshow create": (lambda a: "/partners/roadshows/new/", CHANNEL),
    "roadshow edit": (lambda a: f"/partners/roadshows/{RoadshowFactory(partners=[a]).pk}/edit/", CHANNEL),
    "target list": (lambda a: "/targets/", INTERNAL),
    "target detail": (lambda a: f"/targets/{_target().pk}/", INTERNAL),
    "target create": (lambda a: "/targets/new/", CHANNEL),
    "target edit": (lambda a: f"/targets/{_target().pk}/edit/", CHANNEL),
}
POSTED_ONLY = {
    "attendee add": lambda a: f"/partners/roadshows/{RoadshowFactory(partners=[a]).pk}/attendees/add/",
    "attendee remove": lambda a: f"/partners/roadshows/{RoadshowFactory(partners=[a]).pk}/attendees/remove/",
}


@pytest.fixture
def caller(client, users):
    def login(role):
        if role != "anonymous":
            client.force_login(users[role])
        return client

    return login


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_who_opens_which_page(page, role, caller, partner_a):
    build, expected = PAGES[page]
    response = caller(role).get(build(partner_a))
    if role == "anonymous":
        assert response.status_code == 302 and "/auth/login/" in response["Location"]
    else:
        assert response.status_code == expected[role], f"{page} as {role}: {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["manager", "partner_admin", "partner_rep"])
@pytest.mark.parametrize("page", POSTED_ONLY)
def test_only_the_channel_team_changes_attendees(page, role, caller, partner_a):
    url = POSTED_ONLY[page](partner_a)
    assert caller(role).post(url, {"partner": partner_a.pk}).status_code == 403
    assert Roadshow.objects.get(pk=int(url.split("/")[3])).partners.filter(pk=partner_a.pk).exists()


@pytest.mark.django_db
def test_the_admin_link_is_for_staff_only(client, channel_user):
    client.force_login(channel_user)
    assert 'href="/admin/"' not in client.get("/partners/").content.decode()
    channel_user.is_staff = True
    channel_user.save()
    assert 'href="/admin/"' in client.get("/partners/").content.decode()


# --- The channel team's job ------------------------------------------------------------------------


PARTNER = {
    "name": "Epsilon Systèmes",
    "kind": "reseller",
    "tier": "silver",
    "status": "prospect",
    "regions": ["bretagne", "pays_de_la_loire"],
    "specialisations": ["security", "data"],
    "joined_on": "2025-09-01",
    "capacity": "15",
}


@pytest.mark.django_db
def test_a_partner_created_edited_suspended_and_activated(client, channel_user, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(channel_user)
    siren = next_siren()
    response = client.post("/partners/new/", {**PARTNER, "siren": siren}, HTTP_ACCEPT_LANGUAGE="en")
    partner = Partner.objects.get(siren=siren)
    assert response.status_code == 302 and response["Location"] == f"/partners/{partner.pk}/"
    assert (partner.status, partner.regions, partner.capacity) == ("prospect", ["bretagne", "pays_de_la_loire"], 15)

    # The same SIREN again is refused beside the field, and nothing is written.
    again = client.post("/partners/new/", {**PARTNER, "siren": siren, "name": "Copy"}, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 200 and again.context["form"].errors["siren"] == [
        "A partner with this SIREN already exists."
    ]
    assert Partner.objects.filter(siren=siren).count() == 1

    edit = {**PARTNER, "siren": siren, "tier": "gold"}
    edit.pop("status")
    assert client.post(f"/partners/{partner.pk}/edit/", edit).status_code == 302
    assert client.post(f"/partners/{partner.pk}/suspend/", {"reason": ""}).status_code == 200  # a reason is needed
    assert client.post(f"/partners/{partner.pk}/suspend/", {"reason": "Unpaid fees"}).status_code == 302
    partner.refresh_from_db()
    assert partner.status == "suspended"
    assert client.post(f"/partners/{partner.pk}/activate/", {"reason": "Fees paid"}).status_code == 302
    partner.refresh_from_db()
    assert partner.status == "active"

    page = client.get(f"/partners/{partner.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    history = page[page.index('id="history"') :]
    for words in ("Silver → Gold", "Prospect → Suspended", "Suspended → Active", "Unpaid fees", "Fees paid"):
        assert words in history
    assert "Bretagne, Pays de la Loire" in page and "Security, Data (Astra DB" in page  # labels, not codes
    kinds = list(AuditEvent.objects.filter(partner=partner).order_by("id").values_list("kind", flat=True))
    assert kinds == ["partner.created", "partner.changed", "partner.suspended", "partner.activated"]


@pytest.mark.django_db
def test_a_suspended_partner_is_offered_for_nothing_new(client, channel_user, partner_a):
    partner_a.status = "suspended"
    partner_a.save()
    client.force_login(channel_user)
    secondment = {
        "expert_name": "Jean Expert",
        "expert_email": "jean@vendor.example",
        "expertise": "sales",
        "partner": partner_a.siren,
        "starts_on": "2026-01-01",
        "ends_on": "2026-03-31",
    }
    response = client.post("/partners/secondments/new/", secondment)
    assert response.status_code == 200 and "partner" in response.context["form"].errors
    roadshow = RoadshowFactory()
    response = client.post(f"/partners/roadshows/{roadshow.pk}/attendees/add/", {"partner": partner_a.pk}, follow=True)
    assert not roadshow.partners.exists()
    assert any("suspend" in str(m) for m in response.context["messages"])
    assert not Secondment.objects.exists()


@pytest.mark.django_db
def test_a_secondment_created_by_siren_and_ended_early(client, channel_user, partner_a):
    client.force_login(channel_user)
    today = timezone.localdate()
    data = {
        "expert_name": "Jeanne Experte",
        "expert_email": "jeanne@vendor.example",
        "expertise": "technical",
        "partner": partner_a.siren,  # typed without the script
        "starts_on": (today - timedelta(days=30)).isoformat(),
        "ends_on": (today + timedelta(days=90)).isoformat(),
    }
    assert client.post("/partners/secondments/new/", data).status_code == 302
    secondment = Secondment.objects.get()
    assert secondment.partner == partner_a
    assert (
        client.post(f"/partners/secondments/{secondment.pk}/end/", {"reason": "Back at the vendor"}).status_code == 302
    )
    secondment.refresh_from_db()
    assert secondment.ends_on == today
    event = AuditEvent.objects.get(kind="secondment.ended")
    assert event.partner_id == partner_a.pk and event.detail["reason"] == "Back at the vendor"
    page = client.get(f"/partners/secondments/{secondment.pk}/").content.decode()
    assert "Back at the vendor" in page[page.index('id="history"') :]


@pytest.mark.django_db
def test_a_roadshow_created_and_its_attendees_changed(client, channel_user, partner_a, partner_b):
    client.force_login(channel_user)
    data = {"title": "Nantes IA", "city": "Nantes", "region": "pays_de_la_loire", "date": "2026-06-11"}
    response = client.post("/partners/roadshows/new/", data)
    roadshow = Roadshow.objects.get()
    assert response["Location"] == f"/partners/roadshows/{roadshow.pk}/"
    add = f"/partners/roadshows/{roadshow.pk}/attendees/add/"
    assert client.post(add, {"partner": partner_a.siren}).status_code == 302
    assert client.post(add, {"partner": partner_b.pk}).status_code == 302
    again = client.post(add, {"partner": partner_a.pk}, follow=True)
    assert any("already attends" in str(m) or "participe déjà" in str(m) for m in again.context["messages"])
    client.post(f"/partners/roadshows/{roadshow.pk}/attendees/remove/", {"partner": partner_b.pk})
    assert list(roadshow.partners.all()) == [partner_a]
    page = client.get(f"/partners/roadshows/{roadshow.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="add-attendee"' in page and 'class="picker"' in page
    history = page[page.index('id="history"') :]
    assert "removed Bravo Services" in history or "retrait de Bravo Services" in history
    assert set(AuditEvent.objects.filter(kind__startswith="roadshow").values_list("kind", flat=True)) == {
        "roadshow.created",
        "roadshow.attendee_added",
        "roadshow.attendee_removed",
    }


@pytest.mark.django_db
def test_partner_users_see_their_own_secondments_and_roadshows_and_nobody_else(client, rep_a, partner_a, partner_b):
    mine = SecondmentFactory(partner=partner_a, expert_name="Expert of Alpha")
    SecondmentFactory(partner=partner_b, expert_name="Expert of Bravo")
    shared = RoadshowFactory(title="Shared roadshow", partners=[partner_a, partner_b])
    RoadshowFactory(title="Bravo's roadshow", partners=[partner_b])
    client.force_login(rep_a)
    listing = client.get("/partners/secondments/").content.decode()
    assert "Expert of Alpha" in listing and "Expert of Bravo" not in listing
    detail = client.get(f"/partners/secondments/{mine.pk}/").content.decode()
    assert 'id="history"' not in detail and "/edit/" not in detail
    roadshows = client.get("/partners/roadshows/").content.decode()
    assert "Shared roadshow" in roadshows and "Bravo&#x27;s roadshow" not in roadshows
    page = client.get(f"/partners/roadshows/{shared.pk}/").content.decode()
    assert partner_a.name in page and partner_b.name not in page and 'id="history"' not in page


@pytest.mark.django_db
def test_a_target_typed_as_a_percentage(client, channel_user):
    client.force_login(channel_user)
    data = {"name": "50 % en 2028", "value": "50,5", "baseline_period": "2025-Q1", "deadline": "2028-12-31"}
    response = client.post("/targets/new/", data)  # French by default: a decimal comma
    target = Target.objects.get()
    assert response["Location"] == f"/targets/{target.pk}/" and str(target.value) == "0.5050"
    assert client.get(f"/targets/{target.pk}/edit/").context["form"]["value"].value() == target.value * 100
    late = client.post(f"/targets/{target.pk}/edit/", {**data, "deadline": "2025-02-01"})
    assert "deadline" in late.context["form"].errors
    assert client.post(f"/targets/{target.pk}/edit/", {**data, "value": "60"}).status_code == 302
    page = client.get(f"/targets/{target.pk}/").content.decode()
    assert "50,5\xa0% → 60\xa0%" in page
    kinds = AuditEvent.objects.filter(kind__startswith="target").order_by("id").values_list("kind", flat=True)
    assert list(kinds) == ["target.created", "target.changed"]
