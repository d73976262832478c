"""API fuzzing: schemathesis generates requests from ``/api/schema/`` for every operation, as each
role; no request may answer 500, and every documented response must match its schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
)

from ecosystem.wsgi import application
from tests.factories import AccountFactory, AssignmentFactory, OpportunityFactory

CHECKS = [not_a_server_error, content_type_conformance, response_headers_conformance, response_schema_conformance]
ROLES = ["channel", "manager", "partner_admin", "partner_rep"]


schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests go straight to the WSGI app: like Django's test client, keep the end of a request from
    closing the test's database connection (its transaction holds the test data)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(users, partner_a, partner_b):
    """Some rows to hit (ids 1… exist), and a token per role."""
    for partner in (partner_a, partner_b):
        account = AccountFactory()
        AssignmentFactory(account=account, partner=partner)
        OpportunityFactory(account=account, partner=partner)
    return {role: Token.objects.get_or_create(user=users[role])[0].key for role in ROLES}


@schema.parametrize()
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_error_and_responses_match_the_schema(case, tokens):
    for role in ROLES:
        case.call_and_validate(headers={"Authorization": f"Token {tokens[role]}"}, checks=CHECKS)
