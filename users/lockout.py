"""The answer to a locked-out login (django-axes' ``AXES_LOCKOUT_CALLABLE``)."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _cool_off_minutes() -> int:
    cool_off = settings.AXES_COOLOFF_TIME
    seconds = cool_off.total_seconds() if hasattr(cool_off, "total_seconds") else float(cool_off or 0) * 3600
    return max(1, round(seconds / 60)) if seconds else 0


def lockout_response(request, original_response=None, credentials=None):
    """429 with a clear page for the web, ``{"detail": …}`` for the API."""
    minutes = _cool_off_minutes()
    if request.path.startswith("/api/") or request.headers.get("x-requested-with") == "XMLHttpRequest":
        if minutes:
            detail = _("Too many failed logins: this account is locked for %(minutes)s minutes.") % {"minutes": minutes}
        else:
            detail = _("Too many failed logins: this account is locked. Contact the channel team.")
        response = JsonResponse({"detail": detail}, status=429)
    else:
        response = render(
            request,
            "registration/lockout.html",
            {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
            status=429,
        )
    if minutes:
        response["Retry-After"] = str(minutes * 60)
    return response
