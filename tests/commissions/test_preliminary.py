"""Preliminary runs (SPEC §4.1): a period may be computed before it ends; the run is shown as
preliminary with the date its figures stop at (pages, API, statements), and it is approved only
after the period's last day — by the service, the page and the API alike — once recomputed."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from commissions import settlement
from commissions.models import RunStatus, Statement

from ..factories import RuleFactory, UserFactory, won

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 2)  # in 2026-Q4


@pytest.fixture
def q4(settlement_today, partner_a, channel_user):
    """2026-Q4 computed on 2 December 2026 by the channel team."""
    settlement_today(TODAY)
    RuleFactory(rate=D("0.1"))
    won(partner_a, "1000.00", date(2026, 10, 5))
    run = settlement.settlement_request(period="2026-Q4", user=channel_user, enqueue=False)
    settlement.settle_now(run.pk)
    run.refresh_from_db()
    return run


def test_a_period_computed_before_it_ends_is_preliminary(q4):
    assert q4.status == RunStatus.COMPUTED and q4.total == D("100.00")
    assert q4.preliminary and q4.figures_through == TODAY


@pytest.mark.parametrize(
    ("computed_on", "preliminary", "through"),
    [
        (date(2026, 12, 31), True, date(2026, 12, 31)),  # the last day is not over yet
        (date(2027, 1, 1), False, date(2026, 12, 31)),
        (date(2026, 9, 1), True, date(2026, 9, 1)),  # before the period even starts
    ],
)
def test_the_day_it_is_computed_decides(settlement_today, channel_user, computed_on, preliminary, through):
    settlement_today(computed_on)
    run = settlement.settlement_request(period="2026-Q4", user=channel_user, enqueue=False)
    settlement.settle_now(run.pk)
    run.refresh_from_db()
    assert (run.preliminary, run.figures_through) == (preliminary, through)


def test_shown_on_the_pages(client, q4, channel_user, partner_a):
    client.force_login(channel_user)
    assert "preliminary: figures through Dec. 2, 2026" in client.get("/commissions/settlements/").content.decode()
    assert (
        "preliminary: figures through Dec. 2, 2026" in client.get(f"/commissions/settlements/{q4.pk}/").content.decode()
    )
    statement = Statement.objects.current().get(run=q4, partner=partner_a)
    page = client.get(f"/commissions/statements/{statement.pk}/").content.decode()
    assert "Preliminary figures: the period is not over, they count the deals won through Dec. 2, 2026." in page
    assert "preliminary: figures through Dec. 2, 2026" in client.get("/commissions/statements/").content.decode()


def test_shown_in_the_api(api, q4, channel_user, partner_a):
    run = api(channel_user).get(f"/api/v1/settlements/{q4.pk}/").json()
    assert (run["preliminary"], run["figures_through"]) == (True, "2026-12-02")
    statement = Statement.objects.current().get(run=q4, partner=partner_a)
    body = api(channel_user).get(f"/api/v1/statements/{statement.pk}/").json()
    assert (body["preliminary"], body["figures_through"]) == (True, "2026-12-02")
    listed = api(channel_user).get("/api/v1/statements/").json()["results"]
    assert [(s["preliminary"], s["figures_through"]) for s in listed] == [(True, "2026-12-02")]
    for value, count in (("true", 1), ("false", 0)):
        assert api(channel_user).get(f"/api/v1/settlements/?preliminary={value}").json()["count"] == count


class TestApprovedOnlyAfterItsLastDay:
    BEFORE_THE_END = "Q4 2026 ends on Dec. 31, 2026: a preliminary run can be approved only after its last day."
    NOT_RECOMPUTED = (
        "2026-Q4 was computed before its last day (its figures stop at Dec. 2, 2026): recompute it now that the "
        "period is over, then approve it."
    )

    def test_the_service(self, q4, manager_user, settlement_today):
        with pytest.raises(ValidationError) as refused:
            settlement.settlement_approve(run=q4, user=manager_user)
        assert refused.value.message_dict == {"period": [self.BEFORE_THE_END]}
        settlement_today(date(2026, 12, 31))  # the last day itself: still too early
        with pytest.raises(ValidationError, match="only after its last day"):
            settlement.settlement_approve(run=q4, user=manager_user)
        settlement_today(date(2027, 1, 4))
        with pytest.raises(ValidationError) as refused:
            settlement.settlement_approve(run=q4, user=manager_user)
        assert refused.value.message_dict == {"period": [self.NOT_RECOMPUTED]}
        q4.refresh_from_db()
        assert q4.status == RunStatus.COMPUTED

    def test_after_recomputing_once_the_period_is_over(self, q4, manager_user, channel_user, settlement_today):
        settlement_today(date(2027, 1, 4))
        settlement.settlement_request(period="2026-Q4", user=channel_user, enqueue=False)
        settlement.settle_now(q4.pk)
        q4.refresh_from_db()
        assert not q4.preliminary and q4.figures_through == date(2026, 12, 31)
        assert settlement.settlement_approve(run=q4, user=manager_user).status == RunStatus.APPROVED

    def test_the_page(self, client, q4, manager_user):
        client.force_login(manager_user)
        page = client.get(f"/commissions/settlements/{q4.pk}/").content.decode()
        assert 'id="review-and-approve"' not in page and self.BEFORE_THE_END in page
        response = client.post(f"/commissions/settlements/{q4.pk}/approve/", follow=True)
        assert self.BEFORE_THE_END in [str(m) for m in response.context["messages"]]
        q4.refresh_from_db()
        assert q4.status == RunStatus.COMPUTED

    def test_the_api(self, api, q4, manager_user):
        response = api(manager_user).post(f"/api/v1/settlements/{q4.pk}/approve/")
        assert response.status_code == 400 and response.json() == {"period": [self.BEFORE_THE_END]}
        q4.refresh_from_db()
        assert q4.status == RunStatus.COMPUTED

    def test_a_run_computed_after_its_end_shows_the_button(self, client, settlement_today, channel_user):
        settlement_today(date(2027, 1, 4))
        run = settlement.settlement_request(period="2026-Q4", user=channel_user, enqueue=False)
        settlement.settle_now(run.pk)
        client.force_login(UserFactory(role="manager"))
        page = client.get(f"/commissions/settlements/{run.pk}/").content.decode()
        assert 'id="review-and-approve"' in page and 'id="approval-refusal"' not in page
