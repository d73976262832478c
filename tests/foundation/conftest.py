import pytest

from ecosystem.roles import Role

from ..factories import UserFactory
from .registry import World


@pytest.fixture
def world(partner_a, partner_b, rep_a, admin_a, rep_b, channel_user, manager_user) -> World:
    return World(
        partner_a=partner_a,
        partner_b=partner_b,
        rep_a=rep_a,
        admin_a=admin_a,
        rep_b=rep_b,
        admin_b=UserFactory(username="admin_b", role=Role.PARTNER_ADMIN, partner=partner_b),
        channel=channel_user,
        manager=manager_user,
    )
