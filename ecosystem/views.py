"""Project-level pages: the role-aware home, health and readiness probes."""

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views import View
from django.views.decorators.cache import never_cache

from .roles import PARTNER_ROLES, Role, role_of


class HomeView(View):
    """Send each role to its own starting page."""

    def get(self, request):
        role = role_of(request.user)
        if not role:
            return redirect("login")
        if role in PARTNER_ROLES:
            return redirect("portal-home")
        if role == Role.MANAGER:
            return redirect("manager-home")
        return redirect("workspace-home")


@never_cache
def healthz(request):
    """The process is up."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """The database and the broker answer."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"error: {type(error).__name__}"
    try:
        from ecosystem.celery import app

        if app.conf.task_always_eager:
            checks["broker"] = "ok (in-process)"
        else:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
    except Exception as error:
        checks["broker"] = f"error: {type(error).__name__}"
    ready = all(value.startswith("ok") for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503)
