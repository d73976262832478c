"""The home pages' to-do list: each kind of waiting work with its count, its oldest item and a link to the
filtered list (``ecosystem/worklist.py``, each app registering its own work)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import resolve
from django.utils import timezone, translation

from ecosystem.roles import CHANNEL_ONLY, INTERNAL_ROLES, PARTNER_ROLES, Role
from ecosystem.worklist import kinds, work_for
from opportunities.models import Opportunity

from ..factories import AccountFactory, AssignmentFactory, OpportunityFactory, UserFactory

pytestmark = pytest.mark.django_db


def _pending(partner, days_ago, **kwargs):
    opportunity = OpportunityFactory(partner=partner, registration_status="pending", **kwargs)
    Opportunity.objects.filter(pk=opportunity.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return opportunity


def test_every_kind_is_for_internal_roles_and_links_to_a_page(channel_user, manager_user):
    assert {"registrations", "extensions", "protections", "uncovered", "stale"} <= {kind.key for kind in kinds()}
    for kind in kinds():
        assert kind.roles <= INTERNAL_ROLES, f"{kind.key} would show internal work to partners"
    for user in (channel_user, manager_user):
        for work in work_for(user):
            path = work.url.split("?")[0].split("#")[0]
            assert resolve(path), work.url
            assert Client().get(work.url).status_code in (302, 403)  # a real page (login first)


def test_counts_oldest_and_notes(channel_user, partner_a, partner_b, settings):
    settings.REGISTRATION_REVIEW_DAYS = 30
    oldest = _pending(partner_a, days_ago=26)  # expires unreviewed within 7 days
    _pending(partner_b, days_ago=2, has_conflict=True)
    today = timezone.localdate()
    OpportunityFactory(
        partner=partner_a, registration_status="approved", stage="qualified", protected_until=today + timedelta(days=5)
    )
    OpportunityFactory(
        partner=partner_a, registration_status="approved", stage="qualified", protected_until=today + timedelta(days=60)
    )
    with translation.override("en"):
        work = {item.key: item for item in work_for(channel_user)}
    registrations = work["registrations"]
    assert registrations.count == 2 and registrations.oldest == Opportunity.objects.get(pk=oldest.pk).created_at
    assert "1 in conflict" in registrations.note and "1 expire unreviewed within 7 days" in registrations.note
    assert work["protections"].count == 1 and work["protections"].oldest == today + timedelta(days=5)
    assert work["extensions"].count == 0
    # waiting work first, oldest first; what waits for nobody after it
    order = [item.key for item in work_for(channel_user)]
    assert order.index("registrations") < order.index("protections") < order.index("extensions")


def test_the_protections_link_lists_exactly_those(channel_user, partner_a):
    today = timezone.localdate()
    soon = OpportunityFactory(
        partner=partner_a, registration_status="approved", stage="proposal", protected_until=today + timedelta(days=3)
    )
    won_meanwhile = {"stage": "won", "closed_on": today}
    OpportunityFactory(
        partner=partner_a, registration_status="approved", protected_until=today + timedelta(days=3), **won_meanwhile
    )
    url = next(item.url for item in work_for(channel_user) if item.key == "protections")
    client = Client()
    client.force_login(channel_user)
    listed = [o.pk for o in client.get(url).context["object_list"]]
    assert listed == [soon.pk]


def test_coverage_gaps(channel_user, partner_a):
    AccountFactory(is_select=True)
    AssignmentFactory(partner=partner_a, account=AccountFactory(is_select=True))
    work = {item.key: item for item in work_for(channel_user)}
    assert work["uncovered"].count == 1 and work["uncovered"].urgency == "watch"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_workspace_and_the_managers_home_show_the_list(client, channel_user, manager_user, partner_a, language):
    _pending(partner_a, days_ago=3)
    client.force_login(channel_user)
    page = client.get("/workspace/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert 'class="work-registrations due"' in page and "/opportunities/registrations/" in page
    assert ("To do" if language == "en" else "À faire") in page
    assert "/bookings/import/" in page and "/dashboard/" in page
    client.force_login(manager_user)
    page = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert "work-protections" in page and "work-registrations" not in page  # the channel team's, not the manager's


@pytest.mark.parametrize("role", sorted(PARTNER_ROLES))
def test_partners_get_no_work_of_the_channel_team(partner_a, role):
    user = UserFactory(role=role, partner=partner_a)
    _pending(partner_a, days_ago=1)
    assert work_for(user) == []


def test_roles_of_each_kind_are_declared():
    assert {kind.key for kind in kinds() if kind.roles == CHANNEL_ONLY} >= {"registrations", "extensions"}
    assert Role.MANAGER in next(kind for kind in kinds() if kind.key == "protections").roles
