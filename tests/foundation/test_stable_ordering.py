"""``?ordering=`` breaks ties by id (``ecosystem.api.viewsets.StableOrderingFilter``).

Ties left to the database come back in whatever order it finds them, and that order moves when a row is
rewritten: a partner's pending registration is rewritten when another partner's registration makes a
conflict, so the order of a partner's own rows could tell it that another partner acted (SPEC §2).
"""

import pytest
from rest_framework.filters import OrderingFilter

from ecosystem.api.urls import router
from ecosystem.api.viewsets import StableOrderingFilter
from tests.factories import AccountFactory, AssignmentFactory


@pytest.mark.django_db
def test_ties_are_ordered_by_id_both_ways(partner_a, rep_a, api):
    accounts = [AccountFactory(region="bretagne", name=f"Tie {i}") for i in range(4)]
    accounts.append(AccountFactory(region="normandie", name="Other region"))
    for account in accounts:
        AssignmentFactory(account=account, partner=partner_a)
    ties = sorted(a.pk for a in accounts[:4])
    for ordering, expected in (("region", [*ties, accounts[4].pk]), ("-region", [accounts[4].pk, *ties])):
        ids = [row["id"] for row in api(rep_a).get(f"/api/v1/accounts/?ordering={ordering}").json()["results"]]
        assert ids == expected, ordering


def test_every_api_list_orders_through_the_stable_filter():
    plain = [
        f"{prefix}/"
        for prefix, viewset, _ in router.registry
        for backend in getattr(viewset, "filter_backends", [])
        if issubclass(backend, OrderingFilter) and not issubclass(backend, StableOrderingFilter)
    ]
    assert not plain, f"API views ordering without a tie-breaker: {plain}: use ecosystem.api.viewsets' backends"
