import time

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import LOGIN_AT, SEEN_AT


@receiver(user_logged_in, dispatch_uid="users_session_clock")
def start_session_clock(sender, request, user, **kwargs):
    """A web login starts the session's absolute and idle clocks (token logins have no session)."""
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY):
        now = int(time.time())
        session[LOGIN_AT] = now
        session[SEEN_AT] = now
