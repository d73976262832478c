"""Approval is a review (SPEC §4.3): the run against the previous period, its lines by kind, the
biggest changes per partner, exceptions and open disputes; the reviewer confirms the total they saw,
acknowledges the exceptions, and a run changed since the review is refused."""

from datetime import date
from decimal import Decimal as D

import pytest

from audit.models import AuditEvent
from commissions import adjusting, review, settlement
from commissions.models import Dispute, RunStatus, SettlementRun
from opportunities.models import Stage

from ..factories import RuleFactory, UserFactory, won
from .helpers import approve_body, approve_on_page, approved, computed, current_lines

SETTLEMENTS = "/api/v1/settlements/"


@pytest.fixture
def finance(db):
    return UserFactory(username="finance", role="manager")


@pytest.fixture
def quarters(partner_a, partner_b, channel_user, manager_user):
    """Q2 approved (A 100, B 200); then a Q2 deal of A is lost; Q3 computed by the channel team:
    A 1 100 000 (an 11 M€ deal at 10 %), B 300, A's Q2 clawback −100, and an exception of B."""
    RuleFactory(rate=D("0.1"), product_lines=["ai"])
    lost = won(partner_a, "1000.00", date(2026, 5, 10))
    won(partner_b, "2000.00", date(2026, 5, 11))
    q2 = approved("2026-Q2", runner=channel_user, approver=manager_user)
    lost.stage = Stage.LOST
    lost.save()
    won(partner_a, "11000000.00", date(2026, 8, 1))
    won(partner_b, "3000.00", date(2026, 8, 2))
    won(partner_b, "500.00", date(2026, 8, 3), product_line="security")  # no rule pays it
    q3 = computed("2026-Q3", user=channel_user)
    return {"q2": q2, "q3": q3}


@pytest.mark.django_db
class TestFailure3ApprovalIsAReview:
    """Issue 13, failure 3: "a manager approves 11 M€ in one click, with open exceptions, no comparison
    with anything". Now the click alone is refused, the review shows the comparison, and approving
    takes the total seen and the exceptions acknowledged."""

    def test_one_click_is_refused_on_the_api(self, api, quarters, finance):
        q3 = quarters["q3"]
        assert q3.total == D("1100200.00")  # 1 100 000 + 300 − 100 (the clawback of A's lost Q2 deal)
        response = api(finance).post(f"{SETTLEMENTS}{q3.pk}/approve/")
        assert response.status_code == 400
        assert set(response.json()) >= {"confirmed_total", "review_token"}
        q3.refresh_from_db()
        assert q3.status == RunStatus.COMPUTED

    def test_one_click_is_refused_on_the_page(self, client, quarters, finance):
        q3 = quarters["q3"]
        client.force_login(finance)
        response = client.post(f"/commissions/settlements/{q3.pk}/approve/")
        assert response.status_code == 400
        page = response.content.decode()
        assert "Confirm the total you reviewed." in page and 'id="review-comparison"' in page
        q3.refresh_from_db()
        assert q3.status == RunStatus.COMPUTED

    def test_exceptions_must_be_acknowledged(self, api, quarters, finance):
        q3 = quarters["q3"]
        assert q3.exception_count == 1
        body = approve_body(q3, acknowledge_exceptions=False)
        response = api(finance).post(f"{SETTLEMENTS}{q3.pk}/approve/", body, format="json")
        assert response.status_code == 400 and "acknowledge" in response.json()["acknowledge_exceptions"][0]
        response = api(finance).post(f"{SETTLEMENTS}{q3.pk}/approve/", approve_body(q3), format="json")
        assert response.status_code == 200 and response.json()["status"] == "approved"

    def test_the_total_confirmed_must_be_the_runs(self, api, quarters, finance):
        q3 = quarters["q3"]
        body = approve_body(q3, confirmed_total="1100000.00")
        response = api(finance).post(f"{SETTLEMENTS}{q3.pk}/approve/", body, format="json")
        assert response.status_code == 400
        assert "You confirmed 1 100 000.00 € but the run's total is" in response.json()["confirmed_total"][0]
        assert SettlementRun.objects.get(pk=q3.pk).status == RunStatus.COMPUTED

    def test_the_review_compares_with_the_previous_period(self, api, quarters, finance, partner_a, partner_b):
        q2, q3 = quarters["q2"], quarters["q3"]
        body = api(finance).get(f"{SETTLEMENTS}{q3.pk}/review/").json()
        assert body["period"] == "2026-Q3" and body["previous_period"] == "2026-Q2"
        assert body["total"] == str(q3.total) and body["previous_total"] == "300.00"
        assert D(body["change"]) == q3.total - D("300.00")
        assert body["partners"] == 2 and body["previous_partners"] == 2
        assert body["commission"] == {"count": 2, "total": "1100300.00"}
        assert body["clawbacks"] == {"count": 1, "total": "-100.00"}
        assert body["adjustments"] == {"count": 0, "total": "0.00"}
        assert body["manual"] == {"count": 0, "total": "0.00"}
        # A's statement grew the most: first among the biggest changes.
        first = body["biggest_changes"][0]
        assert (first["partner"], first["previous"], first["total"]) == (partner_a.pk, "100.00", "1099900.00")
        assert {row["partner"] for row in body["biggest_changes"]} == {partner_a.pk, partner_b.pk}
        assert body["exception_count"] == 1 and body["exceptions"][0]["amount"] == "500.00"
        assert body["needs_acknowledgement"] is True and body["review_token"] == review.token_of(q3)
        assert q2.period == body["previous_period"]

    def test_the_review_page_shows_it_all(self, client, quarters, finance, partner_a):
        q3 = quarters["q3"]
        client.force_login(finance)
        page = client.get(f"/commissions/settlements/{q3.pk}/approve/").content.decode()
        for fragment in (
            'id="review-comparison"', 'id="review-lines"', 'id="review-changes"', 'id="review-exceptions"',
            'id="review-disputes"', 'id="approve-form"', 'name="acknowledge_exceptions"', partner_a.name,
        ):  # fmt: skip
            assert fragment in page, fragment

    def test_approving_as_reviewed_on_the_page_with_a_total_typed_the_french_way(self, client, quarters, finance):
        q3 = quarters["q3"]
        client.force_login(finance)
        typed = f"{q3.total:,.2f}".replace(",", " ").replace(".", ",")  # "1 100 200,00"
        body = {"confirmed_total": typed, "review_token": review.token_of(q3), "acknowledge_exceptions": "on"}
        response = client.post(f"/commissions/settlements/{q3.pk}/approve/", body)
        assert response.status_code == 302
        q3.refresh_from_db()
        assert q3.status == RunStatus.APPROVED and q3.approved_by == finance
        event = AuditEvent.objects.get(kind="settlement.reviewed")
        assert event.detail["confirmed_total"] == str(q3.total) and event.detail["previous_total"] == "300.00"
        assert event.detail["exceptions_acknowledged"] == 1


@pytest.mark.django_db
class TestARunChangedSinceTheReview:
    def test_a_recomputed_run_is_refused(self, api, quarters, finance, channel_user):
        q3 = quarters["q3"]
        seen = approve_body(q3)
        settlement.settle_now(q3.pk)  # recomputed (same figures, another attempt)
        response = api(finance).post(f"{SETTLEMENTS}{q3.pk}/approve/", seen, format="json")
        assert response.status_code == 400
        assert "changed since you reviewed it" in response.json()["review_token"][0]
        assert SettlementRun.objects.get(pk=q3.pk).status == RunStatus.COMPUTED
        assert api(finance).post(f"{SETTLEMENTS}{q3.pk}/approve/", approve_body(q3), format="json").status_code == 200

    def test_a_run_adjusted_since_is_refused(self, api, quarters, finance, channel_user, partner_b):
        q3 = quarters["q3"]
        seen = approve_body(q3)
        deal = q3.exceptions.first().opportunity
        adjusting.adjustment_create(run=q3, user=channel_user, amount="50", reason="Goodwill", opportunity=deal)
        response = api(finance).post(f"{SETTLEMENTS}{q3.pk}/approve/", seen, format="json")
        assert response.status_code == 400 and "review_token" in response.json()
        [listed] = api(finance).get(f"{SETTLEMENTS}{q3.pk}/review/").json()["manual_adjustments"]
        assert (listed["amount"], listed["reason"], listed["created_by"]) == ("50.00", "Goodwill", "channel")

    def test_the_page_shows_the_review_again_with_its_new_token(self, client, quarters, finance):
        q3 = quarters["q3"]
        client.force_login(finance)
        seen = approve_body(q3)
        settlement.settle_now(q3.pk)
        response = approve_on_page(client, q3, review_token=seen["review_token"])
        assert response.status_code == 400 and "changed since you reviewed it" in response.content.decode()
        q3.refresh_from_db()
        assert review.token_of(q3) in response.content.decode()


@pytest.mark.django_db
class TestWhatTheReviewWarnsAbout:
    def test_quotas_changed_after_the_computation(self, api, quarters, finance, channel_user, partner_a):
        q3 = quarters["q3"]
        from commissions.quotas import quota_create

        quota_create(partner=partner_a, period="2026-Q3", amount="5000000", user=channel_user)
        body = api(finance).get(f"{SETTLEMENTS}{q3.pk}/review/").json()
        assert body["quotas_changed"] == 1
        settlement.settle_now(q3.pk)
        assert api(finance).get(f"{SETTLEMENTS}{q3.pk}/review/").json()["quotas_changed"] == 0

    def test_open_disputes_are_listed(self, api, quarters, finance, admin_a, partner_a):
        line = current_lines(quarters["q2"]).get(partner=partner_a)
        dispute = Dispute.objects.create(line=line, opened_by=admin_a)
        body = api(finance).get(f"{SETTLEMENTS}{quarters['q3'].pk}/review/").json()
        assert body["open_dispute_count"] == 1 and body["open_disputes"][0]["id"] == dispute.pk

    def test_no_previous_run_to_compare_with(self, api, partner_a, channel_user, finance):
        RuleFactory(rate=D("0.1"))
        won(partner_a, "1000.00", date(2026, 8, 1))
        run = computed("2026-Q3", user=channel_user)
        body = api(finance).get(f"{SETTLEMENTS}{run.pk}/review/").json()
        assert body["previous_period"] is None and body["previous_total"] is None and body["change"] is None
        response = api(finance).post(
            f"{SETTLEMENTS}{run.pk}/approve/", approve_body(run, acknowledge_exceptions=False), format="json"
        )
        assert response.status_code == 200  # no exception: nothing to acknowledge

    def test_who_may_review_and_approve(self, api, client, quarters, users, finance):
        q3 = quarters["q3"]
        assert api(users["channel"]).get(f"{SETTLEMENTS}{q3.pk}/review/").status_code == 200
        for key in ("partner_admin", "partner_rep"):
            assert api(users[key]).get(f"{SETTLEMENTS}{q3.pk}/review/").status_code == 403
        body = approve_body(q3)
        assert api(users["channel"]).post(f"{SETTLEMENTS}{q3.pk}/approve/", body, format="json").status_code == 403
        client.force_login(users["channel"])
        page = client.get(f"/commissions/settlements/{q3.pk}/approve/")
        assert page.status_code == 200 and 'id="approve-form"' not in page.content.decode()
        assert approve_on_page(client, q3).status_code == 403
        assert SettlementRun.objects.get(pk=q3.pk).status == RunStatus.COMPUTED


@pytest.mark.django_db
def test_the_token_changes_with_what_the_reviewer_saw():
    run = SettlementRun(pk=1, status="computed", committed_attempt=1, total=D("10.00"), line_count=1)
    run.exception_count = 0
    first = review.token_of(run)
    run.committed_attempt = 2
    assert review.token_of(run) != first
