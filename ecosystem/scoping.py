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


#: Models whose ids a partner user may name although it does not see every row: a partner
#: registers deals on any account (SPEC §3), so an account id is no secret.
NAMEABLE_BY_PARTNERS = frozenset({"accounts.Account"})


def scope_filter_choices(filterset, user):
    """Limit a django-filter filterset's related-row choices (``?partner=``, ``?run=``…) to ``user``'s scope.

    An id outside the scope is then refused exactly like an id that does not exist, so a filter
    never confirms that another partner's row exists, and a rendered filter form never lists it.
    Call it before the filterset's form is used.
    """
    from django_filters.filters import ModelChoiceFilter, ModelMultipleChoiceFilter

    request = getattr(filterset, "request", None)
    for name, filter_ in filterset.filters.items():
        if not isinstance(filter_, ModelChoiceFilter | ModelMultipleChoiceFilter):
            continue
        queryset = filter_.get_queryset(request)
        if not isinstance(queryset, ScopedQuerySet) or queryset.model._meta.label in NAMEABLE_BY_PARTNERS:
            continue
        filter_.queryset = queryset.for_user(user)
        filter_.__dict__.pop("_field", None)  # a field built before now would keep the old choices
        if filterset.__dict__.get("_form") is not None and name in filterset.form.fields:
            filterset.form.fields[name].queryset = filter_.queryset
    return filterset
