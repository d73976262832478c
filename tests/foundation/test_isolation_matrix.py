"""SPEC §2 isolation, generated from the URL configuration.

Every URL that takes an object id — API routes under /api/v1/ and web pages — is called by
partner A's rep and admin on rows that are not theirs (partner B's, direct business,
internal records; see ``registry.OUT_OF_SCOPE``). Each answer must be 404 (out of scope)
or 403 (role), never a success, never a trace of the row; the row must be unchanged.
A URL whose model has no builder in the registry fails: add one, and the new endpoint is
covered. The admin is staff-only as a whole and is checked apart.

Also: every DRF view is scoped (``ScopedViewSetMixin``) and every page view with a model
is scoped (``ecosystem.web``), unless allow-listed below with the reason.
"""

import pytest
from django.apps import apps
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.test import APIClient, force_authenticate

from ecosystem.api.permissions import RolePermission
from ecosystem.api.urls import router
from ecosystem.api.viewsets import ScopedViewSetMixin
from ecosystem.roles import ALL_ROLES, CHANNEL_ONLY, PARTNER_ROLES
from ecosystem.web import RoleRequiredMixin, ScopedQuerysetMixin

from .registry import OUT_OF_SCOPE, World, identifying_strings, label_of, snapshot
from .urlwalk import all_endpoints, object_endpoints

#: Views that act on an object but declare no model (they look it up by hand, scoped):
#: URL name → model label. Prefer ``model = ...`` on the view.
VIEW_MODELS = {
    "account-assign": "accounts.Account",
    "assignment-end": "accounts.Assignment",
    "proposal-decide": "accounts.AssignmentProposal",
    "commissions:program-edit": "commissions.Program",
    "commissions:rule-create": "commissions.Program",
    "commissions:rule-edit": "commissions.Rule",
    "commissions:rule-revise": "commissions.Rule",
    "commissions:settlement-approve": "commissions.SettlementRun",
    "commissions:adjustment-create": "commissions.SettlementRun",
    "commissions:quota-edit": "commissions.Quota",
    "commissions:settlement-mark-paid": "commissions.SettlementRun",
    "commissions:settlement-export": "commissions.SettlementRun",
    "commissions:statement-export": "commissions.Statement",
    "commissions:settlement-export-xlsx": "commissions.SettlementRun",
    "commissions:statement-export-xlsx": "commissions.Statement",
    "commissions:line-dispute": "commissions.PayoutLine",
    "commissions:dispute-message": "commissions.Dispute",
    "commissions:dispute-resolve": "commissions.Dispute",
    "payments:billing-edit": "partners.Partner",
    "payments:billing-confirm-iban": "partners.Partner",
    "payments:payment-file-create": "commissions.SettlementRun",
}

#: DRF views that are not scoped viewsets and admit partner roles, each with the reason it is safe.
#: (Views whose RolePermission admits internal roles only need no entry: partners get 403 first.)
UNSCOPED_API_VIEWS = {
    "users.api.auth.ObtainTokenView": "issues a token for the caller's own credentials; reads no rows",
    "rest_framework.routers.APIRootView": "lists the API's routes; reads no rows",
    "drf_spectacular.views.SpectacularAPIView": "the OpenAPI schema; reads no rows",
    "drf_spectacular.views.SpectacularSwaggerView": "the docs page; reads no rows",
    "users.api.auth.RotateTokenView": "replaces the caller's own token; reads no other rows",
    "commissions.api.views.CommissionEstimateViewSet": (
        "computes what a deal would pay; a partner user's estimate is always for its own partner"
    ),
}

#: Page views with a model (or a list/detail of rows) that are not built on the scoped mixins.
UNSCOPED_PAGE_VIEWS: dict[str, str] = {}

#: Project page views that need no role, with the reason.
OPEN_PAGE_VIEWS = {
    "ecosystem.views.HomeView": "redirects to the login page or the role's start page; shows nothing",
    "users.auth_views.PasswordResetView": "anonymous by nature: sends a reset link to the address given",
    "users.auth_views.PasswordResetConfirmView": "anonymous by nature: the e-mailed one-time token is the key",
    "users.views.InvitationAcceptView": "anonymous by nature: the invitation's one-time token is the key",
    "users.views.MyAccountView": "any logged-in user's own page (login required): shows the caller and changes "
    "only the caller's own language, whatever the role",
}

PARTNER_CALLERS = ["partner_rep", "partner_admin"]
MATRIX = [e for e in object_endpoints() if not e.is_admin]
ADMIN_OBJECT_PAGES = [e for e in object_endpoints() if e.is_admin]


def _dotted(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def model_of(endpoint, user):
    """The model a URL acts on: declared by the view, mapped above, or given by its get_queryset()."""
    if endpoint.declared_model is not None:
        return endpoint.declared_model
    if endpoint.name in VIEW_MODELS:
        return apps.get_model(VIEW_MODELS[endpoint.name])
    request = RequestFactory().get("/")
    request.user = user
    try:
        if endpoint.drf_class is not None:
            force_authenticate(request, user=user)
            view = endpoint.drf_class(**getattr(endpoint.callback, "initkwargs", {}))
            view.action_map = endpoint.actions
            view.args, view.kwargs = (), dict.fromkeys(endpoint.kwargs, 1)
            view.request = view.initialize_request(request)
            view.format_kwarg = None
            view.action = next(iter(endpoint.actions.values()), None)
            return view.get_queryset().model
        if endpoint.django_class is not None:
            view = endpoint.django_class()
            view.setup(request, **dict.fromkeys(endpoint.kwargs, 1))
            return view.get_queryset().model
    except Exception:
        return None
    return None


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _request(client, method: str, url: str, *, api: bool):
    if method in ("get", "head", "delete"):
        return getattr(client, method)(url)
    data = {"reason": "tampered by partner A", "name": "tampered by partner A", "comment": "tampered"}
    if api:
        return getattr(client, method)(url, data, format="json")
    return getattr(client, method)(url, data)


def _caller(world: World, role: str):
    return world.rep_a if role == "partner_rep" else world.admin_a


def _client_for(user, *, api: bool):
    if api:
        client = APIClient()
        client.force_authenticate(user=user)
        return client
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", PARTNER_CALLERS)
@pytest.mark.parametrize("endpoint", MATRIX, ids=str)
def test_partner_users_never_reach_rows_outside_their_scope(endpoint, role, world):
    model = model_of(endpoint, world.channel)
    if model is None:
        pytest.fail(
            f"{endpoint.route} ({endpoint.label}) takes an object id but the isolation matrix cannot tell its "
            f"model: declare `model = ...` (or `queryset`) on the view, or map its URL name in VIEW_MODELS."
        )
    label = label_of(model)
    if label not in OUT_OF_SCOPE:
        pytest.fail(
            f"{endpoint.route} ({endpoint.label}) acts on {label}, which has no entry in "
            f"tests/foundation/registry.py OUT_OF_SCOPE: add a builder of the {label} rows partner A must not "
            f"reach (partner B's, direct/internal ones), so this endpoint is covered by the isolation matrix."
        )
    if len(endpoint.id_kwargs) > 1:
        pytest.fail(f"{endpoint.route} takes several ids {endpoint.id_kwargs}: teach the matrix its nesting")
    variants = OUT_OF_SCOPE[label](world)
    assert variants, f"the {label} builder built nothing"
    caller = _caller(world, role)
    client = _client_for(caller, api=endpoint.is_api)
    implemented = endpoint.implemented_methods()
    methods = sorted(endpoint.mapped_methods() | ({"get"} if not endpoint.is_api else set()))
    rows_before = model._base_manager.count()
    failures = []
    for variant, obj in variants.items():
        url = endpoint.url(**dict.fromkeys(endpoint.id_kwargs, obj.pk))
        before = snapshot(obj)
        secrets = identifying_strings(obj)
        for method in methods:
            response = _request(client, method, url, api=endpoint.is_api)
            allowed = {403, 404} | ({405} if method not in implemented else set())
            where = f"{method.upper()} {url} as {role} on {label} {variant!r}"
            if response.status_code not in allowed:
                failures.append(f"{where}: answered {response.status_code}, expected one of {sorted(allowed)}")
            body = _body(response)
            leaked = sorted(s for s in secrets if s in body)
            if leaked:
                failures.append(f"{where}: the answer reveals {leaked}")
        if snapshot(obj) != before:
            failures.append(f"{label} {variant!r} changed after partner A's requests on {endpoint.route}")
    if model._base_manager.count() != rows_before:
        failures.append(f"the number of {label} rows changed after partner A's requests on {endpoint.route}")
    assert not failures, "\n".join(failures)

    # The same URL does reach those rows for someone allowed (an internal user, or partner B's own
    # users): partner A's 404s come from scoping, not from a broken URL.
    if "get" in endpoint.mapped_methods() and "get" in implemented:
        probes = [(user, _client_for(user, api=endpoint.is_api)) for user in (world.channel, world.admin_b)]
        probes += [(world.manager, _client_for(world.manager, api=endpoint.is_api))]
        answers = {}
        for variant, obj in variants.items():
            url = endpoint.url(**dict.fromkeys(endpoint.id_kwargs, obj.pk))
            answers[variant] = {}
            for user, probe in probes:
                answers[variant][str(user)] = probe.get(url).status_code
                if 200 <= answers[variant][str(user)] < 300:
                    return
        pytest.fail(
            f"GET {endpoint.route} on {label} reaches no row for any user ({answers}): the matrix cannot prove "
            f"that partner A's answers come from scoping"
        )


@pytest.mark.django_db
@pytest.mark.parametrize("role", PARTNER_CALLERS)
def test_partner_users_never_reach_the_admin(role, world):
    """The admin is staff-only as a whole: every admin page with an object id sends partner users to its login."""
    assert ADMIN_OBJECT_PAGES, "the URL walk found no admin page: is the admin still mounted?"
    client = _client_for(_caller(world, role), api=False)
    login = reverse("admin:login")
    failures = []
    for endpoint in ADMIN_OBJECT_PAGES:
        url = endpoint.url(object_id=world.partner_b.pk, args=world.partner_b.pk, **{"id": world.rep_b.pk})
        for method in ("get", "post"):
            response = _request(client, method, url, api=False)
            if response.status_code != 302 or not response["Location"].startswith(login):
                failures.append(f"{method.upper()} {url} as {role}: {response.status_code}, not a redirect to {login}")
    assert not failures, "\n".join(failures)


def test_the_matrix_covers_api_and_pages():
    """The URL walk sees both kinds of object URLs; a walk that finds nothing would prove nothing."""
    assert any(e.is_api for e in MATRIX), "no API route with an object id found"
    assert any(not e.is_api for e in MATRIX), "no web page with an object id found"
    assert any(e.actions and set(e.actions) - {"get"} for e in MATRIX), "no API write or action route with an id"


def _internal_only(view) -> bool:
    """A DRF view whose RolePermission admits no partner role: partner users get 403 before any row is read."""
    permissions = getattr(view, "permission_classes", None) or api_settings.DEFAULT_PERMISSION_CLASSES
    if RolePermission not in permissions:
        return False
    extra = [a.mapping for a in view.get_extra_actions()] if hasattr(view, "get_extra_actions") else []
    reads = any(hasattr(view, m) for m in ("get", "list", "retrieve")) or any("get" in m for m in extra)
    writes = any(hasattr(view, m) for m in ("post", "put", "patch", "delete", "create", "update", "destroy"))
    writes = writes or any(set(m) - {"get"} for m in extra)
    roles = set(getattr(view, "read_roles", ALL_ROLES)) if reads else set()
    roles |= set(getattr(view, "write_roles", CHANNEL_ONLY)) if writes else set()
    for action_roles in (getattr(view, "action_roles", None) or {}).values():
        roles |= set(action_roles)
    return not roles & PARTNER_ROLES


def _acceptable_api_view(view) -> bool:
    return issubclass(view, ScopedViewSetMixin) or _internal_only(view) or _dotted(view) in UNSCOPED_API_VIEWS


def test_every_router_viewset_is_scoped():
    unscoped = [
        f"{prefix}/: {_dotted(viewset)}" for prefix, viewset, _ in router.registry if not _acceptable_api_view(viewset)
    ]
    assert not unscoped, (
        "API viewsets not built on ecosystem.api.viewsets.ScopedViewSetMixin (their rows are not scoped): "
        f"{unscoped}. Inherit a Scoped*ViewSet, or allow-list the view in UNSCOPED_API_VIEWS with the reason."
    )


def test_every_api_view_in_the_urlconf_is_scoped():
    """Also the DRF views mounted outside the router."""
    unscoped = sorted(
        {
            f"{e.route}: {_dotted(e.drf_class)}"
            for e in all_endpoints()
            if e.drf_class is not None and not _acceptable_api_view(e.drf_class)
        }
    )
    assert not unscoped, (
        f"DRF views that are neither scoped viewsets nor allow-listed: {unscoped}. Build them on "
        "ecosystem.api.viewsets, or add them to UNSCOPED_API_VIEWS with the reason they read no foreign rows."
    )


def _page_views():
    seen = {}
    for endpoint in all_endpoints():
        view = endpoint.django_class
        if view is not None and not endpoint.is_admin and not view.__module__.startswith(("django.", "rest_framework")):
            seen.setdefault(view, endpoint)
    return seen


def test_every_page_view_with_a_model_is_scoped():
    from django.views.generic.detail import SingleObjectMixin
    from django.views.generic.list import MultipleObjectMixin

    problems = []
    for view, endpoint in _page_views().items():
        has_rows = (
            getattr(view, "model", None) is not None
            or getattr(view, "queryset", None) is not None
            or issubclass(view, SingleObjectMixin | MultipleObjectMixin)
        )
        if has_rows and not issubclass(view, ScopedQuerysetMixin) and _dotted(view) not in UNSCOPED_PAGE_VIEWS:
            problems.append(f"{endpoint.route}: {_dotted(view)}")
    assert not problems, (
        f"page views with rows not built on ecosystem.web's scoped mixins: {problems}. Use ScopedListView / "
        "ScopedDetailView / ScopedQuerysetMixin, or allow-list the view in UNSCOPED_PAGE_VIEWS with the reason."
    )


def test_every_page_view_requires_a_role():
    problems = [
        f"{endpoint.route}: {_dotted(view)}"
        for view, endpoint in _page_views().items()
        if not issubclass(view, RoleRequiredMixin) and _dotted(view) not in OPEN_PAGE_VIEWS
    ]
    assert not problems, (
        f"project page views open to anyone logged in or not: {problems}. Inherit ecosystem.web.RoleRequiredMixin "
        "(or a scoped view), or allow-list the view in OPEN_PAGE_VIEWS with the reason."
    )
