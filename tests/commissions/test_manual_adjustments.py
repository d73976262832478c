"""Manual adjustments (SPEC §4.3): the channel team adds a line (amount, reason, the deal or line it
relates to) to a run that is not approved; audited, explained (reason and who), in the statement and
the run's totals, kept when the run is recomputed, refused on approved runs."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from commissions import adjusting, settlement
from commissions.models import LineKind, ManualAdjustment, PayoutLine, RunStatus, Statement

from ..factories import DirectOpportunityFactory, OpportunityFactory, PartnerFactory, RuleFactory, UserFactory, won
from .helpers import Q3_DAY, approved, computed, current_lines

ADJUSTMENTS = "/api/v1/manual-adjustments/"


@pytest.fixture(params=["reference", "sql"])
def engine(request, settings):
    if request.param == "sql" and connection.vendor != "postgresql":
        pytest.skip("the SQL engine runs on PostgreSQL only")
    settings.SETTLEMENT_SQL_ENGINE = request.param == "sql"
    return request.param


@pytest.fixture
def q3(partner_a, channel_user):
    """Q3 computed: A has one deal (1 000 × 10 % = 100)."""
    RuleFactory(rate=D("0.1"))
    deal = won(partner_a, "1000.00", Q3_DAY)
    run = computed(user=channel_user)
    return {"run": run, "deal": deal}


def add(api, user, run, **body):
    return api(user).post(ADJUSTMENTS, {"run": run.pk, **body}, format="json")


@pytest.mark.django_db
class TestAddingALine:
    def test_on_the_api_it_is_in_the_statement_and_the_totals_at_once(self, api, engine, q3, channel_user, partner_a):
        run = q3["run"]
        response = add(
            api,
            channel_user,
            run,
            opportunity=q3["deal"].pk,
            amount="-30.00",
            reason="Shared deal: 30 % to another partner",
        )
        assert response.status_code == 201, response.content
        assert response.json()["partner"] == partner_a.pk and response.json()["period"] == "2026-Q3"
        run.refresh_from_db()
        assert run.total == D("70.00") and run.line_count == 2
        statement = Statement.objects.current().get(run=run, partner=partner_a)
        assert statement.total == D("70.00") and statement.line_count == 2
        line = current_lines(run).get(kind=LineKind.MANUAL)
        assert line.payout == D("-30.00") and line.opportunity == q3["deal"] and line.rule is None
        assert "Shared deal: 30 % to another partner" in line.explanation and "channel" in line.explanation
        event = AuditEvent.objects.get(kind="settlement.manual_adjustment")
        assert event.detail["amount"] == "-30.00" and event.actor == channel_user

    def test_recomputing_the_run_keeps_it(self, engine, q3, channel_user, partner_a):
        run = q3["run"]
        adjusting.adjustment_create(run=run, user=channel_user, amount="25", reason="Bonus", opportunity=q3["deal"])
        settlement.settle_now(run.pk)
        run.refresh_from_db()
        assert run.total == D("125.00") and run.line_count == 2
        assert [line.kind for line in current_lines(run).order_by("kind")] == ["commission", "manual"]
        assert sum(line.payout for line in current_lines(run)) == run.total  # a total is the sum of its lines

    def test_a_partner_with_nothing_but_an_adjustment_gets_a_statement(self, api, engine, q3, channel_user):
        other = PartnerFactory(name="Gamma Conseil")
        deal = OpportunityFactory(partner=other)  # not won: no commission anywhere
        assert (
            add(api, channel_user, q3["run"], opportunity=deal.pk, amount="500", reason="Marketing fund").status_code
            == 201
        )
        assert Statement.objects.current().get(run=q3["run"], partner=other).total == D("500.00")
        settlement.settle_now(q3["run"].pk)
        assert Statement.objects.current().get(run=q3["run"], partner=other).total == D("500.00")

    def test_on_the_page(self, client, q3, channel_user, partner_a):
        run = q3["run"]
        client.force_login(channel_user)
        page = client.get(f"/commissions/settlements/{run.pk}/").content.decode()
        assert 'id="add-adjustment"' in page
        response = client.post(
            f"/commissions/settlements/{run.pk}/adjustments/new/",
            {"opportunity": q3["deal"].pk, "amount": "12,50", "reason": "Late invoice"},
        )
        assert response.status_code == 302
        page = client.get(f"/commissions/settlements/{run.pk}/").content.decode()
        assert "Late invoice" in page and 'id="manual-adjustments"' in page
        statement = Statement.objects.current().get(run=run, partner=partner_a)
        page = client.get(f"/commissions/statements/{statement.pk}/").content.decode()
        assert "manual adjustment" in page and "Late invoice" in page

    def test_naming_an_approved_line_charges_its_partner_and_points_at_it(
        self, api, partner_a, partner_b, channel_user, manager_user
    ):
        RuleFactory(rate=D("0.1"))
        deal = won(partner_a, "1000.00", Q3_DAY)
        q3 = approved(runner=channel_user, approver=manager_user)
        line = current_lines(q3).get()
        deal.partner = partner_b  # the deal moved since: the line's partner bears the correction
        deal.save()
        q4 = computed("2026-Q4", user=channel_user)
        response = add(api, channel_user, q4, line=line.pk, amount="-100.00", reason="Paid to the wrong partner")
        assert response.status_code == 201, response.content
        manual = current_lines(q4).get(kind=LineKind.MANUAL)
        assert manual.partner == partner_a and manual.corrects == line and manual.rule == line.rule


@pytest.mark.django_db
class TestRefusals:
    def test_refused_on_an_approved_run(self, api, client, partner_a, channel_user, manager_user):
        RuleFactory(rate=D("0.1"))
        deal = won(partner_a, "1000.00", Q3_DAY)
        run = approved(runner=channel_user, approver=manager_user)
        response = add(api, channel_user, run, opportunity=deal.pk, amount="5", reason="Too late")
        assert response.status_code == 400 and "approved" in response.json()["run"][0]
        client.force_login(channel_user)
        assert 'id="add-adjustment"' not in client.get(f"/commissions/settlements/{run.pk}/").content.decode()
        response = client.post(
            f"/commissions/settlements/{run.pk}/adjustments/new/",
            {"opportunity": deal.pk, "amount": "5", "reason": "x"},
        )
        assert response.status_code == 200 and "is approved: it never changes" in response.content.decode()
        assert not ManualAdjustment.objects.exists() and PayoutLine.objects.filter(run=run).count() == 1

    def test_refused_while_the_run_is_computed(self, api, q3, channel_user):
        type(q3["run"]).objects.filter(pk=q3["run"].pk).update(status=RunStatus.RUNNING)
        response = add(api, channel_user, q3["run"], opportunity=q3["deal"].pk, amount="5", reason="x")
        assert response.status_code == 400 and "being computed" in response.json()["run"][0]

    def test_a_line_of_a_run_not_approved_cannot_be_named(self, api, q3, channel_user):
        line = current_lines(q3["run"]).get()
        response = add(api, channel_user, q3["run"], line=line.pk, amount="5", reason="x")
        assert response.status_code == 400 and "line" in response.json()

    def test_direct_business_has_no_partner_to_pay(self, api, q3, channel_user):
        response = add(api, channel_user, q3["run"], opportunity=DirectOpportunityFactory().pk, amount="5", reason="x")
        assert response.status_code == 400 and "opportunity" in response.json()

    def test_zero_and_missing_reason(self, api, q3, channel_user):
        response = add(api, channel_user, q3["run"], opportunity=q3["deal"].pk, amount="0.00", reason="x")
        assert response.status_code == 400 and "amount" in response.json()
        response = add(api, channel_user, q3["run"], opportunity=q3["deal"].pk, amount="1.00", reason="  ")
        assert response.status_code == 400 and "reason" in response.json()

    def test_only_the_channel_team_adds_internal_users_read(self, api, users, q3):
        for key in ("manager", "partner_admin", "partner_rep"):
            response = add(api, users[key], q3["run"], opportunity=q3["deal"].pk, amount="5", reason="x")
            assert response.status_code == 403
        adjusting.adjustment_create(
            run=q3["run"], user=users["channel"], amount="5", reason="x", opportunity=q3["deal"]
        )
        assert api(users["manager"]).get(ADJUSTMENTS).json()["count"] == 1
        for key in ("partner_admin", "partner_rep"):
            assert api(users[key]).get(ADJUSTMENTS).status_code == 403
        with pytest.raises(Exception, match="channel team"):
            adjusting.adjustment_create(
                run=q3["run"], user=UserFactory(role="manager"), amount="5", reason="x", opportunity=q3["deal"]
            )


@pytest.mark.django_db
def test_the_partner_reads_the_line_with_its_reason_on_its_statement(api, q3, channel_user, rep_a, partner_a):
    adjusting.adjustment_create(
        run=q3["run"], user=channel_user, amount="-10", reason="Duplicate of deal 42", opportunity=q3["deal"]
    )
    statement = Statement.objects.current().get(run=q3["run"], partner=partner_a)
    lines = api(rep_a).get(f"/api/v1/statements/{statement.pk}/").json()["lines"]
    manual = [line for line in lines if line["kind"] == "manual"]
    assert len(manual) == 1 and manual[0]["payout"] == "-10.00" and manual[0]["rule_name"] is None
    assert "Duplicate of deal 42" in manual[0]["explanation"]
    # Dated by the day it was added, as the reader (English here) writes dates.
    assert timezone.localdate().strftime("%m/%d/%Y") in manual[0]["explanation"]
    assert manual[0]["explanation_parts"]["on"] == timezone.localdate().isoformat()
    export = b"".join(api(rep_a).get(f"/api/v1/statements/{statement.pk}/export/").streaming_content).decode()
    assert any(row.endswith(",-10.00") for row in export.splitlines())  # an amount, never a formula-prefixed text
