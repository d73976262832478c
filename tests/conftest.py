"""Shared fixtures: two partners (A and B), one user of each role, API clients per role.

``partner_a`` is the caller's partner in isolation tests; ``partner_b`` is "another
partner" whose data must stay invisible.
"""

import os
from datetime import date

import pytest
from rest_framework.test import APIClient

from ecosystem.roles import Role

from .factories import PartnerFactory, UserFactory

PASSWORD = "secret-pass-123"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """With CELERY_BROKER_URL set (CI), a skipped ``worker`` test is a failure: CI must prove that
    jobs run on a real worker, not report a green suite that never tried."""
    report = yield
    if (
        report.skipped
        and not hasattr(report, "wasxfail")
        and item.get_closest_marker("worker")
        and os.environ.get("CELERY_BROKER_URL")
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid}: a worker test was skipped although CELERY_BROKER_URL is set "
            f"({os.environ['CELERY_BROKER_URL']}): {reason}"
        )
    return report


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.AXES_ENABLED = True
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "1000/min"}}
    # Rate limits count in the cache: each test starts with none spent.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_in_process_unless_worker_test(request):
    """Tasks run in-process (eagerly) in every test, even when CI sets CELERY_BROKER_URL; the tests
    marked ``worker`` are the ones that send them through Redis to a real worker."""
    from ecosystem.celery import app

    if request.node.get_closest_marker("worker"):
        yield
        return
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


#: The day the settlement rules see in tests (SPEC §4.1: a period computed before it ends is
#: preliminary and approved only after its last day). Fixed, and after every period the tests
#: settle, so that no test depends on the day it runs; the tests of preliminary runs set their own.
SETTLEMENT_TODAY = date(2060, 1, 15)


@pytest.fixture(autouse=True)
def settlement_today(monkeypatch):
    """``settlement_today(day)`` sets the day the settlement rules see (``SETTLEMENT_TODAY`` by default)."""
    from commissions import approval_rules

    def set_today(day: date) -> None:
        monkeypatch.setattr(approval_rules, "today", lambda: day)

    set_today(SETTLEMENT_TODAY)
    return set_today


@pytest.fixture
def partner_a(db):
    return PartnerFactory(name="Alpha Intégration")


@pytest.fixture
def partner_b(db):
    return PartnerFactory(name="Bravo Services")


@pytest.fixture
def channel_user(db):
    return UserFactory(username="channel", role=Role.CHANNEL)


@pytest.fixture
def manager_user(db):
    return UserFactory(username="manager", role=Role.MANAGER)


@pytest.fixture
def admin_a(partner_a):
    return UserFactory(username="admin_a", role=Role.PARTNER_ADMIN, partner=partner_a)


@pytest.fixture
def rep_a(partner_a):
    return UserFactory(username="rep_a", role=Role.PARTNER_REP, partner=partner_a)


@pytest.fixture
def rep_b(partner_b):
    return UserFactory(username="rep_b", role=Role.PARTNER_REP, partner=partner_b)


@pytest.fixture
def users(channel_user, manager_user, admin_a, rep_a, rep_b):
    """One user of each role, keyed by role name (``rep_b`` belongs to partner B)."""
    return {
        "channel": channel_user,
        "manager": manager_user,
        "partner_admin": admin_a,
        "partner_rep": rep_a,
        "rep_b": rep_b,
    }


def api_client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


@pytest.fixture
def api():
    """``api(user)`` → an APIClient authenticated as ``user`` (``None`` → anonymous)."""
    return api_client_for
