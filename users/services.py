"""Partner user management: invite, accept, deactivate, reactivate, change role.

The rules (SPEC §2): the channel team manages every partner's users; a
``partner_admin`` manages the users of its own partner only, can give them no role
but ``partner_admin`` / ``partner_rep``, never moves anyone to another partner and
never leaves its partner without an active administrator. Every change is written
to the audit trail with who made it.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

import audit
from audit import kinds
from ecosystem.roles import PARTNER_ROLES, Role, role_of
from partners.models import Partner, PartnerStatus

from .models import Invitation, User, UserStatus, hash_token

MANAGER_ROLES = frozenset({Role.CHANNEL, Role.PARTNER_ADMIN})


# --- who may do what --------------------------------------------------------------


def can_manage_users(actor) -> bool:
    """The channel team and partner administrators manage partner users."""
    return role_of(actor) in MANAGER_ROLES


def check_can_manage(actor, user: User | None = None) -> None:
    """``PermissionDenied`` unless ``actor`` may manage ``user`` (or partner users at all)."""
    role = role_of(actor)
    if role not in MANAGER_ROLES:
        raise PermissionDenied(_("Your role does not allow managing users."))
    if user is None:
        return
    if user.role not in PARTNER_ROLES or user.partner_id is None:
        raise PermissionDenied(_("Only partner users are managed here."))
    if role == Role.PARTNER_ADMIN and user.partner_id != actor.partner_id:
        # Views look users up through for_user(), so this is a second lock on the door.
        raise PermissionDenied(_("This user belongs to another partner."))


def _check_role(role: str) -> None:
    if role not in PARTNER_ROLES:
        raise ValidationError({"role": _("A partner user is a partner administrator or a partner representative.")})


def _lock_partner(partner_id: int) -> Partner:
    """Serialise the user changes of one partner (the last-admin rule reads then writes)."""
    return Partner.objects.select_for_update().get(pk=partner_id)


def _other_active_admins(user: User) -> int:
    return (
        User.objects.filter(partner_id=user.partner_id, role=Role.PARTNER_ADMIN, is_active=True)
        .exclude(pk=user.pk)
        .count()
    )


def _keeps_an_admin(actor, user: User) -> bool:
    """Would the partner still have an active administrator without ``user`` as one?

    The channel team may leave a partner without an administrator (someone left the
    company); a partner's own staff may not lock their partner out of its users.
    """
    if role_of(actor) == Role.CHANNEL:
        return True
    if user.role != Role.PARTNER_ADMIN or not user.is_active:
        return True
    return _other_active_admins(user) > 0


# --- invitations --------------------------------------------------------------------


@dataclass
class InvitationCheck:
    invitation: Invitation | None
    problem: str = ""  # "", "invalid", "used", "expired"

    @property
    def ok(self) -> bool:
        return self.invitation is not None and not self.problem


def _new_invitation(user: User, invited_by) -> tuple[Invitation, str]:
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        user=user,
        token_hash=hash_token(token),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    return invitation, token


def _revoke_open_invitations(user: User) -> int:
    return Invitation.objects.open().filter(user=user).update(revoked_at=timezone.now())


def invitation_link(base_url: str, token: str) -> str:
    return urljoin(base_url, reverse("invitation-accept", args=[token]))


def _send_invitation(invitation: Invitation, token: str, base_url: str) -> None:
    user = invitation.user
    context = {
        "user": user,
        "partner": user.partner,
        "invited_by": invitation.invited_by,
        "link": invitation_link(base_url, token),
        "expires_at": invitation.expires_at,
        "valid_days": settings.INVITATION_VALID_DAYS,
    }
    subject = " ".join(render_to_string("users/email/invitation_subject.txt", context).split())
    body = render_to_string("users/email/invitation_body.txt", context)
    send_mail(subject, body, None, [user.email])


def invite_user(
    *,
    actor,
    email: str,
    role: str,
    base_url: str,
    first_name: str = "",
    last_name: str = "",
    partner: Partner | None = None,
    request=None,
) -> User:
    """Create an inactive user without a password and email them a one-time link.

    A partner administrator invites into its own partner only; the channel team names
    the partner.
    """
    check_can_manage(actor)
    _check_role(role)
    if role_of(actor) == Role.PARTNER_ADMIN:
        if partner is not None and partner.pk != actor.partner_id:
            raise PermissionDenied(_("You can only invite users to your own partner."))
        partner = actor.partner
    if partner is None:
        raise ValidationError({"partner": _("Choose the partner this user belongs to.")})
    if partner.status == PartnerStatus.SUSPENDED:
        raise ValidationError({"partner": _("This partner is suspended: no user can be invited.")})

    email = User.objects.normalize_email((email or "").strip()).lower()
    if not email:
        raise ValidationError({"email": _("Enter an email address.")})

    with transaction.atomic():
        _lock_partner(partner.pk)
        existing = User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).first()
        if existing is not None:
            if existing.partner_id == partner.pk and existing.status == UserStatus.INVITED:
                message = _("This person is already invited: send the invitation again from their page.")
            elif existing.partner_id == partner.pk:
                message = _("This person already has an account at this partner.")
            else:
                # Say nothing of where the address is used: it may be another partner's.
                message = _("This email address cannot be invited. Contact the channel team.")
            raise ValidationError({"email": message})
        try:
            with transaction.atomic():
                user = User(
                    username=email,
                    email=email,
                    first_name=(first_name or "").strip()[:150],
                    last_name=(last_name or "").strip()[:150],
                    role=role,
                    partner=partner,
                    is_active=False,
                )
                user.set_unusable_password()
                user.save()
        except IntegrityError as error:
            raise ValidationError(
                {"email": _("This email address cannot be invited. Contact the channel team.")}
            ) from error
        invitation, token = _new_invitation(user, actor)
        audit.record(
            kinds.USER_INVITED,
            actor=actor,
            target=user,
            partner=partner,
            request=request,
            detail={"email": email, "role": role, "expires_at": invitation.expires_at},
        )
        _send_invitation(invitation, token, base_url)
    return user


def resend_invitation(*, actor, user: User, base_url: str, request=None) -> Invitation:
    """A new link for someone who has not accepted yet; the earlier links stop working."""
    check_can_manage(actor, user)
    with transaction.atomic():
        _lock_partner(user.partner_id)
        user = User.objects.get(pk=user.pk)
        if user.status != UserStatus.INVITED:
            raise ValidationError(_("This user has already set a password: there is no invitation to send."))
        _revoke_open_invitations(user)
        invitation, token = _new_invitation(user, actor)
        audit.record(
            kinds.INVITATION_RESENT,
            actor=actor,
            target=user,
            request=request,
            detail={"expires_at": invitation.expires_at},
        )
        _send_invitation(invitation, token, base_url)
    return invitation


def check_invitation(token: str) -> InvitationCheck:
    """Is ``token`` an invitation that can still be accepted? Says why not."""
    if not token or len(token) > 200:
        return InvitationCheck(None, "invalid")
    invitation = Invitation.objects.select_related("user", "user__partner").filter(token_hash=hash_token(token)).first()
    if invitation is None:
        return InvitationCheck(None, "invalid")
    if invitation.accepted_at is not None or invitation.user.status != UserStatus.INVITED:
        return InvitationCheck(invitation, "used")
    if invitation.revoked_at is not None:
        return InvitationCheck(invitation, "invalid")
    if invitation.is_expired:
        return InvitationCheck(invitation, "expired")
    return InvitationCheck(invitation)


def accept_invitation(*, token: str, password: str, request=None) -> User:
    """Set the invited user's password and activate the account. Works once."""
    with transaction.atomic():
        checked = check_invitation(token)
        if not checked.ok:
            raise ValidationError(_("This invitation link is no longer valid."), code=checked.problem or "invalid")
        invitation = Invitation.objects.select_for_update().get(pk=checked.invitation.pk)
        user = User.objects.select_for_update().get(pk=invitation.user_id)
        if invitation.accepted_at is not None or invitation.revoked_at is not None or user.status != UserStatus.INVITED:
            raise ValidationError(_("This invitation link is no longer valid."), code="used")
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        _revoke_open_invitations(user)
        audit.record(kinds.INVITATION_ACCEPTED, actor=user, target=user, request=request)
    return user


# --- changes ------------------------------------------------------------------------


def revoke_tokens(user: User) -> int:
    deleted, _details = Token.objects.filter(user=user).delete()
    return deleted


def deactivate_user(*, actor, user: User, request=None) -> User:
    """Switch the account off: no login, no API token, no pending invitation."""
    check_can_manage(actor, user)
    with transaction.atomic():
        _lock_partner(user.partner_id)
        user = User.objects.get(pk=user.pk)
        was = user.status
        if was == UserStatus.DEACTIVATED:
            raise ValidationError(_("This user is already deactivated."))
        if not _keeps_an_admin(actor, user):
            if user.pk == actor.pk:
                message = _("You are your partner's last active administrator: make someone else administrator first.")
            else:
                message = _("This is the partner's last active administrator: make someone else administrator first.")
            raise ValidationError(message)
        user.is_active = False
        user.save(update_fields=["is_active"])
        tokens = revoke_tokens(user)
        invitations = _revoke_open_invitations(user)
        audit.record(
            kinds.USER_DEACTIVATED,
            actor=actor,
            target=user,
            request=request,
            detail={"was": was, "tokens_revoked": tokens, "invitations_revoked": invitations},
        )
    return user


def reactivate_user(*, actor, user: User, request=None) -> User:
    check_can_manage(actor, user)
    with transaction.atomic():
        _lock_partner(user.partner_id)
        user = User.objects.get(pk=user.pk)
        if user.status == UserStatus.ACTIVE:
            raise ValidationError(_("This user is already active."))
        if user.status == UserStatus.INVITED:
            raise ValidationError(_("This user has never set a password: send the invitation again instead."))
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit.record(kinds.USER_REACTIVATED, actor=actor, target=user, request=request)
    return user


def change_role(*, actor, user: User, role: str, request=None) -> User:
    """Between ``partner_admin`` and ``partner_rep`` only; the partner never changes."""
    check_can_manage(actor, user)
    _check_role(role)
    with transaction.atomic():
        _lock_partner(user.partner_id)
        user = User.objects.get(pk=user.pk)
        if user.role == role:
            return user
        if role != Role.PARTNER_ADMIN and not _keeps_an_admin(actor, user):
            raise ValidationError(
                {"role": _("This is the partner's last active administrator: make someone else administrator first.")}
            )
        previous = user.role
        user.role = role
        user.save(update_fields=["role"])
        audit.record(
            kinds.USER_ROLE_CHANGED,
            actor=actor,
            target=user,
            request=request,
            detail={"from": previous, "to": role},
        )
    return user
