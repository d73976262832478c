"""The portal home's registration block and the pages each role sees."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ..factories import OpportunityFactory


@pytest.mark.django_db
def test_portal_home_shows_what_needs_attention(client, rep_a, partner_a, partner_b):
    today = timezone.localdate()
    ending = OpportunityFactory(partner=partner_a, registration_status="approved", protected_until=today + timedelta(5))
    later = OpportunityFactory(partner=partner_a, registration_status="approved", protected_until=today + timedelta(60))
    waiting = OpportunityFactory(partner=partner_a, registration_status="pending")
    theirs = OpportunityFactory(partner=partner_b, registration_status="pending")
    client.force_login(rep_a)
    response = client.get("/portal/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="register-opportunity"' in html
    assert f"/opportunities/{ending.pk}/#extension" in html
    assert f"/opportunities/{later.pk}/#extension" not in html
    assert f"#{waiting.pk} {waiting.account.name}" in html
    assert theirs.account.name not in html


@pytest.mark.django_db
def test_pages_render_for_each_role(client, users, partner_a, rep_a):
    opportunity = OpportunityFactory(partner=partner_a, registration_status="pending", has_conflict=True)
    expectations = {
        "channel": {"/opportunities/registrations/": 200, f"/opportunities/{opportunity.pk}/": 200},
        "manager": {"/opportunities/registrations/": 403, f"/opportunities/{opportunity.pk}/": 200},
        "partner_rep": {"/opportunities/register/": 200, f"/opportunities/{opportunity.pk}/": 200},
        "partner_admin": {"/opportunities/register/": 200, f"/opportunities/{opportunity.pk}/": 200},
        "rep_b": {"/opportunities/register/": 200, f"/opportunities/{opportunity.pk}/": 404},
    }
    for key, pages in expectations.items():
        client.force_login(users[key])
        for url, status in pages.items():
            assert client.get(url).status_code == status, (key, url)


@pytest.mark.django_db
def test_partner_detail_page_says_under_review_without_the_conflict(client, rep_a, channel_user, partner_a):
    opportunity = OpportunityFactory(partner=partner_a, registration_status="pending", has_conflict=True)
    client.force_login(rep_a)
    html = client.get(f"/opportunities/{opportunity.pk}/").content.decode()
    assert "badge conflict" not in html and "Conflicts" not in html
    client.force_login(channel_user)
    html = client.get(f"/opportunities/{opportunity.pk}/").content.decode()
    assert "badge conflict" in html
