"""The URL configuration as data: every pattern, its view, its model and the ids it takes.

The foundation tests are generated from this walk, not from hand-written lists, so an
endpoint added tomorrow is covered (or breaks CI with a message saying what to add).
"""

import re
from dataclasses import dataclass
from functools import cached_property

from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse

#: URL keyword arguments that name the object a view acts on.
OBJECT_ID_KWARGS = frozenset({"pk", "id", "object_id"})
_ID_LIKE = re.compile(r"(^|_)(pk|id)$")

API_PREFIX = "api/v1/"


@dataclass(frozen=True)
class Endpoint:
    route: str  # the full pattern, prefixes included, as Django prints it
    name: str  # the namespaced URL name ("api:opportunity-detail"), "" when unnamed
    callback: object
    kwargs: tuple[str, ...]  # every named group of the full pattern, in order
    namespace: str = ""  # "api:", "admin:", ...
    positional: int = 0  # unnamed groups (a ``re_path`` with ``([^/]+)``): ids passed as args

    def __str__(self) -> str:
        return self.route

    # --- What kind of view -----------------------------------------------------------------

    @property
    def is_api(self) -> bool:
        return self.route.startswith(API_PREFIX)

    @property
    def is_admin(self) -> bool:
        return self.namespace.startswith("admin:")

    @property
    def is_format_suffix(self) -> bool:
        return "format" in self.kwargs

    @property
    def drf_class(self):
        """The DRF view class (viewset or APIView), or None."""
        return getattr(self.callback, "cls", None)

    @property
    def actions(self) -> dict[str, str]:
        """A viewset route's ``{method: action}`` mapping; {} for anything else."""
        return dict(getattr(self.callback, "actions", None) or {})

    @property
    def django_class(self):
        """The Django class-based view (not a DRF one), or None."""
        if self.drf_class is not None:
            return None
        return getattr(self.callback, "view_class", None)

    @property
    def view_class(self):
        return self.drf_class or self.django_class

    @property
    def label(self) -> str:
        view = self.view_class
        if view is not None:
            return f"{view.__module__}.{view.__qualname__}"
        return f"{getattr(self.callback, '__module__', '?')}.{getattr(self.callback, '__qualname__', self.callback)}"

    # --- Ids ------------------------------------------------------------------------------

    @property
    def id_kwargs(self) -> tuple[str, ...]:
        return tuple(k for k in self.kwargs if k in OBJECT_ID_KWARGS or _ID_LIKE.search(k))

    @property
    def object_kwarg(self) -> str | None:
        """The kwarg naming the object the view acts on (``pk``, ``id`` or ``object_id``)."""
        for kwarg in self.kwargs:
            if kwarg in OBJECT_ID_KWARGS:
                return kwarg
        return None

    @property
    def takes_object_id(self) -> bool:
        return bool(self.id_kwargs) or self.positional > 0

    # --- Model ----------------------------------------------------------------------------

    @cached_property
    def declared_model(self) -> type[models.Model] | None:
        """The model the view declares: a viewset's ``queryset.model``, a page's ``model`` or
        ``queryset.model``, an admin view's ``model_admin.model``. None when it declares none."""
        model_admin = getattr(self.callback, "model_admin", None)
        if model_admin is not None:
            return model_admin.model
        view = self.view_class
        if view is None:
            return None
        model = getattr(view, "model", None)
        if isinstance(model, type) and issubclass(model, models.Model):
            return model
        queryset = getattr(view, "queryset", None)
        if queryset is not None and hasattr(queryset, "model"):
            return queryset.model
        return None

    # --- Methods --------------------------------------------------------------------------

    def implemented_methods(self) -> set[str]:
        """Lower-case HTTP methods the view answers with something else than 405."""
        if self.drf_class is not None:
            allowed = set(getattr(self.drf_class, "http_method_names", []))
            if self.actions:
                return {m for m in self.actions if m in allowed and hasattr(self.drf_class, self.actions[m])}
            return {m for m in allowed if hasattr(self.drf_class, m)}
        if self.django_class is not None:
            allowed = set(getattr(self.django_class, "http_method_names", []))
            return {m for m in allowed if hasattr(self.django_class, m)} - {"options"}
        return {"get", "post"}

    def mapped_methods(self) -> set[str]:
        """The methods this route maps to a handler (a viewset's mapping, or a page's handlers)."""
        if self.actions:
            return set(self.actions)
        return self.implemented_methods()

    # --- URLs -----------------------------------------------------------------------------

    def url(self, **values) -> str:
        """The concrete URL, by reversing the route's name with ``values`` (plus ``format=json``)."""
        if not self.name:
            return self._substituted(values)
        if self.positional:
            return reverse(self.name, args=[values.get("args", 1)] * self.positional)
        kwargs = {k: values.get(k, 1) for k in self.kwargs}
        if "format" in kwargs:
            kwargs["format"] = "json"
        return reverse(self.name, kwargs=kwargs)

    def _substituted(self, values) -> str:
        """An unnamed ``path()`` route (the admin has some): fill its ``<converter:name>`` parts in."""
        if self.positional or "(?P<" in self.route:
            raise LookupError(f"{self.route} has no URL name: name it so the foundation tests can reverse it.")
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values.get(m[1], 1)), self.route)


def _walk(resolver: URLResolver, prefix: str, namespace: str, groups: tuple[str, ...], positional: int = 0):
    for pattern in resolver.url_patterns:
        regex = pattern.pattern.regex
        own = tuple(regex.groupindex)
        unnamed = regex.groups - len(regex.groupindex)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), inner, groups + own, positional + unnamed)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            yield Endpoint(
                route=prefix + str(pattern.pattern),
                name=name,
                callback=pattern.callback,
                kwargs=groups + own,
                namespace=namespace,
                positional=positional + unnamed,
            )


def all_endpoints() -> list[Endpoint]:
    return list(_walk(get_resolver(), "", "", ()))


def api_endpoints() -> list[Endpoint]:
    return [e for e in all_endpoints() if e.is_api]


def list_endpoints() -> list[Endpoint]:
    """Every API list route (``GET`` mapped to ``list``), one per viewset (format suffixes left out)."""
    seen, result = set(), []
    for endpoint in api_endpoints():
        is_list = endpoint.actions.get("get") == "list" and not endpoint.is_format_suffix
        if is_list and endpoint.drf_class not in seen:
            seen.add(endpoint.drf_class)
            result.append(endpoint)
    return result


def object_endpoints() -> list[Endpoint]:
    """Every route, API or page, that takes an object id."""
    return [e for e in all_endpoints() if e.takes_object_id]
