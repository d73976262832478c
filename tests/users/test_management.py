"""Who manages whom: a partner administrator manages its own partner's users only."""

import pytest
from rest_framework.authtoken.models import Token

from audit.models import AuditEvent
from ecosystem.roles import Role
from tests.factories import UserFactory
from users.models import User


@pytest.fixture
def admin_b(partner_b):
    return UserFactory(username="admin_b", role=Role.PARTNER_ADMIN, partner=partner_b)


def _pages(pk):
    return [f"/portal/users/{pk}/"]


def _posts(pk):
    return [
        (f"/portal/users/{pk}/deactivate/", {}),
        (f"/portal/users/{pk}/reactivate/", {}),
        (f"/portal/users/{pk}/role/", {"role": "partner_admin"}),
        (f"/portal/users/{pk}/resend-invitation/", {}),
    ]


def _api_posts(pk):
    return [
        (f"/api/v1/users/{pk}/deactivate/", {}),
        (f"/api/v1/users/{pk}/reactivate/", {}),
        (f"/api/v1/users/{pk}/role/", {"role": "partner_admin"}),
        (f"/api/v1/users/{pk}/resend-invitation/", {}),
    ]


@pytest.mark.django_db
class TestIsolation:
    def test_admin_lists_only_its_own_partner(self, client, api, admin_a, rep_a, rep_b, admin_b, channel_user):
        client.force_login(admin_a)
        response = client.get("/portal/users/")
        assert response.status_code == 200
        listed = set(response.context["object_list"])
        assert listed == {admin_a, rep_a}
        assert b"rep_b" not in response.content and b"Bravo" not in response.content
        # A filter naming partner B changes nothing: the filter is not even offered.
        response = client.get(f"/portal/users/?partner={rep_b.partner_id}&q=rep_b")
        assert set(response.context["object_list"]) == set()
        body = api(admin_a).get("/api/v1/users/").json()
        assert body["count"] == 2 and {row["id"] for row in body["results"]} == {admin_a.pk, rep_a.pk}
        for query in (f"partner={rep_b.partner_id}", "q=rep_b", "status=active", "role=partner_rep"):
            rows = api(admin_a).get(f"/api/v1/users/?{query}").json()["results"]
            assert {row["id"] for row in rows} <= {admin_a.pk, rep_a.pk}, query
        # Internal users are not partner users: never listed here.
        assert channel_user.pk not in {row["id"] for row in body["results"]}

    def test_admin_cannot_reach_a_user_of_another_partner(self, client, api, admin_a, rep_b):
        client.force_login(admin_a)
        for url in _pages(rep_b.pk):
            assert client.get(url).status_code == 404, url
        for url, data in _posts(rep_b.pk):
            assert client.post(url, data).status_code == 404, url
        assert api(admin_a).get(f"/api/v1/users/{rep_b.pk}/").status_code == 404
        for url, data in _api_posts(rep_b.pk):
            assert api(admin_a).post(url, data).status_code == 404, url
        rep_b.refresh_from_db()
        assert rep_b.is_active and rep_b.role == Role.PARTNER_REP
        assert not AuditEvent.objects.filter(target_id=str(rep_b.pk)).exists()

    def test_admin_cannot_reach_internal_users(self, api, client, admin_a, channel_user):
        client.force_login(admin_a)
        assert client.get(f"/portal/users/{channel_user.pk}/").status_code == 404
        assert client.post(f"/portal/users/{channel_user.pk}/deactivate/").status_code == 404
        assert api(admin_a).post(f"/api/v1/users/{channel_user.pk}/deactivate/").status_code == 404

    def test_no_user_is_moved_or_edited_wholesale(self, api, admin_a, rep_a, partner_b):
        for method in ("put", "patch", "delete"):
            response = getattr(api(admin_a), method)(f"/api/v1/users/{rep_a.pk}/", {"partner": partner_b.pk})
            assert response.status_code == 405, method
        rep_a.refresh_from_db()
        assert rep_a.partner_id == admin_a.partner_id


@pytest.mark.django_db
class TestRoles:
    def test_rep_cannot_manage_users(self, client, api, rep_a, admin_a):
        client.force_login(rep_a)
        assert client.get("/portal/users/").status_code == 403
        assert client.get("/portal/users/invite/").status_code == 403
        assert client.get(f"/portal/users/{admin_a.pk}/").status_code == 403
        for url, data in _posts(admin_a.pk):
            assert client.post(url, data).status_code == 403, url
        assert api(rep_a).get("/api/v1/users/").status_code == 403
        assert api(rep_a).post("/api/v1/users/", {"email": "x@a.example", "role": "partner_rep"}).status_code == 403
        for url, data in _api_posts(admin_a.pk):
            assert api(rep_a).post(url, data).status_code == 403, url
        admin_a.refresh_from_db()
        assert admin_a.is_active and admin_a.role == Role.PARTNER_ADMIN

    def test_manager_reads_but_does_not_manage(self, client, api, manager_user, rep_a, rep_b):
        client.force_login(manager_user)
        assert client.get("/portal/users/").status_code == 200
        assert client.get(f"/portal/users/{rep_b.pk}/").status_code == 200
        assert client.get("/portal/users/invite/").status_code == 403
        assert client.post(f"/portal/users/{rep_a.pk}/deactivate/").status_code == 403
        assert api(manager_user).get("/api/v1/users/?role=partner_rep").json()["count"] == 2
        # Internal users are listed for internal roles, read-only here (managed in the admin).
        response = api(manager_user).get(f"/api/v1/users/{manager_user.pk}/")
        assert response.status_code == 200 and response.json()["partner_name"] is None
        assert api(manager_user).post(f"/api/v1/users/{rep_a.pk}/deactivate/").status_code == 403

    def test_anonymous(self, client, api, rep_a):
        assert client.get("/portal/users/").status_code == 302
        assert api(None).get("/api/v1/users/").status_code == 401

    def test_channel_manages_every_partner(self, api, client, channel_user, manager_user, rep_b):
        response = api(channel_user).post(f"/api/v1/users/{rep_b.pk}/role/", {"role": "partner_admin"})
        assert response.status_code == 200 and response.json()["role"] == "partner_admin"
        # ... but not internal users: those are managed in the admin.
        assert api(channel_user).post(f"/api/v1/users/{manager_user.pk}/deactivate/").status_code == 403
        client.force_login(channel_user)
        assert client.post(f"/portal/users/{manager_user.pk}/deactivate/").status_code == 403
        manager_user.refresh_from_db()
        assert manager_user.is_active


@pytest.mark.django_db
class TestChanges:
    def test_change_role_within_the_partner(self, client, admin_a, rep_a):
        client.force_login(admin_a)
        response = client.post(f"/portal/users/{rep_a.pk}/role/", {"role": "partner_admin"})
        assert response.status_code == 302
        rep_a.refresh_from_db()
        assert rep_a.role == Role.PARTNER_ADMIN and rep_a.partner_id == admin_a.partner_id
        event = AuditEvent.objects.get(kind="user.role_changed")
        assert event.actor == admin_a and event.detail == {"from": "partner_rep", "to": "partner_admin"}
        assert event.partner_id == admin_a.partner_id

    @pytest.mark.parametrize("role", ["channel", "manager", "", "superuser"])
    def test_escalation_is_refused(self, client, api, admin_a, rep_a, role):
        response = api(admin_a).post(f"/api/v1/users/{rep_a.pk}/role/", {"role": role})
        assert response.status_code == 400 and "role" in response.json()
        response = api(admin_a).post("/api/v1/users/", {"email": "boss@alpha.example", "role": role})
        assert response.status_code == 400 and "role" in response.json()
        client.force_login(admin_a)
        client.post(f"/portal/users/{rep_a.pk}/role/", {"role": role})
        client.post("/portal/users/invite/", {"email": "boss2@alpha.example", "role": role})
        rep_a.refresh_from_db()
        assert rep_a.role == Role.PARTNER_REP
        assert not User.objects.filter(email__startswith="boss").exists()
        assert not User.objects.filter(role__in=["channel", "manager"], partner__isnull=False).exists()

    def test_deactivate_and_reactivate(self, client, api, admin_a, rep_a):
        token = Token.objects.create(user=rep_a)
        response = api(admin_a).post(f"/api/v1/users/{rep_a.pk}/deactivate/")
        assert response.status_code == 200 and response.json()["status"] == "deactivated"
        assert not Token.objects.filter(pk=token.pk).exists()
        # Already deactivated: a clear 400.
        assert api(admin_a).post(f"/api/v1/users/{rep_a.pk}/deactivate/").status_code == 400
        client.force_login(admin_a)
        assert client.post(f"/portal/users/{rep_a.pk}/reactivate/").status_code == 302
        rep_a.refresh_from_db()
        assert rep_a.is_active
        assert list(AuditEvent.objects.filter(target_id=str(rep_a.pk)).values_list("kind", flat=True)) == [
            "user.reactivated",
            "user.deactivated",
        ]

    def test_deactivated_user_cannot_use_the_site(self, client, admin_a, rep_a):
        client.force_login(rep_a)
        assert client.get("/portal/").status_code == 200
        from users import services

        services.deactivate_user(actor=admin_a, user=rep_a)
        assert client.get("/portal/").status_code == 302

    def test_last_admin_cannot_deactivate_or_demote_themselves(self, client, api, admin_a, rep_a):
        assert api(admin_a).post(f"/api/v1/users/{admin_a.pk}/deactivate/").status_code == 400
        response = api(admin_a).post(f"/api/v1/users/{admin_a.pk}/role/", {"role": "partner_rep"})
        assert response.status_code == 400 and "role" in response.json()
        client.force_login(admin_a)
        response = client.post(f"/portal/users/{admin_a.pk}/deactivate/", follow=True)
        assert response.status_code == 200
        admin_a.refresh_from_db()
        assert admin_a.is_active and admin_a.role == Role.PARTNER_ADMIN

    def test_with_a_second_admin_they_can(self, api, admin_a, rep_a):
        api(admin_a).post(f"/api/v1/users/{rep_a.pk}/role/", {"role": "partner_admin"})
        assert api(admin_a).post(f"/api/v1/users/{admin_a.pk}/role/", {"role": "partner_rep"}).status_code == 200
        admin_a.refresh_from_db()
        assert admin_a.role == Role.PARTNER_REP

    def test_an_invited_admin_does_not_count(self, api, admin_a):
        api(admin_a).post("/api/v1/users/", {"email": "next@alpha.example", "role": "partner_admin"})
        assert api(admin_a).post(f"/api/v1/users/{admin_a.pk}/deactivate/").status_code == 400

    def test_invited_user_cannot_be_reactivated_before_accepting(self, api, admin_a):
        pk = api(admin_a).post("/api/v1/users/", {"email": "n@alpha.example", "role": "partner_rep"}).json()["id"]
        assert api(admin_a).post(f"/api/v1/users/{pk}/reactivate/").status_code == 400

    def test_pages_render(self, client, admin_a, rep_a, channel_user, manager_user):
        for viewer in (admin_a, channel_user, manager_user):
            client.force_login(viewer)
            assert client.get("/portal/users/").status_code == 200
            assert client.get(f"/portal/users/{rep_a.pk}/").status_code == 200
            assert client.get("/portal/users/?status=active&role=partner_rep&q=rep").status_code == 200
        for viewer in (admin_a, channel_user):
            client.force_login(viewer)
            assert client.get("/portal/users/invite/").status_code == 200
