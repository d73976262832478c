"""Sessions that end (``SessionTimeoutMiddleware``), and the user's language after login
(``UserLanguageMiddleware``).

Sessions end: after ``SESSION_IDLE_TIMEOUT`` seconds without a request, and
``SESSION_COOKIE_AGE`` seconds after login whatever happens.

Django's own expiry (``SESSION_COOKIE_AGE``, ``SESSION_EXPIRE_AT_BROWSER_CLOSE``)
stays in force; this adds the idle limit and makes the absolute one independent of
how often the session is saved.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.utils.translation import gettext as _

import audit
from audit import kinds

from .language import AFTER_LOGIN, set_language_cookie

LOGIN_AT = "_ecosystem_login_at"
SEEN_AT = "_ecosystem_seen_at"
# Write the "last seen" time at most this often: not one session write per request.
SEEN_RESOLUTION = 60


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY):
            now = int(time.time())
            login_at = session.get(LOGIN_AT)
            seen_at = session.get(SEEN_AT)
            if login_at is None:
                session[LOGIN_AT] = login_at = now
            if seen_at is None:
                seen_at = now
            idle = getattr(settings, "SESSION_IDLE_TIMEOUT", 0)
            expired = (idle and now - seen_at > idle) or now - login_at > settings.SESSION_COOKIE_AGE
            if expired:
                user = request.user
                audit.record(
                    kinds.SESSION_EXPIRED,
                    actor=user if user.is_authenticated else None,
                    request=request,
                    detail={"idle_seconds": now - seen_at, "age_seconds": now - login_at},
                )
                request.session_expired = True  # the logout is recorded as the expiry above
                logout(request)
                messages.info(request, _("Your session has expired. Please log in again."))
            elif now - seen_at >= SEEN_RESOLUTION or SEEN_AT not in session:
                session[SEEN_AT] = now
        return self.get_response(request)


class UserLanguageMiddleware:
    """After a login, the pages speak the user's own language (when the user chose one): the login
    receiver marks the request, this sets the language cookie on the answer (the redirect after login),
    so every later page is in that language until the user switches."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if language := getattr(request, AFTER_LOGIN, ""):
            set_language_cookie(response, language)
        return response
