"""The user admin: a partner's user can never be made staff or superuser (SPEC §2: one partner, its rows only)."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from ecosystem.roles import Role

from ..factories import UserFactory

MESSAGE = "A partner&#x27;s user can be neither staff nor superuser"


@pytest.fixture(autouse=True)
def _in_english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def root(db):
    return UserFactory(username="root", role=Role.CHANNEL, is_staff=True, is_superuser=True)


def change_data(user, **changes):
    """The admin change form of ``user`` as its page would post it."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "role": user.role,
        "partner": user.partner_id or "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "invitations-TOTAL_FORMS": "0",
        "invitations-INITIAL_FORMS": "0",
        "invitations-MIN_NUM_FORMS": "0",
        "invitations-MAX_NUM_FORMS": "1000",
    }
    for name, value in changes.items():
        if value is True:
            data[name] = "on"
        elif value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data


@pytest.mark.django_db
class TestUserAdmin:
    @pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
    def test_a_partner_user_cannot_be_made_staff(self, client, root, rep_a, flag):
        client.force_login(root)
        url = f"/admin/users/user/{rep_a.pk}/change/"
        response = client.post(url, change_data(rep_a, **{flag: True}))
        assert response.status_code == 200, "the form again, with its error"
        assert MESSAGE in response.content.decode()
        rep_a.refresh_from_db()
        assert not rep_a.is_staff and not rep_a.is_superuser

    def test_a_staff_user_cannot_be_given_a_partner(self, client, root, partner_a):
        staff = UserFactory(username="staffer", role=Role.CHANNEL, is_staff=True)
        client.force_login(root)
        data = change_data(staff, is_staff=True, role=Role.PARTNER_REP, partner=partner_a.pk)
        response = client.post(f"/admin/users/user/{staff.pk}/change/", data)
        assert response.status_code == 200 and MESSAGE in response.content.decode()
        staff.refresh_from_db()
        assert staff.partner_id is None

    def test_internal_users_may_be_staff(self, client, root, channel_user):
        client.force_login(root)
        response = client.post(f"/admin/users/user/{channel_user.pk}/change/", change_data(channel_user, is_staff=True))
        assert response.status_code == 302, response.content.decode()[:2000]
        channel_user.refresh_from_db()
        assert channel_user.is_staff

    def test_partner_users_are_edited_as_before(self, client, root, rep_a):
        client.force_login(root)
        response = client.post(f"/admin/users/user/{rep_a.pk}/change/", change_data(rep_a, first_name="Renamed"))
        assert response.status_code == 302
        assert get_user_model().objects.get(pk=rep_a.pk).first_name == "Renamed"

    def test_the_message_is_french_by_default(self, client, root, rep_a):
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
        client.force_login(root)
        response = client.post(f"/admin/users/user/{rep_a.pk}/change/", change_data(rep_a, is_staff=True))
        assert "ne peut être ni membre de l’équipe ni super-utilisateur" in response.content.decode()

    def test_full_clean_names_the_rule(self, rep_a):
        from django.core.exceptions import ValidationError

        rep_a.is_superuser = True
        with pytest.raises(ValidationError) as caught, translation.override("en"):
            rep_a.full_clean()
        assert "neither staff nor superuser" in str(caught.value)
