"""Lockout after repeated failures (web and token), password reset by email, sessions that end, tokens."""

import re

import pytest
from django.conf import settings
from django.core import mail
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditEvent
from tests.conftest import PASSWORD
from users import services
from users.middleware import LOGIN_AT, SEEN_AT

LOGIN = "/auth/login/"
TOKEN = "/api/v1/auth/token/"
ROTATE = "/api/v1/auth/token/rotate/"


def fail_web(client, username, times):
    return [client.post(LOGIN, {"username": username, "password": "wrong-password"}).status_code for _ in range(times)]


def token_client():
    return APIClient()


@pytest.mark.django_db
class TestLockout:
    def test_settings(self):
        assert settings.AXES_FAILURE_LIMIT == 5
        assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
        assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
        assert settings.AUTHENTICATION_BACKENDS[0].startswith("axes.")

    def test_web_login_locks_after_the_limit(self, client, rep_a, admin_a):
        limit = settings.AXES_FAILURE_LIMIT
        codes = fail_web(client, rep_a.username, limit)
        assert codes[: limit - 1] == [200] * (limit - 1)
        assert codes[-1] == 429
        # Locked out: even the right password is refused, with the lockout page.
        response = client.post(LOGIN, {"username": rep_a.username, "password": PASSWORD})
        assert response.status_code == 429
        assert "registration/lockout.html" in [t.name for t in response.templates]
        assert response["Retry-After"] == str(15 * 60)
        assert "_auth_user_id" not in client.session
        assert AuditEvent.objects.filter(kind="login.locked_out", actor=rep_a).exists()
        # The lock is per username and address: another user from the same address still logs in.
        other = client.post(LOGIN, {"username": "admin_a", "password": PASSWORD})
        assert other.status_code in (200, 302)

    def test_fewer_failures_then_success_resets(self, client, rep_a):
        fail_web(client, rep_a.username, settings.AXES_FAILURE_LIMIT - 1)
        assert client.post(LOGIN, {"username": rep_a.username, "password": PASSWORD}).status_code == 302
        client.logout()
        assert fail_web(client, rep_a.username, settings.AXES_FAILURE_LIMIT - 1)[-1] == 200

    def test_token_endpoint_counts_failures_and_locks(self, rep_a):
        api = token_client()
        limit = settings.AXES_FAILURE_LIMIT
        codes = [api.post(TOKEN, {"username": rep_a.username, "password": "nope"}).status_code for _ in range(limit)]
        assert codes[: limit - 1] == [400] * (limit - 1)
        assert codes[-1] == 429
        response = api.post(TOKEN, {"username": rep_a.username, "password": PASSWORD})
        assert response.status_code == 429
        assert "token" not in response.json() and "detail" in response.json()
        assert not Token.objects.filter(user=rep_a).exists()

    def test_web_and_token_failures_add_up(self, client, rep_a):
        fail_web(client, rep_a.username, settings.AXES_FAILURE_LIMIT - 1)
        response = token_client().post(TOKEN, {"username": rep_a.username, "password": "nope"})
        assert response.status_code == 429
        assert client.post(LOGIN, {"username": rep_a.username, "password": PASSWORD}).status_code == 429


def fail_from(client, username, times, *, forwarded, remote="10.0.0.2"):
    """Failed logins as they reach the app through a proxy at ``remote`` that set X-Forwarded-For."""
    meta = {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded}
    return [
        client.post(LOGIN, {"username": username, "password": "wrong-password"}, **meta).status_code
        for _ in range(times)
    ]


@pytest.mark.django_db
class TestLockoutBehindAProxy:
    """TRUSTED_PROXY_COUNT tells axes (and the audit trail) where the client's address is."""

    def test_default_trusts_no_proxy(self):
        assert settings.TRUSTED_PROXY_COUNT == 0
        assert settings.AXES_CLIENT_IP_CALLABLE == "ecosystem.client_ip.client_ip"

    def test_behind_one_proxy_two_clients_are_locked_out_separately(self, client, rep_a, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        limit = settings.AXES_FAILURE_LIMIT
        assert fail_from(client, rep_a.username, limit, forwarded="198.51.100.7")[-1] == 429
        # Another client behind the same proxy is not locked out by the first one's failures.
        other = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
        response = client.post(LOGIN, {"username": rep_a.username, "password": PASSWORD}, **other)
        assert response.status_code == 302
        client.logout()
        # The first client stays locked, whatever it writes itself left of what the proxy appended.
        for forwarded in ("198.51.100.7", "192.0.2.1, 198.51.100.7"):
            meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": forwarded}
            assert client.post(LOGIN, {"username": rep_a.username, "password": PASSWORD}, **meta).status_code == 429
        event = AuditEvent.objects.filter(kind="login.locked_out", actor=rep_a).latest("id")
        assert event.ip == "198.51.100.7"

    def test_without_the_setting_a_forged_header_dodges_nothing(self, client, rep_a):
        limit = settings.AXES_FAILURE_LIMIT
        codes = [fail_from(client, rep_a.username, 1, forwarded=f"198.51.100.{i}")[0] for i in range(limit)]
        assert codes[-1] == 429
        # A new forged address: still the same client (REMOTE_ADDR), still locked out.
        meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
        assert client.post(LOGIN, {"username": rep_a.username, "password": PASSWORD}, **meta).status_code == 429
        assert AuditEvent.objects.filter(kind="login.locked_out", actor=rep_a).latest("id").ip == "10.0.0.2"


class TestClientIp:
    @pytest.mark.parametrize(
        ("count", "forwarded", "expected"),
        [
            (0, "198.51.100.7", "10.0.0.2"),  # no proxy trusted: the header is the client's own words
            (1, "198.51.100.7", "198.51.100.7"),
            (1, "192.0.2.1, 198.51.100.7", "198.51.100.7"),  # the left part is forged
            (2, "192.0.2.1, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
            (2, "198.51.100.7", "10.0.0.2"),  # fewer entries than proxies: only the peer is sure
            (1, "", "10.0.0.2"),
            (1, "not-an-address", "10.0.0.2"),
            (1, " 2001:db8::1 ", "2001:db8::1"),
        ],
    )
    def test_client_ip(self, count, forwarded, expected, settings, rf):
        from ecosystem.client_ip import client_ip

        settings.TRUSTED_PROXY_COUNT = count
        request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
        assert client_ip(request) == expected


@pytest.mark.django_db
class TestTokens:
    def test_token_then_rotation(self, rep_a):
        api = token_client()
        response = api.post(TOKEN, {"username": rep_a.username, "password": PASSWORD})
        assert response.status_code == 200
        old = response.json()["token"]
        api.credentials(HTTP_AUTHORIZATION=f"Token {old}")
        assert api.get("/api/v1/accounts/").status_code == 200
        response = api.post(ROTATE)
        assert response.status_code == 200
        new = response.json()["token"]
        assert new != old
        assert api.get("/api/v1/accounts/").status_code == 401
        api.credentials(HTTP_AUTHORIZATION=f"Token {new}")
        assert api.get("/api/v1/accounts/").status_code == 200
        assert AuditEvent.objects.filter(kind="token.rotated", actor=rep_a).exists()
        assert AuditEvent.objects.filter(kind="login.succeeded", actor=rep_a, detail__path=TOKEN).exists()

    def test_rotation_needs_credentials(self):
        assert token_client().post(ROTATE).status_code == 401

    def test_deactivated_users_token_is_refused(self, rep_a, admin_a):
        key = Token.objects.create(user=rep_a).key
        api = token_client()
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert api.get("/api/v1/accounts/").status_code == 200
        services.deactivate_user(actor=admin_a, user=rep_a)
        assert api.get("/api/v1/accounts/").status_code == 401
        assert not Token.objects.filter(user=rep_a).exists()
        # And no new token either.
        assert token_client().post(TOKEN, {"username": rep_a.username, "password": PASSWORD}).status_code == 400


@pytest.mark.django_db
class TestPasswordReset:
    def test_reset_by_email(self, client, rep_a):
        assert client.get("/auth/password_reset/").status_code == 200
        response = client.post("/auth/password_reset/", {"email": rep_a.email})
        assert response.status_code == 302
        assert len(mail.outbox) == 1 and mail.outbox[0].to == [rep_a.email]
        link = re.search(r"http://testserver(/auth/reset/[^\s]+/)", mail.outbox[0].body).group(1)
        key = Token.objects.create(user=rep_a).key
        response = client.get(link)
        assert response.status_code == 302  # Django moves the token out of the URL
        form_url = response.url
        assert client.get(form_url).status_code == 200
        new = "Brand-new-pass-2026"
        response = client.post(form_url, {"new_password1": new, "new_password2": new})
        assert response.status_code == 302
        rep_a.refresh_from_db()
        assert rep_a.check_password(new)
        assert not Token.objects.filter(key=key).exists()
        assert client.get("/auth/reset/done/").status_code == 200
        # The link works once.
        assert client.get(link, follow=True).context["validlink"] is False
        assert AuditEvent.objects.filter(kind="password.reset_requested", actor=rep_a).exists()
        assert AuditEvent.objects.filter(kind="password.reset", actor=rep_a).exists()

    def test_unknown_address_says_the_same_and_sends_nothing(self, client, rep_a):
        response = client.post("/auth/password_reset/", {"email": "nobody@nowhere.example"})
        assert response.status_code == 302 and response.url == "/auth/password_reset/done/"
        assert not mail.outbox
        assert client.get(response.url).status_code == 200

    def test_invited_user_gets_no_reset_email(self, client, api, admin_a):
        api(admin_a).post("/api/v1/users/", {"email": "pending@alpha.example", "role": "partner_rep"})
        mail.outbox.clear()
        client.post("/auth/password_reset/", {"email": "pending@alpha.example"})
        assert not mail.outbox


RESET = "/auth/password_reset/"


@pytest.mark.django_db
class TestPasswordResetLimit:
    """A few reset requests per client address and per e-mail address an hour; beyond, the same page and no e-mail."""

    def test_settings(self):
        assert settings.PASSWORD_RESET_LIMIT_PER_ADDRESS == 10
        assert settings.PASSWORD_RESET_LIMIT_PER_EMAIL == 3
        assert settings.PASSWORD_RESET_LIMIT_WINDOW_MINUTES == 60

    def test_per_email_address(self, client, rep_a, admin_a):
        limit = settings.PASSWORD_RESET_LIMIT_PER_EMAIL
        for i in range(limit + 2):
            # From a new client address each time: the e-mail address alone is limited.
            response = client.post(RESET, {"email": rep_a.email.upper()}, REMOTE_ADDR=f"192.0.2.{i + 1}")
            assert response.status_code == 302 and response.url == "/auth/password_reset/done/"
        assert len(mail.outbox) == limit
        assert AuditEvent.objects.filter(kind="password.reset_requested", actor=rep_a).count() == limit
        refused = AuditEvent.objects.filter(kind="password.reset_throttled", actor=rep_a)
        assert refused.count() == 2
        assert refused.first().detail["limits"] == ["email"] and refused.first().ip.startswith("192.0.2.")
        # Another address is not held back by rep_a's.
        client.post(RESET, {"email": admin_a.email}, REMOTE_ADDR="192.0.2.200")
        assert mail.outbox[-1].to == [admin_a.email]

    def test_per_client_address(self, client, rep_a, settings):
        limit = settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
        for i in range(limit):
            client.post(RESET, {"email": f"nobody{i}@nowhere.example"})
        # The limit is spent on unknown addresses (probing): a real one gets the neutral page, no e-mail.
        response = client.post(RESET, {"email": rep_a.email})
        assert response.status_code == 302 and response.url == "/auth/password_reset/done/"
        assert not mail.outbox
        event = AuditEvent.objects.get(kind="password.reset_throttled")
        assert event.actor == rep_a and event.detail["limits"] == ["address"]
        # Another client (behind the trusted proxy) is not held back.
        settings.TRUSTED_PROXY_COUNT = 1
        client.post(RESET, {"email": rep_a.email}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
        assert len(mail.outbox) == 1

    def test_the_window_ends(self, client, rep_a, settings, monkeypatch):
        settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 1
        client.post(RESET, {"email": rep_a.email})
        client.post(RESET, {"email": rep_a.email})
        assert len(mail.outbox) == 1
        import time

        later = time.time() + settings.PASSWORD_RESET_LIMIT_WINDOW_MINUTES * 60
        monkeypatch.setattr("ecosystem.ratelimit.time.time", lambda: later)
        client.post(RESET, {"email": rep_a.email})
        assert len(mail.outbox) == 2

    def test_zero_turns_a_limit_off(self, client, rep_a, settings):
        settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 0
        for _ in range(5):
            client.post(RESET, {"email": rep_a.email})
        assert len(mail.outbox) == 5


@pytest.mark.django_db
class TestSessions:
    def test_settings(self):
        assert settings.SESSION_COOKIE_AGE == 8 * 3600
        assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
        assert 0 < settings.SESSION_IDLE_TIMEOUT <= settings.SESSION_COOKIE_AGE
        assert "users.middleware.SessionTimeoutMiddleware" in settings.MIDDLEWARE

    def _log_in(self, client, user):
        assert client.post(LOGIN, {"username": user.username, "password": PASSWORD}).status_code == 302
        assert client.get("/portal/").status_code == 200

    def _age(self, client, key, seconds):
        session = client.session
        session[key] = session[key] - seconds
        session.save()

    def test_idle_session_ends(self, client, rep_a):
        self._log_in(client, rep_a)
        self._age(client, SEEN_AT, settings.SESSION_IDLE_TIMEOUT + 1)
        response = client.get("/portal/")
        assert response.status_code == 302 and response.url.startswith("/auth/login/")
        assert "_auth_user_id" not in client.session
        assert AuditEvent.objects.filter(kind="session.expired", actor=rep_a).exists()

    def test_activity_keeps_it_alive_until_the_absolute_limit(self, client, rep_a):
        self._log_in(client, rep_a)
        self._age(client, SEEN_AT, settings.SESSION_IDLE_TIMEOUT - 120)
        assert client.get("/portal/").status_code == 200
        assert client.get("/portal/").status_code == 200
        self._age(client, LOGIN_AT, settings.SESSION_COOKIE_AGE + 1)
        assert client.get("/portal/").status_code == 302
