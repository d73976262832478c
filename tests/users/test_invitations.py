"""Invitations end to end: email with a one-time link, password set, account active, link dead."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from ecosystem.roles import Role
from users.models import Invitation, User, UserStatus

NEW_PASSWORD = "Correct-Horse-42-battery"
LINK = re.compile(r"http://testserver/invitation/([\w-]+)/")


def invite(client, actor, **data):
    client.force_login(actor)
    payload = {"email": "new.rep@alpha.example", "first_name": "Nina", "last_name": "Rep", "role": "partner_rep"}
    payload.update(data)
    return client.post("/portal/users/invite/", payload)


def link_from_outbox(index=-1) -> str:
    match = LINK.search(mail.outbox[index].body)
    assert match, mail.outbox[index].body
    return match.group(0)


@pytest.mark.django_db
def test_invite_accept_and_log_in(client, admin_a, partner_a):
    response = invite(client, admin_a)
    assert response.status_code == 302
    user = User.objects.get(email="new.rep@alpha.example")
    assert (user.partner, user.role, user.is_active, user.has_usable_password()) == (
        partner_a,
        Role.PARTNER_REP,
        False,
        False,
    )
    assert user.status == UserStatus.INVITED
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.rep@alpha.example"]
    assert partner_a.name in mail.outbox[0].subject
    link = link_from_outbox()
    # Only the token's hash is stored.
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert not Invitation.objects.filter(token_hash=token).exists()

    client.logout()
    assert client.get(link).status_code == 200
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.url == "/auth/login/"
    user.refresh_from_db()
    assert user.is_active and user.check_password(NEW_PASSWORD)
    assert user.invitations.get().accepted_at is not None

    # The new user logs in with the password they chose.
    response = client.post("/auth/login/", {"username": user.username, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/portal/").status_code == 200

    # The link works once.
    client.logout()
    assert client.get(link).status_code == 410
    response = client.post(link, {"new_password1": "Another-pass-77x", "new_password2": "Another-pass-77x"})
    assert response.status_code == 410
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    kinds = list(AuditEvent.objects.filter(target_id=str(user.pk)).values_list("kind", flat=True))
    assert "user.invited" in kinds and "user.invitation_accepted" in kinds
    invited = AuditEvent.objects.get(kind="user.invited")
    assert invited.actor == admin_a and invited.partner == partner_a


@pytest.mark.django_db
def test_expired_link_is_refused(client, admin_a):
    invite(client, admin_a)
    link = link_from_outbox()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client.logout()
    assert client.get(link).status_code == 410
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 410
    user = User.objects.get(email="new.rep@alpha.example")
    assert not user.is_active and not user.has_usable_password()


@pytest.mark.django_db
def test_unknown_link_is_404_and_weak_password_is_refused(client, admin_a):
    assert client.get("/invitation/not-a-real-token/").status_code == 404
    invite(client, admin_a)
    link = link_from_outbox()
    client.logout()
    response = client.post(link, {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 400
    assert not User.objects.get(email="new.rep@alpha.example").is_active


@pytest.mark.django_db
def test_resend_replaces_the_earlier_link(client, admin_a):
    invite(client, admin_a)
    first = link_from_outbox()
    user = User.objects.get(email="new.rep@alpha.example")
    assert client.post(f"/portal/users/{user.pk}/resend-invitation/").status_code == 302
    assert len(mail.outbox) == 2
    second = link_from_outbox()
    assert first != second
    client.logout()
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


@pytest.mark.django_db
def test_cancelled_invitation_link_is_dead(client, admin_a):
    invite(client, admin_a)
    link = link_from_outbox()
    user = User.objects.get(email="new.rep@alpha.example")
    assert client.post(f"/portal/users/{user.pk}/deactivate/").status_code == 302
    client.logout()
    assert client.get(link).status_code == 404


@pytest.mark.django_db
def test_invite_through_the_api(api, admin_a, partner_a, partner_b):
    response = api(admin_a).post(
        "/api/v1/users/", {"email": "Api.Admin@Alpha.example", "role": "partner_admin", "first_name": "Ada"}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["partner"] == partner_a.pk and body["status"] == "invited" and body["role"] == "partner_admin"
    assert body["email"] == "api.admin@alpha.example"
    assert LINK.search(mail.outbox[-1].body)
    # Naming another partner: that partner does not exist for this caller.
    response = api(admin_a).post(
        "/api/v1/users/", {"email": "x@bravo.example", "role": "partner_rep", "partner": partner_b.pk}
    )
    assert response.status_code == 400 and "partner" in response.json()
    assert not User.objects.filter(email="x@bravo.example").exists()


@pytest.mark.django_db
def test_channel_invites_into_a_chosen_partner(api, channel_user, partner_b):
    response = api(channel_user).post(
        "/api/v1/users/", {"email": "admin@bravo.example", "role": "partner_admin", "partner": partner_b.pk}
    )
    assert response.status_code == 201
    assert User.objects.get(email="admin@bravo.example").partner == partner_b
    response = api(channel_user).post("/api/v1/users/", {"email": "nobody@x.example", "role": "partner_rep"})
    assert response.status_code == 400 and "partner" in response.json()


@pytest.mark.django_db
def test_an_address_in_use_is_refused_without_saying_where(client, admin_a, rep_b):
    response = invite(client, admin_a, email=rep_b.email)
    assert response.status_code == 200
    text = response.content.decode()
    assert "cannot be invited" in text or "ne peut" in text
    assert rep_b.partner.name not in text
    assert User.objects.filter(email=rep_b.email).count() == 1
    assert not mail.outbox
