"""The audit trail: logins recorded, readable by managers and the channel team, never by partners."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.utils import timezone

import audit
from audit.models import AuditEvent
from tests.conftest import PASSWORD
from tests.factories import UserFactory


def log_in(client, username, password):
    return client.post("/auth/login/", {"username": username, "password": password})


@pytest.mark.django_db
class TestLoginEvents:
    def test_success_and_failure_are_recorded(self, client, rep_a, partner_a):
        assert log_in(client, rep_a.username, "wrong").status_code == 200
        assert log_in(client, "nobody-at-all", "wrong").status_code == 200
        assert log_in(client, rep_a.username, PASSWORD).status_code == 302
        client.post("/auth/logout/")
        failed = AuditEvent.objects.filter(kind="login.failed").order_by("at", "id")
        assert [(e.actor, e.actor_repr) for e in failed] == [(rep_a, "rep_a"), (None, "nobody-at-all")]
        assert failed[0].partner == partner_a
        assert failed[0].ip == "127.0.0.1"
        assert "password" not in str(failed[0].detail) or "wrong" not in str(failed[0].detail)
        ok = AuditEvent.objects.get(kind="login.succeeded")
        assert (ok.actor, ok.partner, ok.ip) == (rep_a, partner_a, "127.0.0.1")
        assert AuditEvent.objects.filter(kind="logout", actor=rep_a).exists()

    def test_record_service(self, rep_a, channel_user, partner_a):
        event = audit.record(
            "export.statement",
            actor=channel_user,
            target=partner_a,
            detail={"total": Decimal("12.50"), "day": timezone.localdate()},
        )
        event.refresh_from_db()
        assert event.target_type == "partners.partner" and event.target_id == str(partner_a.pk)
        assert event.partner == partner_a and event.detail["total"] == "12.50"
        with pytest.raises(ValueError):
            event.save()


@pytest.mark.django_db
class TestPage:
    def test_managers_and_channel_read_it(self, client, manager_user, channel_user, rep_a):
        log_in(client, rep_a.username, "wrong")
        for viewer in (manager_user, channel_user):
            client.force_login(viewer)
            response = client.get("/audit/")
            assert response.status_code == 200
            assert any(e.kind == "login.failed" and e.actor_repr == "rep_a" for e in response.context["object_list"])

    def test_partner_users_get_403(self, client, rep_a, admin_a):
        for viewer in (rep_a, admin_a):
            client.force_login(viewer)
            assert client.get("/audit/").status_code == 403
            assert client.get("/audit/?kind=login.failed").status_code == 403

    def test_anonymous_goes_to_login(self, client):
        response = client.get("/audit/")
        assert response.status_code == 302 and response.url.startswith("/auth/login/")

    def test_filters(self, client, manager_user, rep_a, rep_b, partner_b):
        now = timezone.now()
        audit.record("login.failed", actor=rep_a)
        audit.record("login.succeeded", actor=rep_b)
        old = audit.record("login.succeeded", actor=rep_a)
        AuditEvent.objects.filter(pk=old.pk).update(at=now - timedelta(days=40))
        client.force_login(manager_user)

        def kinds_for(query):
            response = client.get(f"/audit/?{query}")
            assert response.status_code == 200
            return sorted((e.kind, e.actor_repr) for e in response.context["object_list"] if e.actor_repr != "manager")

        assert kinds_for("kind=login.failed") == [("login.failed", "rep_a")]
        assert kinds_for("actor=rep_b") == [("login.succeeded", "rep_b")]
        assert kinds_for(f"partner={partner_b.pk}") == [("login.succeeded", "rep_b")]
        today = timezone.localdate()
        assert ("login.succeeded", "rep_a") not in kinds_for(f"date_from={today - timedelta(days=1)}")
        old_day = timezone.localtime(now - timedelta(days=40)).date()
        assert kinds_for(f"date_from={old_day}&date_to={old_day}") == [("login.succeeded", "rep_a")]

    def test_paginated(self, client, manager_user):
        AuditEvent.objects.bulk_create([AuditEvent(kind="export", actor_repr=f"u{i}") for i in range(150)])
        client.force_login(manager_user)  # one more event: the login
        response = client.get("/audit/")
        assert response.context["is_paginated"] and len(response.context["object_list"]) == 100
        assert response.context["paginator"].count == 151
        assert len(client.get("/audit/?page=2").context["object_list"]) == 51


@pytest.mark.django_db
def test_admin_is_read_only(client, rf):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    model_admin = site._registry[AuditEvent]
    request = rf.get("/")
    request.user = superuser
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    audit.record("login.failed", actor_repr="x")
    client.force_login(superuser)
    assert client.get("/admin/audit/auditevent/").status_code == 200
