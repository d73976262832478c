"""Fixtures of the deal-registration tests: partner A's assigned account, roadshows, payloads."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ecosystem.roles import Role

from ..factories import AccountFactory, AssignmentFactory, RoadshowFactory, UserFactory


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read the English msgids: pages (no Accept-Language) and e-mails render in English here."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def account_a(partner_a):
    """An account assigned (primary) to partner A."""
    account = AccountFactory(name="Maison Lumière", city="Paris")
    AssignmentFactory(account=account, partner=partner_a, role="primary")
    return account


@pytest.fixture
def account_b(partner_b):
    """An account assigned (primary) to partner B."""
    account = AccountFactory(name="Usine Bravo", city="Lyon")
    AssignmentFactory(account=account, partner=partner_b, role="primary")
    return account


@pytest.fixture
def free_account(db):
    """An account nobody covers."""
    return AccountFactory(name="Libre Industrie", city="Nantes")


@pytest.fixture
def roadshow_a(partner_a):
    return RoadshowFactory(title="Lyon AI day", partners=[partner_a])


@pytest.fixture
def roadshow_b(partner_b):
    return RoadshowFactory(title="Lille hybrid cloud day", partners=[partner_b])


@pytest.fixture
def admin_b(partner_b):
    return UserFactory(username="admin_b", role=Role.PARTNER_ADMIN, partner=partner_b)


@pytest.fixture
def channel_2(db):
    return UserFactory(username="channel2", role=Role.CHANNEL)


@pytest.fixture
def in_a_month():
    return (timezone.localdate() + timedelta(days=30)).isoformat()


@pytest.fixture
def payload(account_a, in_a_month):
    """``payload(**overrides)``: a valid API registration body for partner A."""

    def build(**overrides):
        body = {
            "account": account_a.pk,
            "product_line": "ai",
            "amount": "125000.00",
            "expected_close": in_a_month,
        }
        body.update(overrides)
        return {k: v for k, v in body.items() if v is not None}

    return build
