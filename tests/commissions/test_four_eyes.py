"""Four eyes on every path (SPEC §4.3): whoever requested or computed a run — on the page, through the
API, with ``manage.py settle``, or the job they started — is recorded and can never approve it, on
the service, the page or the API; a run with no recorded requester cannot be approved.

Failure 6 of issue 13: ``settle 2026-Q3 --here --as someone`` recorded nobody, so the person who
computed the run could approve it.
"""

from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from commissions import settlement
from commissions.models import RunStatus, SettlementRun
from ecosystem.roles import Role

from ..factories import RuleFactory, UserFactory, won
from .helpers import Q3_DAY, run_for

pytestmark = pytest.mark.django_db

FOUR_EYES = "Four eyes: you requested or computed this settlement, another manager must approve it."


@pytest.fixture
def deal(partner_a):
    RuleFactory(rate=D("0.1"))
    return won(partner_a, "1000.00", Q3_DAY)


def settle(*args):
    out = StringIO()
    call_command("settle", *args, stdout=out)
    return out.getvalue()


def cannot_approve_anywhere(run, user, client, api):
    """``user`` is refused on the service, the page (403) and the API (403); the run stays computed."""
    with pytest.raises(ValidationError) as refused:
        settlement.settlement_approve(run=run, user=user)
    assert refused.value.message_dict == {"approved_by": [FOUR_EYES]}
    client.force_login(user)
    page = client.get(f"/commissions/settlements/{run.pk}/").content.decode()
    assert 'id="review-and-approve"' not in page and FOUR_EYES in page
    assert client.post(f"/commissions/settlements/{run.pk}/approve/").status_code == 403
    response = api(user).post(f"/api/v1/settlements/{run.pk}/approve/")
    assert response.status_code == 403 and response.json() == {"detail": FOUR_EYES}
    run.refresh_from_db()
    assert run.status == RunStatus.COMPUTED and run.approved_by is None


class TestTheSettleCommand:
    def test_failure_6_the_user_named_by_as_is_recorded_and_cannot_approve(self, deal, client, api):
        someone = UserFactory(username="someone", role=Role.MANAGER)
        out = settle("2026-Q3", "--here", "--as", "someone")
        assert "2026-Q3: computed" in out and "requested by someone" in out
        run = SettlementRun.objects.get(period="2026-Q3")
        assert run.run_by == someone and list(run.requesters.all()) == [someone]
        assert run.job.created_by == someone
        cannot_approve_anywhere(run, someone, client, api)
        assert settlement.settlement_approve(run=run, user=UserFactory(role=Role.MANAGER)).status == "approved"

    def test_without_here_the_job_records_the_requester(self, deal, django_capture_on_commit_callbacks):
        channel = UserFactory(username="ops", role=Role.CHANNEL)
        with django_capture_on_commit_callbacks(execute=True):
            settle("2026-Q3", "--as", "ops")
        run = SettlementRun.objects.get(period="2026-Q3")
        assert run.status == RunStatus.COMPUTED and run.run_by == channel and run.job.created_by == channel

    def test_as_is_required(self, deal):
        with pytest.raises(CommandError, match="--as"):
            settle("2026-Q3", "--here")
        assert not SettlementRun.objects.exists()

    @pytest.mark.parametrize(
        ("user", "message"),
        [
            (None, "No user named ghost."),
            ({"role": Role.MANAGER, "is_active": False}, "ghost is deactivated"),
            ({"role": Role.PARTNER_ADMIN, "partner": "a"}, "ghost is not in the channel team or a manager"),
        ],
        ids=["unknown", "inactive", "partner user"],
    )
    def test_refused_users(self, deal, partner_a, user, message):
        if user is not None:
            UserFactory(username="ghost", **{**user, **({"partner": partner_a} if "partner" in user else {})})
        with pytest.raises(CommandError, match=message):
            settle("2026-Q3", "--here", "--as", "ghost")
        assert not SettlementRun.objects.exists()


class TestEveryPathRecordsTheRequester:
    def test_the_page(self, deal, client, api, django_capture_on_commit_callbacks):
        manager = UserFactory(role=Role.MANAGER)
        client.force_login(manager)
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/commissions/settlements/run/", {"period": "2026-Q3"})
        run = SettlementRun.objects.get(period="2026-Q3")
        assert run.status == RunStatus.COMPUTED and run.run_by == manager and run.job.created_by == manager
        cannot_approve_anywhere(run, manager, client, api)

    def test_the_api(self, deal, client, api, django_capture_on_commit_callbacks):
        manager = UserFactory(role=Role.MANAGER)
        with django_capture_on_commit_callbacks(execute=True):
            response = api(manager).post("/api/v1/settlements/", {"period": "2026-Q3"}, format="json")
        run = SettlementRun.objects.get(pk=response.json()["id"])
        assert run.status == RunStatus.COMPUTED and run.run_by == manager
        cannot_approve_anywhere(run, manager, client, api)

    def test_an_earlier_requester_stays_recorded_after_a_recomputation(self, deal, client, api):
        first, channel = UserFactory(role=Role.MANAGER), UserFactory(role=Role.CHANNEL)
        for user in (first, channel):
            run = settlement.settlement_request(period="2026-Q3", user=user, enqueue=False)
            settlement.settle_now(run.pk)
        run.refresh_from_db()
        assert run.run_by == channel and set(run.requesters.all()) == {first, channel}
        cannot_approve_anywhere(run, first, client, api)


class TestNoRecordedRequester:
    NOBODY = (
        "No one is recorded as having requested this run, so four eyes cannot be checked: recompute it "
        "(page, API or settle --as USER), then another manager approves it."
    )

    @pytest.fixture
    def run(self, deal):
        run = run_for("2026-Q3", user=None)  # computed past every path that records its requester
        settlement.settle_now(run.pk)
        run.refresh_from_db()
        assert run.status == RunStatus.COMPUTED and run.run_by is None
        return run

    def test_cannot_be_approved(self, run, manager_user, client, api):
        with pytest.raises(ValidationError) as refused:
            settlement.settlement_approve(run=run, user=manager_user)
        assert refused.value.message_dict == {"run_by": [self.NOBODY]}
        client.force_login(manager_user)
        page = client.get(f"/commissions/settlements/{run.pk}/").content.decode()
        assert 'id="review-and-approve"' not in page and self.NOBODY in page
        response = client.post(f"/commissions/settlements/{run.pk}/approve/", follow=True)
        assert self.NOBODY in [str(m) for m in response.context["messages"]]
        response = api(manager_user).post(f"/api/v1/settlements/{run.pk}/approve/")
        assert response.status_code == 400 and response.json() == {"run_by": [self.NOBODY]}
        run.refresh_from_db()
        assert run.status == RunStatus.COMPUTED

    def test_the_service_refuses_to_record_nobody(self, deal):
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            settlement.settlement_request(period="2026-Q3", user=None)
        assert not SettlementRun.objects.exists()


def test_a_run_computed_before_an_earlier_period_was_approved_is_recomputed_first(partner_a, channel_user):
    """Its diff did not see that period's lines: approving it could pay the same correction twice."""
    RuleFactory(rate=D("0.1"))
    deal = won(partner_a, "1000.00", Q3_DAY)
    manager = UserFactory(role=Role.MANAGER)
    q3 = settlement.settlement_request(period="2026-Q3", user=channel_user, enqueue=False)
    settlement.settle_now(q3.pk)
    q4 = settlement.settlement_request(period="2026-Q4", user=channel_user, enqueue=False)
    settlement.settle_now(q4.pk)  # Q3 is not approved yet: no diff of Q3 in Q4
    q3.refresh_from_db()
    settlement.settlement_approve(run=q3, user=manager)
    deal.amount = D("2000.00")
    deal.save()
    q4.refresh_from_db()
    with pytest.raises(ValidationError, match="2026-Q3 was approved after this run was computed"):
        settlement.settlement_approve(run=q4, user=manager)
    settlement.settlement_request(period="2026-Q4", user=channel_user, enqueue=False)
    settlement.settle_now(q4.pk)
    q4.refresh_from_db()
    assert q4.total == D("100.00")  # the correction of Q3, now in
    assert settlement.settlement_approve(run=q4, user=manager).status == RunStatus.APPROVED
