"""Logins, failed logins, lockouts and logouts go to the audit trail."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from ecosystem.signals import export_served

from . import kinds
from .services import record


def _path(request) -> str:
    return getattr(request, "path", "") or ""


def _user_named(username):
    if not username:
        return None
    User = get_user_model()
    return User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()


@receiver(user_logged_in, dispatch_uid="audit_user_logged_in")
def on_logged_in(sender, request, user, **kwargs):
    record(kinds.LOGIN_SUCCEEDED, actor=user, request=request, detail={"path": _path(request)})


@receiver(user_login_failed, dispatch_uid="audit_user_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username") or "")[:150]
    user = _user_named(username)
    record(
        kinds.LOGIN_FAILED,
        actor=user,
        actor_repr=username,
        partner=getattr(user, "partner_id", None),
        request=request,
        detail={"path": _path(request)},
    )


@receiver(user_logged_out, dispatch_uid="audit_user_logged_out")
def on_logged_out(sender, request, user, **kwargs):
    if user is not None and not getattr(request, "session_expired", False):
        record(kinds.LOGGED_OUT, actor=user, request=request)


@receiver(user_locked_out, dispatch_uid="audit_user_locked_out")
def on_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    user = _user_named(username)
    record(
        kinds.LOCKED_OUT,
        actor=user,
        actor_repr=str(username or "")[:150],
        partner=getattr(user, "partner_id", None),
        ip=ip_address,
        request=request,
        detail={"path": _path(request)},
    )


@receiver(export_served, dispatch_uid="audit_export_served")
def on_export_served(sender, request, name, filename, **kwargs):
    """Who exported what, with which filters."""
    record(
        kinds.EXPORT, actor=request.user, request=request, target_repr=filename,
        detail={"export": name, "query": request.GET.urlencode()[:1000]},
    )  # fmt: skip
