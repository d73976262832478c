"""Every GET a partner user can make, with the values worth trying in it: generated, not listed.

The requests come from three places, so that a new endpoint, filter or ordering is tried without anyone
writing a case:

- the **OpenAPI schema** (drf-spectacular's generator): every GET operation under ``/api/v1/``, its path
  ids and its declared query parameters (enums, booleans, ids, dates, strings);
- the **filtersets** of the views (``filterset_class`` or ``filterset_fields``), their ``ordering_fields``
  and ``search_fields``: the parameters a list or an export really reads, with their choices;
- the **URL configuration** (``urlwalk``): every web page with a GET, its object ids and its filterset.

Each parameter is tried alone (on top of the operation's required ones) with: every choice of a choice
filter; ``true`` / ``false``; for an id, the caller's own rows, another partner's rows and an id that does
not exist (grouped: another partner's id must answer exactly like the missing one); for a model field, the
values of the caller's rows and of others'; every ordering field both ways; a few search strings. Object
ids in paths are the caller's own rows of the view's model (a model it has none of is given one by
``registry.IN_SCOPE``). Whatever cannot be tried is reported as a problem saying what to add.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlencode

import django_filters
from django.apps import apps
from django.db import models
from django.test import RequestFactory
from django.urls import Resolver404, resolve
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import OrderingFilter, SearchFilter

from ecosystem.api.permissions import roles_for
from ecosystem.roles import PARTNER_ROLES
from ecosystem.scoping import NAMEABLE_BY_PARTNERS, ScopedQuerySet

from .registry import IN_SCOPE, label_of
from .urlwalk import all_endpoints

#: Query parameters not tried, with the reason.
IGNORED_PARAMS = {
    "page": "pagination: the same rows, cut into pages",
    "page_size": "pagination: the same rows, cut into pages",
    "format": "rendering: each API operation is also read once as the browsable API (?format=api)",
}

#: Values of query parameters that are neither choices, booleans, ids nor model fields, by name.
#: A parameter missing here (and not otherwise understood) fails the test, saying to add it.
SAMPLE_VALUES: dict[str, Callable] = {
    "amount": lambda w: ["250000.00", "0"],
    "q": lambda w: search_samples(w),
    "search": lambda w: search_samples(w),
    "from": lambda w: [w.settled.label],
    "to": lambda w: [w.next_quarter.label],
}

#: Page views that read query parameters without a filterset: the queries worth trying (URL name → queries).
PAGE_QUERIES: dict[str, Callable] = {
    "opportunity-register": lambda w: [
        {"q": w.accounts["B primary, A secondary"].name[:12]},
        {"q": w.accounts["B only"].siren},
        {"q": "Shared"},
        {"account": w.accounts["B primary, A secondary"].pk},
        {"account": w.accounts["B only"].pk},
    ],
    "commissions:estimator": lambda w: [
        {"account": w.accounts["A primary, B secondary"].pk, "product_line": "ai", "amount": "250000"},
        {"account": w.accounts["B primary, A secondary"].pk, "product_line": "security", "amount": "40000"},
        {"siren": w.accounts["B only"].siren, "product_line": "data", "amount": "100000"},
        {"account": w.accounts["B primary, A secondary"].pk},
    ],
    "commissions:statement-detail": lambda w: [{"page": "2"}],
}

#: URL keyword arguments that are not object ids: the value to call the route with.
KWARG_VALUES = {"region": "ile_de_france"}

#: Routes with a GET that are not read as a partner user, with the reason.
NOT_READ = {
    "invitation-accept": "anonymous by nature: the one-time token of an invitation is the key, not a partner session",
    "password_reset_confirm": "anonymous by nature: the one-time token of a password reset is the key",
}

#: API routes outside the schema, read as they are.
SCHEMALESS = {"api:api-root"}

MISSING_ID = 987_654_321  # an id no row has, small enough for every id validator


@dataclass(frozen=True)
class Probe:
    """One GET: its URL, whether it is an API call, what it tries, and the group of answers that must match."""

    url: str
    api: bool
    where: str  # the route and what is varied, for messages
    base: bool = False  # the operation's first call (no optional parameter)
    readable: bool = False  # the caller's role may read this route: its base call must succeed
    group: tuple | None = None  # (route, parameter): another partner's id vs. a missing id
    masked: tuple = ()  # (parameter, value) to hide when comparing a group


@dataclass
class Plan:
    probes: list[Probe] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# --- Values ---------------------------------------------------------------------------------------


def search_samples(world) -> list[str]:
    return ["Shared", "Bravo", world.partner_b.name, world.accounts["B only"].siren]


@cache
def _models_by_name() -> dict[str, type[models.Model]]:
    return {m._meta.model_name: m for m in apps.get_models() if m.__module__.split(".")[0] not in ("django",)}


def _resolve_path(model, path: str):
    """The model field at the end of a lookup path (``line__run__period``), or None."""
    field_ = None
    for part in path.split("__"):
        if model is None:
            return None
        try:
            field_ = model._meta.get_field(part)
        except Exception:
            return None
        model = field_.related_model if field_.is_relation else None
    return field_


def _filter_queryset_model(filter_) -> type[models.Model] | None:
    queryset = getattr(filter_, "queryset", None)
    if callable(queryset):
        queryset = queryset(None)
    return getattr(queryset, "model", None)


def _id_model(name: str, filter_, owner) -> type[models.Model] | None:
    """The model an id parameter names: a model-choice filter's, a foreign key's, or a model of that name."""
    if isinstance(filter_, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter):
        return _filter_queryset_model(filter_)
    if filter_ is not None and owner is not None:
        target = _resolve_path(owner, filter_.field_name)
        if target is not None:
            if target.is_relation:
                return target.related_model
            if target.primary_key:
                return owner
            return None  # a plain number (an amount)
    return _models_by_name().get(name.replace("_", ""))


def visible_rows(model, caller, limit=4) -> list:
    manager = model._default_manager
    queryset = manager.all()
    if isinstance(queryset, ScopedQuerySet):
        queryset = queryset.for_user(caller)
    return list(queryset.order_by("pk")[:limit])


def invisible_rows(model, caller, limit=3) -> list:
    queryset = model._base_manager.all()
    scoped = model._default_manager.all()
    if isinstance(scoped, ScopedQuerySet):
        queryset = queryset.exclude(pk__in=scoped.for_user(caller).values("pk"))
    else:
        return []
    return list(queryset.order_by("-pk")[:limit])


def _string_values(owner, filter_, caller) -> list[str]:
    """Values of a text filter on a model field: the caller's rows' and others'."""
    if owner is None or filter_ is None:
        return []
    target = _resolve_path(owner, filter_.field_name)
    if target is None or target.is_relation or not isinstance(target, models.CharField | models.TextField):
        return []
    path = filter_.field_name
    mine = owner._default_manager.all()
    if isinstance(mine, ScopedQuerySet):
        mine = mine.for_user(caller)
    values = [v for v in mine.order_by().values_list(path, flat=True).distinct()[:3] if v]
    others = owner._base_manager.exclude(pk__in=mine.values("pk")).order_by().values_list(path, flat=True)
    values += [v for v in others.distinct()[:2] if v and v not in values]
    return [str(v) for v in values] or ["nothing-matches"]


def _choice_values(param, values: list[str]) -> list[str]:
    """The choices some row has (anyone's) and one that none has: a choice no row holds answers the same
    empty list before and after any change, so one of them is enough. Every choice when the filter is not
    on a model field (a method)."""
    owner, filter_ = param.owner, param.filter
    target = _resolve_path(owner, filter_.field_name) if owner is not None and filter_ is not None else None
    if target is None or target.is_relation:
        return values
    present = {str(v) for v in owner._base_manager.order_by().values_list(filter_.field_name, flat=True).distinct()}
    held = [v for v in values if v in present]
    return held + [v for v in values if v not in present][:1]


@dataclass
class Param:
    name: str
    filter: object = None  # the django-filter Filter, when a filterset declares it
    schema: dict | None = None  # the OpenAPI parameter, when the schema declares it
    owner: type[models.Model] | None = None  # the filterset's model

    @property
    def required(self) -> bool:
        return bool(self.schema and self.schema.get("required"))


def param_values(param: Param, world, caller) -> tuple[list[tuple[str, str]], type[models.Model] | None]:
    """``[(value, kind)]`` to try (kind: own, other, missing, value), and the model when it is an id."""
    name, filter_, schema = param.name, param.filter, (param.schema or {}).get("schema", {})
    kind = schema.get("type")
    enum = schema.get("enum") or schema.get("items", {}).get("enum")
    choices = None
    if isinstance(filter_, django_filters.ChoiceFilter | django_filters.MultipleChoiceFilter):
        choices = filter_.extra.get("choices")
        choices = choices() if callable(choices) else choices
    if choices:
        return [(value, "value") for value in _choice_values(param, [str(v) for v, _label in choices if v != ""])], None
    if isinstance(filter_, django_filters.BooleanFilter) or (filter_ is None and kind == "boolean"):
        return [("true", "value"), ("false", "value")], None
    if enum:
        return [(str(value), "value") for value in enum if value not in ("", None)], None
    id_like = isinstance(
        filter_,
        django_filters.NumberFilter | django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter,
    ) or (filter_ is None and kind in ("integer", "number"))
    # A picker parameter (an id or a SIREN, typed as a string) that this caller's filterset leaves out.
    id_like = id_like or (filter_ is None and _models_by_name().get(name.replace("_", "")) is not None)
    if id_like:
        model = _id_model(name, filter_, param.owner)
        if model is not None:
            values = [(str(row.pk), "own") for row in visible_rows(model, caller, limit=3)]
            values += [(str(row.pk), "other") for row in invisible_rows(model, caller)]
            return [*values, (str(MISSING_ID), "missing")], model
        if name not in SAMPLE_VALUES:
            return [("0", "value"), ("50000", "value")], None
    if isinstance(filter_, django_filters.DateFilter) or schema.get("format") == "date":
        return [(world.settled.start.isoformat(), "value"), (timezone.localdate().isoformat(), "value")], None
    if name in SAMPLE_VALUES:
        return [(str(v), "value") for v in SAMPLE_VALUES[name](world)], None
    if values := _string_values(param.owner, filter_, caller):
        return [(v, "value") for v in values], None
    return [], None


# --- The requests ---------------------------------------------------------------------------------


@cache
def openapi_schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _url(path: str, query: dict) -> str:
    return f"{path}?{urlencode(query, doseq=True)}" if query else path


def _filterset_class(view_class, model):
    """The filterset a DRF view or a page filters with (declared, or built from ``filterset_fields``)."""
    declared = getattr(view_class, "filterset_class", None)
    if declared is not None or not hasattr(view_class, "filterset_fields"):
        return declared
    view = view_class()
    queryset = getattr(view_class, "queryset", None)
    if queryset is None and model is not None:
        queryset = model._default_manager.all()
    return DjangoFilterBackend().get_filterset_class(view, queryset)


def _filters_for(filterset_class, caller) -> tuple[dict, type[models.Model] | None]:
    """The filters ``caller`` is offered (a filterset may drop some for a role) and the filterset's model."""
    if filterset_class is None:
        return {}, None
    request = RequestFactory().get("/")
    request.user = caller
    filterset = filterset_class(None, queryset=filterset_class._meta.model._default_manager.none(), request=request)
    return dict(filterset.filters), filterset_class._meta.model


def _api_readable(view_class, action: str, caller) -> bool:
    view = view_class()
    view.action = action
    request = RequestFactory().get("/")
    request.user = caller
    return getattr(caller, "role", "") in roles_for(view, request)


def _object_ids(model, world, caller, plan: Plan, where: str) -> list[int]:
    rows = visible_rows(model, caller, limit=6)
    if not rows:
        builder = IN_SCOPE.get(label_of(model))
        if builder is not None:
            builder(world.base, 1)
            rows = visible_rows(model, caller, limit=6)
    if not rows:
        plan.problems.append(
            f"{where}: partner A's users see no {label_of(model)} row to read: add an IN_SCOPE builder for "
            f"{label_of(model)} in tests/foundation/registry.py (or build one in tests/foundation/shared_world.py)."
        )
    return [row.pk for row in rows]


def _variations(path: str, params: list[Param], world, caller, plan: Plan, where: str, readable: bool, api: bool):
    """The base call (required parameters only) and each optional parameter's values on top of it.

    A route the caller's role may not read is called once (its refusal must not move either)."""
    base_query, optional = {}, []
    for param in params if readable else []:
        values, _model = param_values(param, world, caller)
        if not values:
            plan.problems.append(
                f"{where}: no value to try for the query parameter {param.name!r}: add it to SAMPLE_VALUES in "
                f"tests/foundation/probes.py (or make it a choice, boolean, id or model-field filter)."
            )
            continue
        if param.required:
            base_query[param.name] = values[0][0]
        else:
            optional.append((param, values, _model))
    probes = [Probe(_url(path, base_query), api, where, base=True, readable=readable)]
    for param, values, model in optional:
        nameable = model is not None and label_of(model) in NAMEABLE_BY_PARTNERS
        for value, kind in values:
            grouped = kind in ("other", "missing") and not nameable
            probes.append(
                Probe(
                    _url(path, {**base_query, param.name: value}),
                    api,
                    f"{where} ?{param.name}={value} ({kind})",
                    group=(path, param.name) if grouped else None,
                    masked=(param.name, value) if grouped else (),
                )
            )
    return probes


def _ordering_and_search(view_class) -> list[Param]:
    backends = getattr(view_class, "filter_backends", None) or []
    params = []
    if any(issubclass(b, OrderingFilter) for b in backends) and getattr(view_class, "ordering_fields", None):
        fields = [f for f in view_class.ordering_fields if f != "__all__"]
        orderings = [o for f in fields for o in (f, f"-{f}")]
        params.append(Param("ordering", schema={"schema": {"type": "string", "enum": orderings}}))
    if any(issubclass(b, SearchFilter) for b in backends) and getattr(view_class, "search_fields", None):
        params.append(Param("search", schema={"schema": {"type": "string"}}))
    return params


def _api_probes(world, caller, plan: Plan):
    endpoints = {e.name: e for e in all_endpoints() if e.is_api and not e.is_format_suffix}
    covered = set()
    for path, methods in openapi_schema()["paths"].items():
        operation = methods.get("get")
        if operation is None or not path.startswith("/api/v1/"):
            continue
        path_params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
        try:
            match = resolve(path.format(**dict.fromkeys(path_params, 1)))
        except Resolver404:
            plan.problems.append(f"GET {path}: in the schema but not in the URL configuration")
            continue
        endpoint = endpoints.get(match.view_name)
        view_class = getattr(match.func, "cls", None)
        action = (getattr(match.func, "actions", None) or {}).get("get", "get")
        covered.add(match.view_name)
        where = f"GET {path}"
        readable = view_class is not None and _api_readable(view_class, action, caller)
        ids = [None]
        if path_params:
            if len(path_params) > 1:
                plan.problems.append(f"{where}: several path ids {path_params}: teach tests/foundation/probes.py")
                continue
            model = _model_of(endpoint, world)
            if model is None:
                plan.problems.append(f"{where}: cannot tell the model of its {{{path_params[0]}}}: declare a queryset")
                continue
            ids = _object_ids(model, world, caller, plan, where) if readable else [MISSING_ID]
        params = {}
        for declared in operation.get("parameters", []):
            if declared["in"] == "query" and declared["name"] not in IGNORED_PARAMS:
                params[declared["name"]] = Param(declared["name"], schema=declared)
        method = getattr(view_class, action, None)
        filtered = getattr(method, "kwargs", {}).get("filter_backends") != [] and not getattr(method, "detail", False)
        if view_class is not None and filtered and action not in ("retrieve",) and not path_params:
            model = getattr(getattr(view_class, "queryset", None), "model", None)
            filters, owner = _filters_for(_filterset_class(view_class, model), caller)
            for name, filter_ in filters.items():
                known = params.get(name)
                params[name] = Param(name, filter=filter_, schema=known.schema if known else None, owner=owner)
            for extra in _ordering_and_search(view_class):
                # The view's ordering fields (the schema names the parameter only); the schema's search text.
                if extra.name == "ordering" or extra.name not in params:
                    params[extra.name] = extra
        for pk in ids:
            concrete = path.format(**dict.fromkeys(path_params, pk)) if path_params else path
            target = f"{where} (id {pk})" if pk is not None else where
            probes = _variations(concrete, list(params.values()), world, caller, plan, target, readable, api=True)
            plan.probes.extend(probes)
            if readable:
                browsable = probes[0].url + ("&" if "?" in probes[0].url else "?") + "format=api"
                plan.probes.append(Probe(browsable, True, f"{target} ?format=api"))
    for endpoint in endpoints.values():
        in_conf = "get" in endpoint.mapped_methods() and endpoint.drf_class is not None
        if in_conf and endpoint.name not in covered | SCHEMALESS:
            plan.problems.append(
                f"GET {endpoint.route} ({endpoint.label}) is not in the OpenAPI schema: the differential test "
                f"reads the API's operations from the schema; document it (extend_schema), or list it in SCHEMALESS."
            )
    plan.probes.append(Probe("/api/v1/", True, "GET /api/v1/ (API root)", base=True))


def _model_of(endpoint, world):
    from .test_isolation_matrix import model_of

    return model_of(endpoint, world.channel) if endpoint is not None else None


def _page_probes(world, caller, plan: Plan):
    seen = set()
    for endpoint in all_endpoints():
        if endpoint.is_api or endpoint.is_admin or endpoint.route in seen:
            continue
        if "get" not in endpoint.implemented_methods():
            continue
        seen.add(endpoint.route)
        if endpoint.name in NOT_READ:
            continue
        where = f"GET /{endpoint.route} ({endpoint.name or endpoint.label})"
        view_class = endpoint.django_class
        allowed = getattr(view_class, "allowed_roles", None)
        readable = allowed is not None and getattr(caller, "role", "") in allowed
        kwargs_sets = [{}]
        if endpoint.kwargs:
            values = {}
            for kwarg in endpoint.kwargs:
                if kwarg in endpoint.id_kwargs:
                    model = _model_of(endpoint, world)
                    if model is None:
                        plan.problems.append(f"{where}: cannot tell the model its {kwarg} names: declare `model`")
                        values = None
                        break
                    values[kwarg] = _object_ids(model, world, caller, plan, where) if readable else [MISSING_ID]
                elif kwarg in KWARG_VALUES:
                    values[kwarg] = [KWARG_VALUES[kwarg]]
                else:
                    plan.problems.append(
                        f"{where}: its URL takes {kwarg!r}, which is not an id: add a value to KWARG_VALUES "
                        f"(or the route to NOT_READ with the reason) in tests/foundation/probes.py"
                    )
                    values = None
                    break
            if values is None:
                continue
            kwargs_sets = [dict(zip(values, combo, strict=True)) for combo in _product(values.values())]
        filters, owner = _filters_for(getattr(view_class, "filterset_class", None), caller)
        params = [Param(name, filter=f, owner=owner) for name, f in filters.items() if name not in IGNORED_PARAMS]
        for kwargs in kwargs_sets:
            path = endpoint.url(**kwargs) if kwargs else endpoint.url()
            target = f"{where} {kwargs}" if kwargs else where
            plan.probes.extend(_variations(path, params, world, caller, plan, target, readable, api=False))
            for query in PAGE_QUERIES.get(endpoint.name, lambda w: [])(world):
                plan.probes.append(Probe(_url(path, query), False, f"{target} ?{urlencode(query)}"))


def _product(lists):
    result = [[]]
    for values in lists:
        result = [[*prefix, value] for prefix in result for value in values]
    return result


def plan_for(world, caller) -> Plan:
    """Every GET ``caller`` (a partner user of ``world.partner_a``) can make, and what could not be planned."""
    plan = Plan()
    _api_probes(world, caller, plan)
    _page_probes(world, caller, plan)
    return plan


def pages_reading_the_query_unprobed() -> list[str]:
    """Partner pages whose own code reads ``request.GET`` with neither a filterset nor ``PAGE_QUERIES`` entry."""
    problems = []
    for endpoint in all_endpoints():
        view = endpoint.django_class
        if view is None or endpoint.is_admin or endpoint.is_api or endpoint.name in NOT_READ:
            continue
        if not set(getattr(view, "allowed_roles", ())) & PARTNER_ROLES:
            continue
        try:
            source = inspect.getsource(view)
        except (OSError, TypeError):
            continue
        if "GET" in source and getattr(view, "filterset_class", None) is None and endpoint.name not in PAGE_QUERIES:
            problems.append(f"/{endpoint.route} ({endpoint.label})")
    return problems
