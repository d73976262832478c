"""The scoped base of every web page: role check (403) and ``for_user`` rows (404 outside scope)."""

from itertools import chain

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.views.generic import DetailView, FormView, ListView
from django.views.generic.detail import SingleObjectMixin

from .roles import ALL_ROLES, role_of
from .scoping import ScopedQuerySet, scope_filter_choices
from .signals import export_served


class RoleRequiredMixin(LoginRequiredMixin):
    """Anonymous → login page; a role outside ``allowed_roles`` → 403."""

    allowed_roles: frozenset = ALL_ROLES

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if role_of(request.user) not in self.allowed_roles:
            raise PermissionDenied("Your role does not allow this page.")
        return super().dispatch(request, *args, **kwargs)


class ScopedQuerysetMixin(RoleRequiredMixin):
    """Rows come from ``Model.objects.for_user(request.user)``; an object outside scope is 404."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if not isinstance(queryset, ScopedQuerySet):
            raise ImproperlyConfigured(f"{type(self).__name__} must list a ScopedQuerySet.")
        return queryset.for_user(self.request.user)


class ScopedListView(ScopedQuerysetMixin, ListView):
    """A scoped, filterable, paginated list. ``filterset_class`` narrows the scoped rows."""

    paginate_by = 50
    filterset_class = None

    def get_queryset(self):
        queryset = super().get_queryset()
        self.filterset = None
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
            scope_filter_choices(self.filterset, self.request.user)
            if self.filterset.is_bound and self.filterset.is_valid():
                queryset = self.filterset.qs
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = self.filterset
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_without_page"] = query.urlencode()
        return context


class ScopedDetailView(ScopedQuerysetMixin, DetailView):
    pass


def report_errors(form, error: ValidationError) -> None:
    """A service's refusal on the form: each message beside its field, the rest above the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields and field != NON_FIELD_ERRORS else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class ServiceFormMixin:
    """``form_valid`` calls ``act(form)`` (a service call that returns the response); a ValidationError
    it raises is shown on the form, which is rendered again (nothing was written)."""

    def act(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            return self.act(form)
        except ValidationError as error:
            report_errors(form, error)
            return self.form_invalid(form)


class ScopedObjectFormView(ServiceFormMixin, ScopedQuerysetMixin, SingleObjectMixin, FormView):
    """A form page acting on one object of the user's scope (another's is 404): edit, suspend, end…"""

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)


def csv_response(lines, name: str, *, request, filename: str | None = None) -> StreamingHttpResponse:
    """Stream CSV ``lines`` as a download (``<name>-<today>.csv`` unless ``filename``), with a BOM so
    spreadsheets read UTF-8. Every export is announced (``export_served``): the audit trail records
    who, what, which filters."""
    filename = filename or f"{name}-{timezone.localdate().isoformat()}.csv"
    export_served.send(sender=csv_response, request=request, name=name, filename=filename)
    response = StreamingHttpResponse(chain(["\ufeff"], lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
