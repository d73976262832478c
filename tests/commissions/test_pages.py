"""Commission pages for each role, and the whole quarter end to end through the browser's requests."""

import re
from datetime import date
from decimal import Decimal as D

import pytest

from commissions.models import Dispute, LineKind, PayoutLine, RunStatus, SettlementRun, Statement
from opportunities.models import Stage

from ..factories import RuleFactory, UserFactory, won
from ..payments.helpers import details_for
from .helpers import Q3_DAY, approve_on_page, approved, computed, current_lines, plain

ROLES = ("channel", "manager", "partner_admin", "partner_rep", "rep_b")


@pytest.fixture
def world(users, partner_a, partner_b):
    rule = RuleFactory(rate=D("0.1"), product_lines=["ai"])
    won(partner_a, "1000.00", Q3_DAY)
    won(partner_b, "2000.00", Q3_DAY)
    won(partner_b, "300.00", Q3_DAY, product_line="security")  # an exception
    q3 = approved(runner=users["channel"], approver=users["manager"])
    won(partner_a, "500.00", date(2026, 11, 2))
    q4 = computed("2026-Q4", user=users["channel"])
    line_a = current_lines(q3).get(partner=partner_a)
    dispute = Dispute.objects.create(line=line_a, opened_by=users["partner_admin"])
    dispute.messages.create(author=users["partner_admin"], body="Why 10 %?")
    return {
        "rule": rule,
        "program": rule.program,
        "q3": q3,
        "q4": q4,
        "a_q3": Statement.objects.get(run=q3, partner=partner_a),
        "b_q3": Statement.objects.get(run=q3, partner=partner_b),
        "a_q4": Statement.objects.get(run=q4, partner=partner_a),
        "line_a": line_a,
        "line_b": current_lines(q3).get(partner=partner_b),
        "dispute": dispute,
    }


def expected_pages(w):
    """(url, statuses by role in ROLES order). 403: the role may not; 404: outside the user's scope."""
    internal_only = (200, 200, 403, 403, 403)
    channel_only = (200, 403, 403, 403, 403)
    return [
        ("/commissions/programs/", internal_only),
        (f"/commissions/programs/{w['program'].pk}/", internal_only),
        ("/commissions/programs/new/", channel_only),
        (f"/commissions/programs/{w['program'].pk}/edit/", channel_only),
        (f"/commissions/programs/{w['program'].pk}/rules/new/", channel_only),
        (f"/commissions/rules/{w['rule'].pk}/", internal_only),
        (f"/commissions/rules/{w['rule'].pk}/revise/", channel_only),
        ("/commissions/settlements/", internal_only),
        (f"/commissions/settlements/{w['q3'].pk}/", internal_only),
        (f"/commissions/settlements/{w['q3'].pk}/export.csv", internal_only),
        ("/commissions/exceptions/", internal_only),
        ("/commissions/statements/", (200, 200, 200, 200, 200)),
        (f"/commissions/statements/{w['a_q3'].pk}/", (200, 200, 200, 200, 404)),
        (f"/commissions/statements/{w['a_q3'].pk}/export.csv", (200, 200, 200, 200, 404)),
        (f"/commissions/statements/{w['b_q3'].pk}/", (200, 200, 404, 404, 200)),
        (f"/commissions/statements/{w['a_q4'].pk}/", (200, 200, 200, 200, 404)),  # computed: A's, preliminary
        (f"/commissions/statements/{w['a_q4'].pk}/export.csv", (200, 200, 200, 200, 404)),
        (f"/commissions/lines/{w['line_b'].pk}/dispute/", (403, 403, 404, 403, 403)),
        ("/commissions/disputes/", (200, 200, 200, 200, 200)),
        (f"/commissions/disputes/{w['dispute'].pk}/", (200, 200, 200, 200, 404)),
        ("/commissions/estimate/", (200, 200, 200, 200, 200)),
    ]


@pytest.mark.django_db
def test_pages_answer_each_role_as_they_should(client, users, world):
    for url, statuses in expected_pages(world):
        for role, status in zip(ROLES, statuses, strict=True):
            client.force_login(users[role])
            assert client.get(url).status_code == status, (url, role)
    client.logout()
    response = client.get("/commissions/statements/")
    assert response.status_code == 302 and "/auth/login/" in response["Location"]


@pytest.mark.django_db
def test_pages_show_nothing_of_another_partner(client, users, world, partner_b):
    client.force_login(users["partner_rep"])
    for url in ("/commissions/statements/", "/commissions/disputes/", f"/commissions/statements/{world['a_q3'].pk}/"):
        page = client.get(url).content.decode()
        assert partner_b.name not in page, url
    client.force_login(users["rep_b"])
    for url in ("/commissions/statements/", "/commissions/disputes/"):
        page = client.get(url).content.decode()
        assert "Why 10 %?" not in page and "Alpha" not in page, url
    assert "Alpha" not in client.get(f"/commissions/statements/?partner={world['a_q3'].partner_id}").content.decode()


@pytest.mark.django_db
def test_pages_follow_the_content_security_policy(client, users, world):
    """No inline script or style: the CSP forbids them."""
    for role in ROLES:
        client.force_login(users[role])
        for url, _statuses in expected_pages(world):
            response = client.get(url)
            if response.status_code != 200 or response["Content-Type"].startswith("text/csv"):
                continue
            html = response.content.decode()
            assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
            assert " style=" not in html and "<style" not in html, url
            assert " onclick=" not in html and "javascript:" not in html, url


@pytest.mark.django_db
def test_nav_links_for_each_role(client, users, world):
    links = {
        "channel": ["/commissions/programs/", "/commissions/settlements/", "/commissions/disputes/"],
        "manager": ["/commissions/settlements/"],
        "partner_admin": ["/commissions/statements/", "/commissions/estimate/"],
    }
    for role, urls in links.items():
        client.force_login(users[role])
        page = client.get("/commissions/statements/").content.decode()
        for url in urls:
            assert f'href="{url}"' in page, (role, url)


@pytest.mark.django_db
class TestSettlementPages:
    def test_run_form_queues_and_shows_progress(self, client, users, partner_a, django_capture_on_commit_callbacks):
        RuleFactory(rate=D("0.1"))
        won(partner_a, "1000.00", Q3_DAY)
        client.force_login(users["channel"])
        response = client.post("/commissions/settlements/run/", {"period": "2026-Q3"})
        run = SettlementRun.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/commissions/settlements/{run.pk}/"
        page = client.get(response["Location"]).content.decode()
        assert f'data-api="/api/v1/jobs/{run.job_id}/"' in page and "js/job-progress.js" in page
        assert run.status == RunStatus.QUEUED
        response = client.post("/commissions/settlements/run/", {"period": "2026-Q9"})
        assert response.status_code == 302 and SettlementRun.objects.count() == 1
        assert "2026-Q9" in client.get(response["Location"]).content.decode()  # the message says why

    def test_approve_and_pay_from_the_run_page(self, client, users, partner_a):
        details_for(partner_a)  # paid by hand below: a partner without billing details is left out
        RuleFactory(rate=D("0.1"))
        won(partner_a, "1000.00", Q3_DAY)
        runner = users["manager"]
        run = computed(user=runner)
        url = f"/commissions/settlements/{run.pk}/"
        client.force_login(runner)
        page = client.get(url).content.decode()
        assert 'id="review-and-approve"' not in page and "Four eyes" in page
        assert 'id="approve-form"' not in client.get(f"{url}approve/").content.decode()
        assert approve_on_page(client, run).status_code == 403
        client.force_login(users["channel"])
        assert 'id="review-and-approve"' not in client.get(url).content.decode()
        assert approve_on_page(client, run).status_code == 403
        other = UserFactory(role="manager")
        client.force_login(other)
        assert 'id="review-and-approve"' in client.get(url).content.decode()
        assert 'id="approve-form"' in client.get(f"{url}approve/").content.decode()
        assert approve_on_page(client, run).status_code == 302
        run.refresh_from_db()
        assert run.status == RunStatus.APPROVED and run.approved_by == other
        client.post(f"{url}mark-paid/", {"payment_reference": "VIR-42", "paid_on": date.today().isoformat()})
        run.refresh_from_db()
        assert run.status == RunStatus.PAID and run.payment_reference == "VIR-42" and run.paid_on == date.today()
        page = client.get(url).content.decode()
        assert "VIR-42" in page and f"{url}mark-paid/" not in page

    def test_run_page_shows_totals_per_partner_and_exceptions(self, client, users, world, partner_a, partner_b):
        client.force_login(users["manager"])
        page = client.get(f"/commissions/settlements/{world['q3'].pk}/").content.decode()
        assert partner_a.name in page and partner_b.name in page
        assert f"/commissions/statements/{world['b_q3'].pk}/" in page
        page = client.get(f"/commissions/exceptions/?run={world['q3'].pk}").content.decode()
        assert "product line Security not in AI (watsonx, Granite, Orchestrate)" in page  # labels, not codes


@pytest.mark.django_db
def test_a_quarter_end_to_end(client, users, partner_a, django_capture_on_commit_callbacks):
    """The channel runs Q3 from the browser, a manager approves it, the partner admin reads and disputes
    its statement; the deal turns lost and Q4 claws the commission back, pointing at the Q3 line."""
    channel, manager, admin = users["channel"], users["manager"], users["partner_admin"]
    RuleFactory(name="AI 10 %", rate=D("0.1"))
    deal = won(partner_a, "1000.00", date(2026, 8, 3))
    kept = won(partner_a, "2000.00", date(2026, 9, 1))

    # Channel: run the quarter from the settlements page; the job computes it.
    client.force_login(channel)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/commissions/settlements/run/", {"period": "2026-Q3"})
    q3 = SettlementRun.objects.get(period="2026-Q3")
    assert q3.status == RunStatus.COMPUTED and q3.total == D("300.00") and q3.job.state == "succeeded"
    page = client.get(response["Location"]).content.decode()
    assert "300" in page and "js/job-progress.js" not in page  # finished: no more polling

    # Before approval the partner sees its figures as preliminary, and cannot dispute them yet.
    client.force_login(admin)
    statement = Statement.objects.get(run=q3, partner=partner_a)
    listing = client.get("/commissions/statements/").content.decode()
    assert "Q3 2026" in listing and "Preliminary" in listing
    page = client.get(f"/commissions/statements/{statement.pk}/").content.decode()
    assert 'id="preliminary-note"' in page and "/dispute/" not in page

    # Manager: approve (four eyes: the channel user ran it).
    client.force_login(manager)
    assert approve_on_page(client, q3).status_code == 302
    q3.refresh_from_db()
    assert q3.status == RunStatus.APPROVED

    # Partner admin: read the statement, download it, dispute the first line.
    client.force_login(admin)
    statement = Statement.objects.get(run=q3, partner=partner_a)
    assert f"/commissions/statements/{statement.pk}/" in client.get("/commissions/statements/").content.decode()
    page = client.get(f"/commissions/statements/{statement.pk}/").content.decode()
    page = plain(page)  # the explanations in the reader's language (English here), amounts never wrapped
    assert "AI 10 %: 1,000.00 € × 10 % = 100.00 €" in page and "AI 10 %: 2,000.00 € × 10 % = 200.00 €" in page
    line = PayoutLine.objects.get(run=q3, opportunity=deal)
    response = client.post(f"/commissions/lines/{line.pk}/dispute/", {"comment": "This deal was cancelled."})
    dispute = Dispute.objects.get()
    assert response["Location"] == f"/commissions/disputes/{dispute.pk}/"

    # Channel: answer and resolve; the deal is lost after all.
    client.force_login(channel)
    client.post(
        f"/commissions/disputes/{dispute.pk}/resolve/", {"outcome": "rejected", "resolution": "Clawed back in 2026-Q4."}
    )
    deal.stage = Stage.LOST
    deal.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/commissions/settlements/run/", {"period": "2026-Q4"})
    q4 = SettlementRun.objects.get(period="2026-Q4")
    assert q4.status == RunStatus.COMPUTED and q4.total == D("-100.00")
    client.force_login(UserFactory(role="manager"))
    approve_on_page(client, q4)

    # Partner admin: the clawback line of Q4 points at the Q3 line it corrects.
    client.force_login(admin)
    q4_statement = Statement.objects.get(run=q4, partner=partner_a)
    clawback = PayoutLine.objects.get(run=q4)
    assert clawback.kind == LineKind.ADJUSTMENT and clawback.payout == D("-100.00") and clawback.corrects == line
    page = client.get(f"/commissions/statements/{q4_statement.pk}/").content.decode()
    assert f"corrects line {line.pk} of Q3 2026" in page and "Clawback for Q3 2026" in page
    csv = b"".join(client.get(f"/commissions/statements/{q4_statement.pk}/export.csv").streaming_content).decode()
    assert csv.splitlines()[1].endswith(",-100.00") and ",'-100.00" not in csv
    page = client.get(f"/commissions/disputes/{dispute.pk}/").content.decode()
    assert "Clawed back in 2026-Q4." in page
    # Q3 never changed.
    q3.refresh_from_db()
    assert q3.total == D("300.00") and PayoutLine.objects.filter(run=q3).count() == 2
    assert kept.payout_lines.count() == 1
