"""No N+1 on any API list: the queries for 50 rows are the queries for 2 rows.

Generated from the API router: every list route, as the channel team and as a partner user,
with rows from ``registry.IN_SCOPE`` (rows both of them see). A list whose model has no
builder fails, saying to add one.
"""

import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from .registry import IN_SCOPE, NOT_ROW_LISTS, PARTNER_SEES_ONE, label_of
from .urlwalk import list_endpoints

LISTS = [e for e in list_endpoints() if e.name not in NOT_ROW_LISTS]


def _queries(client, url) -> tuple[int, list[str], int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response.status_code, [q["sql"] for q in captured.captured_queries], len(_rows(response))


def _rows(response):
    if response.status_code != 200:
        return []
    data = response.json()
    return data.get("results", []) if isinstance(data, dict) else data


def _shape(sql: str) -> str:
    return re.sub(r"\b\d+\b", "N", re.sub(r"'[^']*'", "'…'", sql))[:300]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["channel", "partner_admin"])
@pytest.mark.parametrize("endpoint", LISTS, ids=str)
def test_list_queries_do_not_grow_with_rows(endpoint, role, world):
    model = endpoint.declared_model
    assert model is not None, f"{endpoint.route}: no queryset to tell its model; list it in NOT_ROW_LISTS?"
    label = label_of(model)
    if label not in IN_SCOPE:
        pytest.fail(
            f"{endpoint.route} lists {label}, which has no IN_SCOPE builder in tests/foundation/registry.py: add "
            f"one (n rows partner A and the channel team both see) so its query count is checked."
        )
    user = world.channel if role == "channel" else world.admin_a
    client = APIClient()
    client.force_authenticate(user=user)
    url = endpoint.url()

    IN_SCOPE[label](world, 2)
    client.get(url)  # warm caches (content types, translations) outside the measure
    status_small, small, rows_small = _queries(client, url)
    IN_SCOPE[label](world, 48)
    status_large, large, rows_large = _queries(client, url)

    assert status_small == status_large
    if status_small == 200 and rows_small and not (role != "channel" and label in PARTNER_SEES_ONE):
        assert rows_large > rows_small, f"{url} as {role}: the 48 new rows did not show ({rows_small} → {rows_large})"
    if len(small) != len(large):
        grown = Counter(map(_shape, large)) - Counter(map(_shape, small))
        detail = "\n".join(f"  +{n} × {sql}" for sql, n in grown.most_common(5))
        pytest.fail(
            f"GET {url} as {role}: {len(small)} queries for {rows_small} rows, {len(large)} for {rows_large} rows "
            f"(N+1). Queries that grew:\n{detail}"
        )
