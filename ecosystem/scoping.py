"""Row-level scoping: what a user may see, decided in one place and failing closed.

Every scoped model's manager is built from :class:`ScopedQuerySet`. ``for_user(user)``
returns everything for the internal roles, the partner's own rows for a partner user,
and nothing for anyone else (anonymous, inactive, role-less, a partner user without a
partner). The base API viewset and the base web view call it, so no endpoint or page
can forget it.
"""

from django.db import models

from .roles import INTERNAL_ROLES, PARTNER_ROLES, role_of


class ScopedQuerySet(models.QuerySet):
    #: Lookup from this model to the owning partner's id, e.g. ``"partner"``.
    #: ``None`` means partner users see none of these rows (internal data).
    partner_lookup: str | None = None

    def for_user(self, user) -> "ScopedQuerySet":
        role = role_of(user)
        if role in INTERNAL_ROLES:
            return self.all()
        if role in PARTNER_ROLES and getattr(user, "partner_id", None):
            return self.for_partner(user.partner_id)
        return self.none()

    def for_partner(self, partner_id: int) -> "ScopedQuerySet":
        if self.partner_lookup is None:
            return self.none()
        return self.filter(**{self.partner_lookup: partner_id})


def scoped_queryset(model, user):
    """``model``'s rows that ``user`` may see; refuses models that are not scoped."""
    queryset = model._default_manager.all()
    if not isinstance(queryset, ScopedQuerySet):
        raise TypeError(f"{model.__name__} has no scoped manager: give it a ScopedQuerySet.")
    return queryset.for_user(user)
