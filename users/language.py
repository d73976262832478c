"""A user's language: chosen on the account page (or with the language buttons of every page), saved
on the user, used for the user's e-mails and switched on for the pages at each login."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import User

#: Set on the request by the login receiver; the middleware turns it into the language cookie.
AFTER_LOGIN = "_ecosystem_language_after_login"


def offered_languages() -> frozenset[str]:
    return frozenset(code for code, _name in settings.LANGUAGES)


def choose_language(*, user: User, language: str) -> User:
    """Save ``language`` as ``user``'s own."""
    if language not in offered_languages():
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def set_language_cookie(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
