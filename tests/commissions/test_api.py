"""The commission API: settlements (202, four eyes), statements (isolation, CSV), exceptions, query counts."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commissions.models import Dispute, DisputeMessage, RunStatus, SettlementRun, Statement
from ecosystem.roles import Role

from ..factories import AccountFactory, PartnerFactory, ProgramFactory, RuleFactory, UserFactory, won
from ..payments.helpers import details_for
from .helpers import Q3_DAY, approve_body, approved, computed, current_lines, paid_body, plain, run_for

SETTLEMENTS = "/api/v1/settlements/"
STATEMENTS = "/api/v1/statements/"


def csv_text(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


@pytest.mark.django_db
class TestSettlementRuns:
    def test_post_answers_202_with_the_run_and_its_job(self, api, channel_user, partner_a):
        RuleFactory(rate=D("0.1"))
        won(partner_a, "1000.00", Q3_DAY)
        response = api(channel_user).post(SETTLEMENTS, {"period": "2026-q3"}, format="json")
        assert response.status_code == 202, response.content
        body = response.json()
        assert body["period"] == "2026-Q3" and body["status"] == "queued"
        assert body["job"] and body["job_state"] == "queued" and body["run_by"] == "channel"
        job = api(channel_user).get(f"/api/v1/jobs/{body['job']}/")
        assert job.status_code == 200 and job.json()["kind"] == "settlement"

    def test_post_runs_the_computation_after_commit(
        self, api, channel_user, partner_a, django_capture_on_commit_callbacks
    ):
        RuleFactory(rate=D("0.1"))
        won(partner_a, "1234.56", Q3_DAY)
        with django_capture_on_commit_callbacks(execute=True):
            response = api(channel_user).post(SETTLEMENTS, {"period": "2026-Q3"}, format="json")
        run = api(channel_user).get(f"{SETTLEMENTS}{response.json()['id']}/").json()
        assert run["status"] == "computed" and run["total"] == "123.46" and run["line_count"] == 1
        assert run["job_state"] == "succeeded" and run["progress"] == 100

    @pytest.mark.parametrize("period", ["2026-Q5", "2026-13", "Q3", ""])
    def test_a_bad_period_is_a_400(self, api, channel_user, period):
        response = api(channel_user).post(SETTLEMENTS, {"period": period}, format="json")
        assert response.status_code == 400 and "period" in response.json()
        assert not SettlementRun.objects.exists()

    def test_an_approved_period_cannot_be_run_again(self, api, channel_user, partner_a):
        RuleFactory()
        won(partner_a, "100.00", Q3_DAY)
        approved(runner=channel_user)
        response = api(channel_user).post(SETTLEMENTS, {"period": "2026-Q3"}, format="json")
        assert response.status_code == 400 and "approved" in response.json()["period"][0]

    def test_roles(self, api, users, partner_a):
        run = run_for()
        for key in ("partner_admin", "partner_rep", "rep_b"):
            client = api(users[key])
            assert client.post(SETTLEMENTS, {"period": "2026-Q3"}, format="json").status_code == 403
            assert client.get(SETTLEMENTS).status_code == 403
            assert client.get(f"{SETTLEMENTS}{run.pk}/").status_code == 403
            assert client.post(f"{SETTLEMENTS}{run.pk}/approve/").status_code == 403
            assert client.get("/api/v1/settlement-exceptions/").status_code == 403
        assert api(None).post(SETTLEMENTS, {"period": "2026-Q3"}, format="json").status_code == 401
        assert api(users["manager"]).get(SETTLEMENTS).json()["count"] == 1

    def test_four_eyes(self, api, channel_user, manager_user, partner_a, django_capture_on_commit_callbacks):
        details_for(partner_a)  # paid by hand below: a partner without billing details is left out
        RuleFactory(rate=D("0.1"))
        won(partner_a, "1000.00", Q3_DAY)
        with django_capture_on_commit_callbacks(execute=True):
            run_id = api(manager_user).post(SETTLEMENTS, {"period": "2026-Q3"}, format="json").json()["id"]
        # The manager who ran it cannot approve it: 403 with the reason.
        response = api(manager_user).post(f"{SETTLEMENTS}{run_id}/approve/")
        assert response.status_code == 403 and "Four eyes" in response.json()["detail"]
        # The channel team never approves.
        assert api(channel_user).post(f"{SETTLEMENTS}{run_id}/approve/").status_code == 403
        assert SettlementRun.objects.get(pk=run_id).status == RunStatus.COMPUTED
        other = UserFactory(username="finance", role=Role.MANAGER)
        run = SettlementRun.objects.get(pk=run_id)
        response = api(other).post(f"{SETTLEMENTS}{run_id}/approve/", approve_body(run), format="json")
        assert response.status_code == 200
        assert response.json()["status"] == "approved" and response.json()["approved_by"] == "finance"
        # Approving twice, or paying without a reference, is refused; then it is paid.
        assert api(other).post(f"{SETTLEMENTS}{run_id}/approve/", approve_body(run), format="json").status_code == 400
        assert api(channel_user).post(f"{SETTLEMENTS}{run_id}/mark-paid/", {}, format="json").status_code == 400
        response = api(channel_user).post(
            f"{SETTLEMENTS}{run_id}/mark-paid/", paid_body(paid_on=str(date.today())), format="json"
        )
        assert response.status_code == 200 and response.json()["status"] == "paid"
        assert response.json()["payment_reference"] == "VIR-2026-10-01"

    def test_approving_a_run_that_is_not_computed_is_a_400(self, api, channel_user, manager_user):
        run = run_for(user=channel_user)
        response = api(manager_user).post(f"{SETTLEMENTS}{run.pk}/approve/", approve_body(run), format="json")
        assert response.status_code == 400 and "status" in response.json()

    def test_exceptions_are_listed_for_internal_users(self, api, users, partner_a):
        RuleFactory(product_lines=["ai"])
        unpaid = won(partner_a, "700.00", Q3_DAY, product_line="security")
        run = computed(user=users["channel"])
        for key in ("channel", "manager"):
            rows = api(users[key]).get(f"/api/v1/settlement-exceptions/?run={run.pk}").json()["results"]
            assert [(row["opportunity"], row["amount"]) for row in rows] == [(unpaid.pk, "700.00")]
            assert "product line Security not in AI" in plain(rows[0]["reason"])  # the reader's language, labels
            assert rows[0]["reason_parts"]["kind"] == "no_rule_matches"

    def test_finance_export_of_a_run(self, api, channel_user, partner_a, partner_b):
        RuleFactory(rate=D("0.1"))
        won(partner_a, "100.00", Q3_DAY)
        won(partner_b, "200.00", Q3_DAY)
        run = approved(runner=channel_user)
        response = api(channel_user).get(f"{SETTLEMENTS}{run.pk}/export/")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = csv_text(response).lstrip("\ufeff").splitlines()
        assert len(rows) == 3 and rows[0].startswith("partner_siren,partner,period")
        assert {row.split(",")[-1] for row in rows[1:]} == {"10.00", "20.00"}


@pytest.fixture
def two_partners(partner_a, partner_b, channel_user, manager_user):
    """Q3 approved with lines for A and B; Q4 computed only (A sees its own as preliminary)."""
    RuleFactory(rate=D("0.1"))
    won(partner_a, "1000.00", Q3_DAY)
    won(partner_b, "2000.00", Q3_DAY)
    q3 = approved(runner=channel_user, approver=manager_user)
    won(partner_a, "3000.00", date(2026, 11, 2))
    q4 = computed("2026-Q4", user=channel_user)
    return {
        "q3": q3,
        "q4": q4,
        "a_q3": Statement.objects.get(run=q3, partner=partner_a),
        "b_q3": Statement.objects.get(run=q3, partner=partner_b),
        "a_q4": Statement.objects.get(run=q4, partner=partner_a),
    }


@pytest.mark.django_db
class TestStatementIsolation:
    def test_partner_sees_only_its_own_statements_the_preliminary_ones_marked(self, api, users, two_partners):
        for key in ("partner_admin", "partner_rep"):
            client = api(users[key])
            body = client.get(STATEMENTS).json()
            rows = {row["id"]: row for row in body["results"]}
            assert set(rows) == {two_partners["a_q3"].pk, two_partners["a_q4"].pk} and body["count"] == 2
            # Its own statement of the computed Q4 is there, marked not approved yet, with the day its figures stop at.
            assert rows[two_partners["a_q4"].pk]["run_status"] == "computed"
            assert rows[two_partners["a_q4"].pk]["figures_through"] is not None
            assert rows[two_partners["a_q3"].pk]["run_status"] == "approved"
            assert client.get(f"{STATEMENTS}{two_partners['a_q4'].pk}/").status_code == 200
            export = client.get(f"{STATEMENTS}{two_partners['a_q4'].pk}/export/")
            assert export["Content-Disposition"].endswith('-preliminary.csv"')  # never taken for approved figures
            statement = two_partners["b_q3"]
            assert client.get(f"{STATEMENTS}{statement.pk}/").status_code == 404
            assert client.get(f"{STATEMENTS}{statement.pk}/export/").status_code == 404
            # Filters never widen the scope, and an unknown id says nothing.
            # ?partner= is a picker: another partner is refused exactly like a partner that does not exist.
            theirs = client.get(f"{STATEMENTS}?partner={users['rep_b'].partner_id}")
            unknown = client.get(f"{STATEMENTS}?partner=999999")
            assert theirs.status_code == unknown.status_code == 400 and theirs.json() == unknown.json()
            assert client.get(f"{STATEMENTS}?run={two_partners['q4'].pk}").json()["count"] == 1
            assert client.get(f"{STATEMENTS}?run_status=computed").json()["count"] == 1
        body = api(users["rep_b"]).get(STATEMENTS).json()
        assert [row["id"] for row in body["results"]] == [two_partners["b_q3"].pk]

    def test_partner_never_sees_its_statement_while_the_run_is_recomputed(self, api, users, two_partners):
        SettlementRun.objects.filter(pk=two_partners["q4"].pk).update(status=RunStatus.RUNNING)
        client = api(users["partner_rep"])
        assert [row["id"] for row in client.get(STATEMENTS).json()["results"]] == [two_partners["a_q3"].pk]
        assert client.get(f"{STATEMENTS}{two_partners['a_q4'].pk}/").status_code == 404

    def test_detail_has_the_lines_that_explain_themselves(self, api, users, two_partners):
        body = api(users["partner_rep"]).get(f"{STATEMENTS}{two_partners['a_q3'].pk}/").json()
        assert body["total"] == "100.00" and body["period"] == "2026-Q3"
        [line] = body["lines"]
        assert line["base_amount"] == "1000.00" and line["payout"] == "100.00" and line["rate"] == "0.1"
        assert plain(line["explanation"]).endswith("1,000.00 € × 10 % = 100.00 €")  # the request's language
        step = {"kind": "percent", "base": "1000.00", "rate": "10", "value": "100.00"}
        assert line["explanation_parts"]["steps"] == [step]
        assert line["kind"] == "commission" and line["open_dispute"] is None

    def test_internal_users_see_every_statement(self, api, users, two_partners):
        for key in ("channel", "manager"):
            assert api(users[key]).get(STATEMENTS).json()["count"] == 3
            assert api(users[key]).get(f"{STATEMENTS}{two_partners['a_q4'].pk}/").status_code == 200

    def test_statements_are_read_only(self, api, users, two_partners):
        url = f"{STATEMENTS}{two_partners['a_q3'].pk}/"
        for key in ("channel", "partner_admin"):
            assert api(users[key]).patch(url, {"total": "1.00"}, format="json").status_code in (403, 405)
            assert api(users[key]).delete(url).status_code in (403, 405)


@pytest.mark.django_db
def test_statement_csv_exact_content_with_formulas_neutralised(api, admin_a, partner_a, channel_user):
    partner_a.siren = "732829320"
    partner_a.save()
    RuleFactory(name="@SUM(A1)", rate=D("0.08"), product_lines=["ai"])
    first = won(partner_a, "1234.50", date(2026, 7, 2), account=AccountFactory(name="=1+2"))
    second = won(partner_a, "999.99", date(2026, 7, 3), account=AccountFactory(name="Maison Dupont, Lyon"))
    run = approved(runner=channel_user)
    statement = Statement.objects.get(run=run, partner=partner_a)
    response = api(admin_a).get(f"{STATEMENTS}{statement.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="statement-2026-Q3-732829320.csv"'
    assert csv_text(response) == (
        "\ufeffpartner_siren,partner,period,opportunity,account,product_line,amount,rule,calculation,payout\r\n"
        f"732829320,Alpha Intégration,2026-Q3,{first.pk},'=1+2,ai,1234.50,'@SUM(A1),"
        "\"'@SUM(A1): 1,234.50\xa0€ × 8\xa0% = 98.76\xa0€\",98.76\r\n"
        f'732829320,Alpha Intégration,2026-Q3,{second.pk},"Maison Dupont, Lyon",ai,999.99,\'@SUM(A1),'
        "'@SUM(A1): 999.99\xa0€ × 8\xa0% = 80.00\xa0€,80.00\r\n"
    )
    assert statement.total == D("178.76")
    # The page's download is the same file.
    from django.test import Client

    client = Client()
    client.force_login(admin_a)
    page = client.get(f"/commissions/statements/{statement.pk}/export.csv")
    assert csv_text(page) == csv_text(api(admin_a).get(f"{STATEMENTS}{statement.pk}/export/"))


_months = (f"{year}-{month:02d}" for year in range(2000, 2020) for month in range(1, 13))


def _populate(count: int, period: str, channel_user, manager_user, program):
    """``count`` of everything: partners with a paid deal, an unpaid deal (an exception) and a disputed
    line in an approved run of ``period``; programs; rules; runs."""
    from ecosystem.periods import parse_period

    day = parse_period(period).start
    for partner in PartnerFactory.create_batch(count):
        won(partner, "1000.00", day)
        won(partner, "50.00", day, product_line="security")
    run = approved(period, runner=channel_user, approver=manager_user)
    for line in current_lines(run):
        admin = UserFactory(role=Role.PARTNER_ADMIN, partner_id=line.partner_id)
        dispute = Dispute.objects.create(line=line, opened_by=admin)
        DisputeMessage.objects.create(dispute=dispute, author=admin, body="Why?")
        DisputeMessage.objects.create(dispute=dispute, author=channel_user, body="Because.")
    for index in range(count):
        ProgramFactory(name=f"{period} program {index}")
        RuleFactory(program=program, name=f"{period} rule {index}", product_lines=["data"])
        run_for(next(_months))


@pytest.mark.django_db
def test_list_query_counts_do_not_grow_with_rows(api, channel_user, manager_user):
    program = ProgramFactory()
    RuleFactory(program=program, rate=D("0.1"), product_lines=["ai"])
    endpoints = [
        "/api/v1/commission-programs/",
        "/api/v1/commission-rules/",
        SETTLEMENTS,
        STATEMENTS,
        "/api/v1/disputes/",
        "/api/v1/settlement-exceptions/",
    ]
    client = api(channel_user)

    def counts():
        result = {}
        for url in endpoints:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result[url] = len(queries)
        return result

    _populate(2, "2026-Q1", channel_user, manager_user, program)
    small = counts()
    _populate(18, "2026-Q2", channel_user, manager_user, program)
    sizes = {url: client.get(url).json()["count"] for url in endpoints}
    assert all(size >= 20 for size in sizes.values()), sizes
    assert counts() == small
