"""Django's password reset views, with the audit trail, a rate limit and token revocation added."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpResponseRedirect
from django.utils import translation

import audit
from audit import kinds
from ecosystem.client_ip import client_ip
from ecosystem.mail import language_of
from ecosystem.ratelimit import hit

from .services import revoke_tokens

log = logging.getLogger(__name__)


def reset_limits_exceeded(request, email: str) -> list[str]:
    """Count this reset request against its client address and its e-mail address; the limits it exceeds."""
    window = settings.PASSWORD_RESET_LIMIT_WINDOW_MINUTES * 60
    checks = [
        ("address", client_ip(request) or "unknown", settings.PASSWORD_RESET_LIMIT_PER_ADDRESS),
        ("email", email.strip().lower(), settings.PASSWORD_RESET_LIMIT_PER_EMAIL),
    ]
    return [
        name
        for name, value, limit in checks
        if limit > 0 and not hit(f"password-reset:{name}", value, limit=limit, window_seconds=window)
    ]


class ResetForm(PasswordResetForm):
    """Django's reset form, its e-mail in the user's language (the page's when the user chose none)."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        with translation.override(language_of(context["user"], translation.get_language() or "")):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    """Sends the reset email (only to an active user with a password); the page never says whether one exists.

    A few requests per client address and per e-mail address an hour (settings
    ``PASSWORD_RESET_LIMIT_*``): beyond, the same "if the address exists, we sent a link" page, no
    e-mail (no mailbox flooded, no address probed at leisure), and an audit event."""

    form_class = ResetForm

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        user = get_user_model()._default_manager.filter(email__iexact=email, is_active=True).first()
        if exceeded := reset_limits_exceeded(self.request, email):
            log.warning("password reset refused: limit per %s reached", " and ".join(exceeded))
            audit.record(
                kinds.PASSWORD_RESET_THROTTLED,
                actor=user,
                actor_repr=user.get_username() if user else email[:150],
                target=user,
                request=self.request,
                detail={"email": email, "known": user is not None, "limits": exceeded},
            )
            return HttpResponseRedirect(self.get_success_url())
        response = super().form_valid(form)
        audit.record(
            kinds.PASSWORD_RESET_REQUESTED,
            actor=user,
            actor_repr=user.get_username() if user else email[:150],
            target=user,
            request=self.request,
            detail={"email": email, "known": user is not None},
        )
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password also revokes the user's API tokens (other sessions end by Django's session hash)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        audit.record(
            kinds.PASSWORD_RESET_DONE,
            actor=user,
            target=user,
            request=self.request,
            detail={"tokens_revoked": revoke_tokens(user)},
        )
        return response
