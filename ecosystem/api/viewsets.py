"""The scoped base of every API viewset: rows come only from ``Model.objects.for_user()``."""

from django.core.exceptions import ImproperlyConfigured
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.settings import api_settings

from ecosystem.scoping import ScopedQuerySet, scope_filter_choices


class ScopedFilterBackend(DjangoFilterBackend):
    """``?partner=<id>`` and the like accept only ids in the caller's scope: another partner's id
    answers exactly like an id that does not exist."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            scope_filter_choices(filterset, request.user)
        return filterset


class StableOrderingFilter(OrderingFilter):
    """``?ordering=region`` sorts rows of the same region by id: the same order on every call and every page.

    Without it the database returns ties in whatever order it finds them, and that order moves when a row is
    rewritten — as a partner's pending registration is when another partner's registration on the same
    account makes a conflict (``opportunities.conflicts``): the order of a partner's own rows would tell it
    that another partner acted (SPEC §2), and pages could skip or repeat rows.
    """

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not {"pk", "-pk", "id", "-id"} & set(ordering):
            ordering = [*ordering, "pk"]
        return ordering


_REPLACED = {DjangoFilterBackend: ScopedFilterBackend, OrderingFilter: StableOrderingFilter}


def _scoped_filter_backends() -> list:
    return [_REPLACED.get(backend, backend) for backend in api_settings.DEFAULT_FILTER_BACKENDS]


class ScopedViewSetMixin:
    """Applies ``for_user(request.user)`` to the declared queryset. Fails closed."""

    filter_backends = _scoped_filter_backends()

    def dispatch(self, request, *args, **kwargs):
        # The router's format-suffix routes (``…/{id}/export.json``) pass ``format=`` to the handler;
        # extra actions are written ``def action(self, request, pk=None)`` and would fail with a 500.
        # Keep the suffix for content negotiation only.
        self._format_suffix = kwargs.pop("format", None)
        return super().dispatch(request, *args, **kwargs)

    def get_format_suffix(self, **kwargs):
        return getattr(self, "_format_suffix", None) or super().get_format_suffix(**kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        if not isinstance(queryset, ScopedQuerySet):
            raise ImproperlyConfigured(f"{type(self).__name__}.queryset must be a ScopedQuerySet.")
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        return self.scope(queryset)

    def scope(self, queryset):
        return queryset.for_user(self.request.user)


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Read and write, scoped. Deletion is off unless a view turns it on."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedCreateReadViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    pass
