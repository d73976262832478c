"""Django's password reset views, with the audit trail and token revocation added."""

from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views

import audit
from audit import kinds

from .services import revoke_tokens


class PasswordResetView(auth_views.PasswordResetView):
    """Sends the reset email (only to an active user with a password); the page never says whether one exists."""

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        response = super().form_valid(form)
        user = get_user_model()._default_manager.filter(email__iexact=email, is_active=True).first()
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
