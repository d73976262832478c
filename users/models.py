"""Users: internal staff and partner staff, each with one role."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
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

    objects = ScopedUserManager()

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                name="user_partner_roles_have_a_partner",
                condition=(Q(role__in=sorted(PARTNER_ROLES), partner__isnull=False))
                | (Q(role__in=sorted(INTERNAL_ROLES) + [""], partner__isnull=True)),
            ),
        ]

    @property
    def is_internal(self) -> bool:
        return self.role in INTERNAL_ROLES

    @property
    def is_partner_user(self) -> bool:
        return self.role in PARTNER_ROLES
