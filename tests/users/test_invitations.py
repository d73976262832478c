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


def _normalised(text: str, user: User, *, email: str) -> str:
    """A page or API answer about ``user`` with what differs by construction (its id, address, username,
    timestamps, CSRF token) replaced by markers: what is left must not depend on whether the address was free."""
    text = text.replace(email, "<email>").replace(user.username, "<username>")
    text = re.sub(rf"/portal/users/{user.pk}/", "/portal/users/<id>/", text)
    text = re.sub(rf'"id":\s*{user.pk}\b', '"id": <id>', text)
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', text)
    text = re.sub(r'"date_joined":\s*"[^"]+"', '"date_joined": ""', text)
    return re.sub(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?", "<time>", text)


def _seen_by(client, api_client, user: User, *, email: str) -> dict:
    """Everything the inviting partner administrator can read about the invited user, normalised."""
    return {
        "page": _normalised(client.get(f"/portal/users/{user.pk}/").content.decode(), user, email=email),
        "api": _normalised(api_client.get(f"/api/v1/users/{user.pk}/").content.decode(), user, email=email),
        "listed": _normalised(api_client.get(f"/api/v1/users/?q={email}").content.decode(), user, email=email),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("taken_by", ["another partner's user", "an internal user"])
def test_an_address_in_use_elsewhere_gets_the_same_answer_as_a_free_one(
    taken_by, client, api, admin_a, partner_a, rep_b, channel_user
):
    """SPEC §2: an invitation's answer never tells a partner administrator that an address is used elsewhere.

    The address in use is invited like a free one — same answers (page, API), same invited user in the
    partner's list and pages — but its invitation is held: nothing is e-mailed to it, the channel team is told.
    """
    taken = rep_b.email if taken_by == "another partner's user" else channel_user.email
    free_page, taken_page = "free.page@alpha.example", taken
    answers = {}
    for label, email in (("free", free_page), ("taken", taken_page)):
        mail.outbox.clear()
        response = invite(client, admin_a, email=email, first_name="Nina", last_name="Rep")
        user = User.objects.get(email=email, partner=partner_a)
        answers[label] = {
            "status": response.status_code,
            "location": response["Location"].replace(str(user.pk), "<id>"),
            "message": _normalised(client.get(response["Location"]).content.decode(), user, email=email),
            **_seen_by(client, api(admin_a), user, email=email),
        }
        answers[label]["mail_to_address"] = [m.to for m in mail.outbox if email in m.to and LINK.search(m.body)]
        answers[label]["user"] = user
    free_user, taken_user = answers["free"].pop("user"), answers["taken"].pop("user")
    assert answers["free"]["mail_to_address"] == [[free_page]]
    assert answers["taken"].pop("mail_to_address") == [] and answers["free"].pop("mail_to_address")
    assert answers["free"] == answers["taken"]
    assert free_user.status == taken_user.status == UserStatus.INVITED
    assert free_user.username.startswith("invited-") and taken_user.username.startswith("invited-")

    # The same through the API.
    bodies = {}
    for label, email in (("free", "free.api@alpha.example"), ("taken", taken)):
        if label == "taken":
            User.objects.filter(pk=taken_user.pk).delete()  # the page's invitation above: start again
        response = api(admin_a).post("/api/v1/users/", {"email": email, "role": "partner_rep", "first_name": "Ada"})
        assert response.status_code == 201, response.content
        created = User.objects.get(email=email, partner=partner_a)
        bodies[label] = _normalised(response.content.decode(), created, email=email)
    assert bodies["free"] == bodies["taken"]

    # The channel team is told who asked and where the address is used; the partner's users never are.
    held = AuditEvent.objects.filter(kind="user.invitation_held")
    assert held.count() == 2 and {event.partner for event in held} == {partner_a}  # the page's, the API's
    to_channel = [m for m in mail.outbox if channel_user.email in m.to]
    assert to_channel and taken in to_channel[-1].body
    where = rep_b.partner.name if taken_by == "another partner's user" else channel_user.username
    assert where in to_channel[-1].body
    assert not [m for m in mail.outbox if admin_a.email in m.to]


@pytest.mark.django_db
def test_a_held_invitation_sent_again_stays_held_and_answers_the_same(
    client, api, admin_a, partner_a, rep_b, channel_user
):
    invite(client, admin_a, email=rep_b.email)
    held = User.objects.get(email=rep_b.email, partner=partner_a)
    mail.outbox.clear()
    response = client.post(f"/portal/users/{held.pk}/resend-invitation/", follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert rep_b.email in text and rep_b.partner.name not in text
    assert not [m for m in mail.outbox if rep_b.email in m.to]
    assert [m for m in mail.outbox if channel_user.email in m.to]
    assert api(admin_a).post(f"/api/v1/users/{held.pk}/resend-invitation/").status_code == 202
    # The channel team is told why, and where, when it tries.
    response = api(channel_user).post(f"/api/v1/users/{held.pk}/resend-invitation/")
    assert response.status_code == 400 and rep_b.partner.name in response.content.decode()


@pytest.mark.django_db
def test_the_channel_team_is_told_where_an_address_is_used(api, channel_user, partner_a, rep_b):
    response = api(channel_user).post(
        "/api/v1/users/", {"email": rep_b.email, "role": "partner_rep", "partner": partner_a.pk}
    )
    assert response.status_code == 400
    assert rep_b.partner.name in response.json()["email"][0]
    assert User.objects.filter(email=rep_b.email).count() == 1
    assert not mail.outbox


@pytest.mark.django_db
def test_a_later_invitation_elsewhere_does_not_hold_an_earlier_one(client, admin_a, partner_a, partner_b):
    """Two partners invite the same new address: the first is sent and can be accepted, the second is held."""
    from tests.factories import UserFactory

    admin_b = UserFactory(role=Role.PARTNER_ADMIN, partner=partner_b)
    invite(client, admin_a, email="both@example.com")
    link = link_from_outbox()
    mail.outbox.clear()
    invite(client, admin_b, email="both@example.com")
    assert not [m for m in mail.outbox if "both@example.com" in m.to]
    client.logout()
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    accepted = User.objects.get(email="both@example.com", partner=partner_a)
    assert accepted.is_active and accepted.username == "both@example.com"
