"""Role rules of SPEC §2 for the API: who may call which action of a view."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from ecosystem.roles import ALL_ROLES, CHANNEL_ONLY, role_of


def roles_for(view, request) -> frozenset:
    """The roles allowed to run this request's action on ``view``.

    A view declares ``read_roles`` (safe methods), ``write_roles`` (the rest) and may
    override single actions in ``action_roles``. Undeclared means: everyone may read,
    only the channel team may write.
    """
    action = getattr(view, "action", None)
    per_action = getattr(view, "action_roles", {}) or {}
    if action in per_action:
        return frozenset(per_action[action])
    if request.method in SAFE_METHODS:
        return frozenset(getattr(view, "read_roles", ALL_ROLES))
    return frozenset(getattr(view, "write_roles", CHANNEL_ONLY))


class RolePermission(BasePermission):
    """Anonymous → 401 (DRF turns a refusal without credentials into 401); wrong role → 403."""

    message = "Your role does not allow this action."

    def has_permission(self, request, view) -> bool:
        role = role_of(request.user)
        return bool(role) and role in roles_for(view, request)
