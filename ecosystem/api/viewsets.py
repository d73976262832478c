"""The scoped base of every API viewset: rows come only from ``Model.objects.for_user()``."""

from django.core.exceptions import ImproperlyConfigured
from rest_framework import mixins, viewsets

from ecosystem.scoping import ScopedQuerySet


class ScopedViewSetMixin:
    """Applies ``for_user(request.user)`` to the declared queryset. Fails closed."""

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
