"""Partner user management: invite, accept, deactivate, reactivate, change role.

The rules (SPEC §2): the channel team manages every partner's users; a
``partner_admin`` manages the users of its own partner only, can give them no role
but ``partner_admin`` / ``partner_rep``, never moves anyone to another partner and
never leaves its partner without an active administrator. Every change is written
to the audit trail with who made it.

An invitation's answer never tells a partner administrator whether an address is used
elsewhere. An address already used by another partner's user (or an internal user) is
invited like any other — the same answer, the same invited user in the partner's list —
but the invitation is **held**: no link is e-mailed, and the channel team is told (audit
event ``user.invitation_held`` and an e-mail) who asked and where the address is used; the
partner sees an invitation that is never accepted. Until an invitation is accepted, the
invited user's username is a placeholder (``invited-…``), whoever was invited, so nothing
on the partner's side (username, order, search) sets a held invitation apart; accepting
makes the e-mail address the username.
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
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

import audit
from audit import kinds
from ecosystem.mail import addresses_by_language, language_of
from ecosystem.roles import INTERNAL_ROLES, PARTNER_ROLES, Role, role_of
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
    # In the invited person's language (the inviter's, chosen at invitation), whatever the sender's page says.
    with translation.override(language_of(user)):
        subject = " ".join(render_to_string("users/email/invitation_subject.txt", context).split())
        body = render_to_string("users/email/invitation_body.txt", context)
    send_mail(subject, body, None, [user.email])


PLACEHOLDER_PREFIX = "invited-"


def placeholder_username() -> str:
    """The username of a user who has not accepted an invitation yet: unique, and the same kind for everyone."""
    return f"{PLACEHOLDER_PREFIX}{secrets.token_hex(10)}"


def users_with_address(email: str):
    """Every user whose e-mail address (or username) is ``email``, case aside."""
    return User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).select_related("partner")


def address_used_elsewhere(user: User) -> User | None:
    """Another partner's user, or an internal user, who had ``user``'s address first: why its invitation is held.

    An address belongs to the first user who had it: a later invitation elsewhere never holds an earlier one.
    """
    return (
        users_with_address(user.email).filter(pk__lt=user.pk).exclude(partner_id=user.partner_id).order_by("pk").first()
    )


def _where_used(other: User) -> str:
    if other.partner_id is None:
        return _("an internal user (%(username)s)") % {"username": other.username}
    return _("a user of %(partner)s (%(username)s)") % {"partner": other.partner.name, "username": other.username}


def _hold_invitation(invitation: Invitation, other: User, *, actor, base_url: str, request=None) -> None:
    """No link for ``invitation``: its address is ``other``'s. The channel team is told; the inviter is not."""
    user = invitation.user
    audit.record(
        kinds.INVITATION_HELD,
        actor=actor,
        target=user,
        partner=user.partner_id,
        request=request,
        detail={
            "email": user.email,
            "role": user.role,
            "used_by": other.pk,
            "used_by_partner": other.partner_id,
        },
    )
    channel_team = User.objects.filter(role=Role.CHANNEL, is_active=True).exclude(email="")
    # One message per language among the channel team, each in its readers' language.
    for language, recipients in addresses_by_language(channel_team):
        with translation.override(language):
            context = {
                "user": user,
                "partner": user.partner,
                "invited_by": actor,
                "where": _where_used(other),
                "link": urljoin(base_url, reverse("user-detail", args=[user.pk])),
            }
            subject = " ".join(render_to_string("users/email/invitation_held_subject.txt", context).split())
            body = render_to_string("users/email/invitation_held_body.txt", context)
        send_mail(subject, body, None, recipients)


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
        existing = list(users_with_address(email).order_by("pk"))
        own = next((u for u in existing if u.partner_id == partner.pk), None)
        if own is not None:
            # The partner's own people: telling them apart is the partner's own data.
            if own.status == UserStatus.INVITED:
                message = _("This person is already invited: send the invitation again from their page.")
            else:
                message = _("This person already has an account at this partner.")
            raise ValidationError({"email": message})
        elsewhere = existing[0] if existing else None
        if elsewhere is not None and role_of(actor) in INTERNAL_ROLES:
            # The channel team may know where an address is used; a partner administrator never learns it.
            raise ValidationError(
                {"email": _("This address is already used by %(where)s.") % {"where": _where_used(elsewhere)}}
            )
        try:
            with transaction.atomic():
                user = User(
                    username=placeholder_username(),
                    email=email,
                    first_name=(first_name or "").strip()[:150],
                    last_name=(last_name or "").strip()[:150],
                    role=role,
                    partner=partner,
                    is_active=False,
                    # The invitation (and, after login, the pages) speak the inviter's current language.
                    language=language_of(None, translation.get_language() or ""),
                )
                user.set_unusable_password()
                user.save()
        except IntegrityError as error:
            message = _("This email address cannot be invited. Contact the channel team.")
            raise ValidationError({"email": message}) from error
        invitation, token = _new_invitation(user, actor)
        audit.record(
            kinds.USER_INVITED,
            actor=actor,
            target=user,
            partner=partner,
            request=request,
            detail={"email": email, "role": role, "expires_at": invitation.expires_at},
        )
        if elsewhere is not None:
            _hold_invitation(invitation, elsewhere, actor=actor, base_url=base_url, request=request)
        else:
            _send_invitation(invitation, token, base_url)
    return user


def resend_invitation(*, actor, user: User, base_url: str, request=None) -> Invitation:
    """A new link for someone who has not accepted yet; the earlier links stop working.

    Still held while the address is used elsewhere: a partner administrator gets the same answer
    (and the channel team is told again); the channel team is told where the address is used.
    """
    check_can_manage(actor, user)
    with transaction.atomic():
        _lock_partner(user.partner_id)
        user = User.objects.get(pk=user.pk)
        if user.status != UserStatus.INVITED:
            raise ValidationError(_("This user has already set a password: there is no invitation to send."))
        elsewhere = address_used_elsewhere(user)
        if elsewhere is not None and role_of(actor) in INTERNAL_ROLES:
            raise ValidationError(
                _("This address is still used by %(where)s: no invitation can be sent.")
                % {"where": _where_used(elsewhere)}
            )
        _revoke_open_invitations(user)
        invitation, token = _new_invitation(user, actor)
        audit.record(
            kinds.INVITATION_RESENT,
            actor=actor,
            target=user,
            request=request,
            detail={"expires_at": invitation.expires_at},
        )
        if elsewhere is not None:
            _hold_invitation(invitation, elsewhere, actor=actor, base_url=base_url, request=request)
        else:
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
        if User.objects.filter(username__iexact=user.email).exclude(pk=user.pk).exists():
            # Someone logs in with this address already (two partners invited the same person at once and
            # the other accepted first): this link no longer works.
            raise ValidationError(_("This invitation link is no longer valid."), code="invalid")
        user.set_password(password)
        user.is_active = True
        user.username = user.email
        try:
            with transaction.atomic():
                user.save(update_fields=["password", "is_active", "username"])
        except IntegrityError as error:
            raise ValidationError(_("This invitation link is no longer valid."), code="invalid") from error
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
