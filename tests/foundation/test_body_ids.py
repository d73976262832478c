"""SPEC §2 isolation of ids sent in request bodies, generated from the API's operations.

The isolation matrix (test_isolation_matrix.py) covers ids in URLs. Here: every write operation
(POST, PUT, PATCH) of /api/v1/ whose request serializer — as drf-spectacular sees it, so
``@extend_schema(request=...)`` included — has related-id inputs (``PrimaryKeyRelatedField``,
``many=True``, lists of integer ids) is called by partner A's rep and admin with ids of rows they
must not reach (``registry.OUT_OF_SCOPE``: partner B's, direct, internal). The answer is 400, 403
or 404 and nothing is written. A 400 must name the field (the field refused the id, not only
some other missing field) exactly as it names an id that does not exist (no oracle), and the
same body with one of partner A's own ids does not name it (the refusal comes from scoping).

A field that partner users may not write (read-only for them, e.g. an opportunity's partner) is
ignored: when the request succeeds, the row does not carry the foreign id.
"""

import re

import pytest
from django.apps import apps
from django.conf import settings
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate

from ecosystem.roles import Role
from ecosystem.scoping import NAMEABLE_BY_PARTNERS

from .registry import IN_SCOPE, OUT_OF_SCOPE, World, label_of, snapshot

WRITE_METHODS = ("POST", "PUT", "PATCH")
PARTNER_CALLERS = ["partner_rep", "partner_admin"]

#: Integer lists that carry ids but are no related fields (a service looks them up):
#: (path, method, field) → the model they name, or None with nothing to check.
INTEGER_ID_FIELDS = {
    ("/api/v1/assignment-proposals/{pk}/accept/", "POST", "items"): "accounts.ProposalItem",
    ("/api/v1/opportunities/decide/", "POST", "ids"): "opportunities.Opportunity",
}

#: Related models without an IN_SCOPE builder of their own: the builder that also makes them.
IN_SCOPE_VIA = {"commissions.PayoutLine": "commissions.SettlementRun"}


def _probe_user(role: str):
    """An unsaved user of ``role``: enough to see which fields a serializer offers that role."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return user_model(role=role, partner_id=1 if role in PARTNER_CALLERS else None, is_active=True)


def _generator() -> SchemaGenerator:
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    return generator


def _view_for(generator, callback, method: str, path: str, user):
    view = generator.create_view(callback, method)
    request = getattr(APIRequestFactory(), method.lower())(path)
    force_authenticate(request, user=user)
    view.request = view.initialize_request(request)
    view.args, view.kwargs, view.format_kwarg = (), {}, None
    return view


def _request_serializer(view):
    serializer = view.schema.get_request_serializer()
    if isinstance(serializer, type) and issubclass(serializer, serializers.BaseSerializer):
        serializer = serializer(context={"request": view.request, "view": view})
    if isinstance(serializer, serializers.ListSerializer):
        serializer = serializer.child
    return serializer if isinstance(serializer, serializers.Serializer) else None


def id_fields(view, path: str, method: str) -> dict[str, tuple[object, str, bool]]:
    """The body's id inputs writable by the view's user: name → (field, model label, is a list)."""
    serializer = _request_serializer(view)
    if serializer is None:
        return {}
    found = {}
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.ManyRelatedField):
            found[name] = (field, label_of(field.child_relation.get_queryset().model), True)
        elif isinstance(field, serializers.RelatedField):
            found[name] = (field, label_of(field.get_queryset().model), False)
        elif isinstance(field, serializers.ListField) and isinstance(field.child, serializers.IntegerField):
            key = (path, method, name)
            if key not in INTEGER_ID_FIELDS:
                raise LookupError(
                    f"{method} {path}: the integer list {name!r} may carry ids; map it in INTEGER_ID_FIELDS "
                    f"(tests/foundation/test_body_ids.py) to the model it names, or to None"
                )
            if INTEGER_ID_FIELDS[key] is not None:
                found[name] = (field, INTEGER_ID_FIELDS[key], True)
    return found


def write_operations():
    """(path, method, callback) of every write operation with id inputs for some role."""
    generator, operations = _generator(), []
    for path, _, method, callback in generator.endpoints:
        if method not in WRITE_METHODS:
            continue
        for role in (Role.CHANNEL, *PARTNER_CALLERS):
            if id_fields(_view_for(generator, callback, method, path, _probe_user(role)), path, method):
                operations.append((path, method, callback))
                break
    return operations


OPERATIONS = write_operations()


# --- Helpers ------------------------------------------------------------------------------------------


def _caller(world: World, role: str):
    return world.rep_a if role == "partner_rep" else world.admin_a


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def _project_models():
    root = str(settings.BASE_DIR)
    for model in apps.get_models():
        path = model._meta.app_config.path
        if path.startswith(root) and "/.venv/" not in path:
            yield model


def _fingerprint() -> dict:
    """Rows of every project model (history and audit included): count and highest id."""
    result = {}
    for model in _project_models():
        rows = model._base_manager.order_by("-pk").values_list("pk", flat=True)
        result[label_of(model)] = (rows.count(), rows.first())
    return result


def _in_scope_row(world: World, label: str, user):
    """A row of ``label`` that ``user`` reaches (built when the registry knows how), or None."""
    model = apps.get_model(label)
    builder = IN_SCOPE.get(IN_SCOPE_VIA.get(label, label))
    if builder is not None:
        builder(world, 1)
    return model._default_manager.for_user(user).order_by("-pk").first()


def _allowed_id(field, label: str, view, world: World, user):
    """An id the field accepts from ``user`` (its own queryset decides), or None."""
    _in_scope_row(world, label, user)
    if isinstance(field, serializers.ManyRelatedField):
        field = field.child_relation
    if isinstance(field, serializers.RelatedField):
        row = field.get_queryset().order_by("-pk").first()
    else:
        row = apps.get_model(label)._default_manager.for_user(user).order_by("-pk").first()
    return None if row is None else row.pk


def _value(pk, many: bool):
    return [pk] if many else pk


def _field_errors(response, name: str):
    """The errors the 400 answer gives ``name``, or None when it names no such field."""
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict):
        return body.get(name)
    return None


def _without(pk: int, errors) -> str:
    """The errors as text, the id they echo replaced (an error may repeat the id it was given)."""
    text = " | ".join(map(str, errors)) if isinstance(errors, list) else str(errors)
    return re.sub(rf"(?<!\d){pk}(?!\d)", "<id>", text)


# --- The generated test ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", PARTNER_CALLERS)
@pytest.mark.parametrize(("path", "method", "callback"), OPERATIONS, ids=[f"{m} {p}" for p, m, _ in OPERATIONS])
def test_partner_users_never_write_another_partners_ids(path, method, callback, role, world):
    caller = _caller(world, role)
    generator = _generator()
    view = _view_for(generator, callback, method, path, caller)
    writable = id_fields(view, path, method)
    internal = id_fields(_view_for(generator, callback, method, path, world.channel), path, method)
    ignored = {name: spec for name, spec in internal.items() if name not in writable}

    # The URL names an object the caller reaches, so the body is what gets judged.
    target = None
    if "{" in path and getattr(view, "queryset", None) is not None:
        target = _in_scope_row(world, label_of(view.queryset.model), caller)
    url = re.sub(r"\{\w+\}", str(target.pk if target else 1), path)
    client = _client(caller)
    send = getattr(client, method.lower())
    failures = []

    for name, (field, label, many) in writable.items():
        if label in NAMEABLE_BY_PARTNERS:
            continue  # any account may be named: a partner registers deals on any account (SPEC §3)
        if label not in OUT_OF_SCOPE:
            pytest.fail(f"{method} {path}: {name!r} names {label}, which has no OUT_OF_SCOPE builder in registry.py")
        missing_pk = apps.get_model(label)._base_manager.order_by("-pk").values_list("pk", flat=True).first() or 0
        missing_pk += 10_000
        own = None
        for variant, obj in OUT_OF_SCOPE[label](world).items():
            where = f"{method} {url} as {role} with {name}={obj.pk} ({label} {variant!r})"
            before, row_before = _fingerprint(), snapshot(obj)
            target_before = snapshot(target) if target is not None else None
            response = send(url, {name: _value(obj.pk, many)}, format="json")
            if response.status_code not in (400, 403, 404):
                failures.append(f"{where}: answered {response.status_code}, expected 400, 403 or 404")
            if _fingerprint() != before or snapshot(obj) != row_before:
                failures.append(f"{where}: rows were written")
            if target is not None and snapshot(target) != target_before:
                failures.append(f"{where}: the object of the URL changed")
            if response.status_code != 400:
                continue
            errors = _field_errors(response, name)
            if errors is None:
                failures.append(f"{where}: the 400 does not name {name!r}: {response.content[:300]!r}")
                continue
            nobody = send(url, {name: _value(missing_pk, many)}, format="json")
            if (nobody.status_code, _without(missing_pk, _field_errors(nobody, name))) != (
                400,
                _without(obj.pk, errors),
            ):
                failures.append(
                    f"{where}: answers {errors!r}, an id that does not exist answers "
                    f"{nobody.status_code} {_field_errors(nobody, name)!r} (an oracle)"
                )
            # Control: one of the caller's own ids passes the field, so the refusal above is scoping.
            own = own or _allowed_id(field, label, view, world, caller)
            if own is None:
                failures.append(
                    f"{where}: no {label} row of partner A's to compare with: add an IN_SCOPE builder in "
                    f"registry.py (or map it in IN_SCOPE_VIA)"
                )
            else:
                response = send(url, {name: _value(own, many)}, format="json")
                if response.status_code == 400 and _field_errors(response, name) is not None:
                    failures.append(
                        f"{method} {url} as {role}: {name}={own} (partner A's own {label}) is refused too: "
                        f"{_field_errors(response, name)!r}; the test proves nothing about scoping"
                    )

    for name, (_, label, many) in ignored.items():
        if label in NAMEABLE_BY_PARTNERS or label not in OUT_OF_SCOPE:
            continue
        for variant, obj in OUT_OF_SCOPE[label](world).items():
            response = send(url, {name: _value(obj.pk, many)}, format="json")
            where = f"{method} {url} as {role} with {name}={obj.pk} ({label} {variant!r}, read-only for partners)"
            if response.status_code >= 500:
                failures.append(f"{where}: answered {response.status_code}")
            elif 200 <= response.status_code < 300:
                written = response.json().get(name) if isinstance(response.json(), dict) else None
                if written == _value(obj.pk, many):
                    failures.append(f"{where}: the row now carries the foreign id")

    assert not failures, "\n".join(failures)


# --- The generation itself -------------------------------------------------------------------------------


def test_the_walk_finds_the_operations_with_ids_in_their_bodies():
    """A walk that finds nothing would prove nothing: the known cases are in it."""
    found = {(path, method) for path, method, _ in OPERATIONS}
    for expected in [
        ("/api/v1/assignments/bulk/", "POST"),
        ("/api/v1/assignments/", "POST"),
        ("/api/v1/opportunities/", "POST"),
        ("/api/v1/opportunities/{pk}/", "PATCH"),
        ("/api/v1/disputes/", "POST"),
        ("/api/v1/users/", "POST"),
        ("/api/v1/roadshows/", "POST"),
        ("/api/v1/assignment-proposals/{pk}/accept/", "POST"),
    ]:
        assert expected in found, f"{expected} is not among the generated operations: {sorted(found)}"


def test_partner_users_may_write_some_of_those_ids():
    """The test is not only 403s: partner users do write related ids on some operations."""
    generator = _generator()
    writable = {
        (path, method)
        for path, method, callback in OPERATIONS
        if id_fields(_view_for(generator, callback, method, path, _probe_user(Role.PARTNER_ADMIN)), path, method)
    }
    assert {("/api/v1/opportunities/", "POST"), ("/api/v1/disputes/", "POST"), ("/api/v1/users/", "POST")} <= writable
