import time

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .language import AFTER_LOGIN
from .middleware import LOGIN_AT, SEEN_AT


@receiver(user_logged_in, dispatch_uid="users_session_clock")
def start_session_clock(sender, request, user, **kwargs):
    """A web login starts the session's absolute and idle clocks (token logins have no session)."""
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY):
        now = int(time.time())
        session[LOGIN_AT] = now
        session[SEEN_AT] = now


@receiver(user_logged_in, dispatch_uid="users_language_after_login")
def switch_to_the_users_language(sender, request, user, **kwargs):
    """A user who chose a language reads the pages in it from the login on (see ``UserLanguageMiddleware``)."""
    language = getattr(user, "language", "")
    if request is not None and language:
        setattr(request, AFTER_LOGIN, language)
