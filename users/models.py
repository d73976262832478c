"""Users: internal staff and partner staff, each with one role."""

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecosystem.roles import INTERNAL_ROLES, PARTNER_ROLES, Role
from ecosystem.scoping import ScopedQuerySet


class UserQuerySet(ScopedQuerySet):
    # Partner users see their own partner's colleagues; internal users see everyone.
    partner_lookup = "partner"


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who logs in. A partner user belongs to exactly one partner."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    # The language of the user's e-mails and, once chosen, of the pages after login. Blank: never chosen,
    # the site's language (settings.LANGUAGE_CODE) for e-mails and the browser's for pages.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default="")

    objects = ScopedUserManager()

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                name="user_partner_roles_have_a_partner",
                condition=(Q(role__in=sorted(PARTNER_ROLES), partner__isnull=False))
                | (Q(role__in=sorted(INTERNAL_ROLES) + [""], partner__isnull=True)),
            ),
            models.CheckConstraint(
                name="user_language_is_offered",
                condition=Q(language__in=["", *(code for code, _name in settings.LANGUAGES)]),
            ),
            # The admin site and superuser rights bypass every role and scope: never a partner's user.
            models.CheckConstraint(
                name="user_partner_users_not_staff",
                condition=Q(partner__isnull=True) | Q(is_staff=False, is_superuser=False),
                violation_error_message=_(
                    "A partner's user can be neither staff nor superuser: the admin site is for the vendor's "
                    "own team. Untick “Staff status” and “Superuser status”, or remove the partner."
                ),
            ),
        ]

    @property
    def preferred_language(self) -> str:
        """The language this user reads e-mails in: the one chosen, else the site's."""
        return self.language or settings.LANGUAGE_CODE

    @property
    def is_internal(self) -> bool:
        return self.role in INTERNAL_ROLES

    @property
    def is_partner_user(self) -> bool:
        return self.role in PARTNER_ROLES

    @property
    def status(self) -> str:
        """``active``; ``invited`` (has never set a password); ``deactivated``."""
        if self.is_active:
            return UserStatus.ACTIVE
        if not self.has_usable_password():
            return UserStatus.INVITED
        return UserStatus.DEACTIVATED

    def get_status_display(self) -> str:
        return UserStatus(self.status).label


class UserStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INVITED = "invited", _("Invited")
    DEACTIVATED = "deactivated", _("Deactivated")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(ScopedQuerySet):
    partner_lookup = "user__partner"

    def open(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(models.Model):
    """A one-time link that lets an invited user set a password. Only the token's hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Invitation of {self.user} ({self.created_at:%Y-%m-%d})"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at
