"""The four roles of SPEC §2 and the groups the code reasons about."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CHANNEL = "channel", _("Channel team")
    MANAGER = "manager", _("Manager")
    PARTNER_ADMIN = "partner_admin", _("Partner administrator")
    PARTNER_REP = "partner_rep", _("Partner representative")


INTERNAL_ROLES = frozenset({Role.CHANNEL, Role.MANAGER})
PARTNER_ROLES = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_REP})
ALL_ROLES = INTERNAL_ROLES | PARTNER_ROLES
CHANNEL_ONLY = frozenset({Role.CHANNEL})
CHANNEL_AND_PARTNERS = frozenset({Role.CHANNEL}) | PARTNER_ROLES


def role_of(user) -> str:
    """The user's role, or "" for anonymous, inactive or role-less users (who get nothing)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return ""
    return getattr(user, "role", "") or ""


def is_internal(user) -> bool:
    return role_of(user) in INTERNAL_ROLES


def partner_id_of(user) -> int | None:
    """The partner a partner user belongs to; None for everyone else."""
    if role_of(user) in PARTNER_ROLES:
        return getattr(user, "partner_id", None)
    return None
