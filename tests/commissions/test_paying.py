"""Paid (SPEC §4.3): a run is marked paid with the payment date and a reference per statement; partners
see paid, approved and preliminary figures apart ("earned so far this quarter"), their own only."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from commissions import paying
from commissions.earnings import partner_earnings
from commissions.models import RunStatus, SettlementRun, Statement
from ecosystem.periods import quarter_of

from ..factories import PartnerFactory, RuleFactory, won
from ..payments.helpers import details_for
from .helpers import approved, computed

SETTLEMENTS = "/api/v1/settlements/"


@pytest.fixture
def q3(partner_a, partner_b, channel_user, manager_user):
    """Q3 approved: A 100, B 200, and C whose Q2 deal was lost: −50 (nothing to pay)."""
    RuleFactory(rate=D("0.1"))
    c = PartnerFactory(name="Charlie Cloud")
    lost = won(c, "500.00", date(2026, 5, 2))
    approved("2026-Q2", runner=channel_user, approver=manager_user)
    lost.stage = "lost"
    lost.save()
    won(partner_a, "1000.00", date(2026, 7, 15))
    won(partner_b, "2000.00", date(2026, 7, 15))
    details_for(partner_a)  # billing details before the approval: their invoices are issued with it
    details_for(partner_b)
    return {"run": approved(runner=channel_user, approver=manager_user), "c": c}


def statement(run, partner):
    return Statement.objects.current().get(run=run, partner=partner)


@pytest.mark.django_db
class TestMarkingPaid:
    def test_a_date_and_a_reference_per_statement(self, api, q3, channel_user, partner_a, partner_b):
        run, today = q3["run"], timezone.localdate()
        body = {
            "paid_on": today.isoformat(),
            "payment_reference": "SEPA-2026-10",
            "references": [{"partner_siren": partner_b.siren, "reference": "VIR-B-0042"}],
        }
        response = api(channel_user).post(f"{SETTLEMENTS}{run.pk}/mark-paid/", body, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "paid" and response.json()["payment_reference"] == "SEPA-2026-10"
        run.refresh_from_db()
        assert run.paid_on == today and run.status == RunStatus.PAID and run.total == D("250.00")
        assert (statement(run, partner_a).paid_on, statement(run, partner_a).payment_reference) == (
            today, "SEPA-2026-10",
        )  # fmt: skip
        assert statement(run, partner_b).payment_reference == "VIR-B-0042"
        negative = statement(run, q3["c"])  # a clawback only: nothing paid, carried on
        assert negative.total == D("-50.00") and negative.paid_on is None and negative.payment_reference == ""
        event = AuditEvent.objects.get(kind="settlement.paid")
        assert event.detail["statements_paid"] == 2 and event.detail["own_references"] == 1

    def test_refusals_name_the_field(self, api, q3, channel_user):
        run, url = q3["run"], f"{SETTLEMENTS}{q3['run'].pk}/mark-paid/"
        cases = [
            ({"paid_on": (timezone.localdate() + timedelta(days=1)).isoformat()}, "paid_on", "future"),
            ({"paid_on": "2026-01-01"}, "paid_on", "before the approval"),
            ({"references": [{"partner_siren": "552100554", "reference": "X"}]}, "references", "no statement"),
        ]
        for changes, field, fragment in cases:
            body = {"paid_on": timezone.localdate().isoformat(), "payment_reference": "SEPA", **changes}
            response = api(channel_user).post(url, body, format="json")
            assert response.status_code == 400 and fragment in " ".join(response.json()[field]), response.json()
        run.refresh_from_db()
        assert (
            run.status == RunStatus.APPROVED and not Statement.objects.filter(run=run, paid_on__isnull=False).exists()
        )

    def test_on_the_page_with_own_references(self, client, q3, manager_user, partner_b):
        run = q3["run"]
        client.force_login(manager_user)
        page = client.get(f"/commissions/settlements/{run.pk}/").content.decode()
        assert 'id="mark-paid-form"' in page
        response = client.post(
            f"/commissions/settlements/{run.pk}/mark-paid/",
            {
                "paid_on": timezone.localdate().isoformat(),
                "payment_reference": "SEPA-7",
                "references": f"{partner_b.siren};VIR-B-7\n",
            },
        )
        assert response.status_code == 302
        assert statement(run, partner_b).payment_reference == "VIR-B-7"
        page = client.get(f"/commissions/settlements/{run.pk}/").content.decode()
        assert 'id="run-paid"' in page and "VIR-B-7" in page

    def test_only_an_approved_run_is_paid(self, partner_a, channel_user):
        RuleFactory(rate=D("0.1"))
        won(partner_a, "1000.00", date(2026, 7, 15))
        run = computed(user=channel_user)
        with pytest.raises(Exception, match="approved run"):
            paying.settlement_mark_paid(run=run, user=channel_user, paid_on=date.today(), reference="X")


@pytest.mark.django_db
class TestWhatAPartnerSeesApart:
    """Preliminary (earned so far this quarter), approved not paid, paid with date and reference."""

    @pytest.fixture
    def three_states(self, partner_a, partner_b, channel_user, manager_user, settlement_today):
        today = timezone.localdate()
        settlement_today(today)  # the runs see the same day as the partner: this quarter is not over
        this_quarter = quarter_of(today)
        last_quarter = this_quarter.previous()
        before = last_quarter.previous()
        RuleFactory(rate=D("0.1"))
        for period, amount in ((before, "1000.00"), (last_quarter, "2000.00"), (this_quarter, "3000.00")):
            won(partner_a, amount, period.start)
            won(partner_b, "9999.00", period.start)
        details_for(partner_a)
        details_for(partner_b)
        paid = approved(before.label, runner=channel_user, approver=manager_user)
        paying.settlement_mark_paid(run=paid, user=manager_user, paid_on=today, reference="SEPA-OLD")
        approved(last_quarter.label, runner=channel_user, approver=manager_user)
        computed(this_quarter.label, user=channel_user)
        return {"today": today, "quarter": this_quarter.label}

    def test_the_figures(self, three_states, partner_a):
        earnings = partner_earnings(partner_a.pk, three_states["today"])
        assert earnings.this_quarter == D("300.00") and earnings.quarter == three_states["quarter"]
        assert earnings.this_quarter_until == three_states["today"]
        assert earnings.approved_total == D("200.00") and len(earnings.approved) == 1
        assert [(f.total, f.paid_on, f.payment_reference) for f in earnings.paid] == [
            (D("100.00"), three_states["today"], "SEPA-OLD")
        ]
        assert earnings.paid_this_year == D("100.00")  # paid today

    def test_the_api(self, api, three_states, rep_a, users, partner_a):
        body = api(rep_a).get("/api/v1/statements/earnings/").json()
        assert body["this_quarter"] == "300.00" and body["approved_total"] == "200.00"
        assert body["paid"][0]["payment_reference"] == "SEPA-OLD"
        # Internal users name the partner; nothing of B's ever shows in A's figures.
        assert api(users["manager"]).get(f"/api/v1/statements/earnings/?partner={partner_a.pk}").json() == body
        assert api(users["manager"]).get("/api/v1/statements/earnings/").status_code == 400
        assert api(users["manager"]).get("/api/v1/statements/earnings/?partner=999999").status_code == 404

    def test_the_portal_and_the_statements_page(self, client, three_states, rep_a):
        client.force_login(rep_a)
        for url in ("/portal/", "/commissions/statements/"):
            page = client.get(url).content.decode()
            assert 'id="earned-this-quarter"' in page and "300.00" in page, url
            assert 'id="approved-not-paid"' in page and "200.00" in page, url
            assert "SEPA-OLD" in page and "Preliminary" in page, url
            assert "999" not in page, url  # B's 999.90 never shows

    def test_the_figures_in_french(self, client, three_states, rep_a):
        client.force_login(rep_a)
        page = client.get("/commissions/statements/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "gagné à ce jour ce trimestre" in page and ">300,00\u00a0€<" in page
        assert "Provisoire" in page and "Approuvé, pas encore payé" in page and "payé le" in page

    def test_another_partners_runs_do_not_move_a_partners_figures(self, three_states, partner_a, partner_b):
        before = partner_earnings(partner_a.pk, three_states["today"])
        Statement.objects.filter(partner=partner_b).update(total=D("123456.00"))
        assert partner_earnings(partner_a.pk, three_states["today"]) == before


@pytest.mark.django_db
def test_the_migration_backfill_pays_statements_of_runs_already_paid(q3, manager_user):
    """What 0009 does for runs paid before statements had a payment: the run's day and reference."""
    from importlib import import_module

    from django.apps import apps

    run = q3["run"]
    SettlementRun.objects.filter(pk=run.pk).update(
        status=RunStatus.PAID, payment_reference="OLD-REF", paid_on=date(2026, 10, 1), paid_at=timezone.now()
    )
    module = import_module("commissions.migrations.0013_payment_per_statement")
    module.backfill_paid_runs(apps, None)
    paid = Statement.objects.filter(run=run, paid_on__isnull=False)
    assert paid.count() == 2 and set(paid.values_list("payment_reference", flat=True)) == {"OLD-REF"}


@pytest.mark.django_db
class TestPaymentProgressInLists:
    """The runs list and API say how many of a run's statements are paid, as its page does ("n of m")."""

    def pay_one(self, run, partner, user):
        paying.statements_mark_paid(
            run=run, user=user, paid_on=timezone.localdate(), references={statement(run, partner).pk: "VIR-A"},
            batch_reference="VIR-A", source="test",
        )  # fmt: skip

    def test_the_api(self, api, q3, channel_user, partner_a):
        run = q3["run"]
        self.pay_one(run, partner_a, channel_user)
        body = api(channel_user).get(f"{SETTLEMENTS}{run.pk}/").json()
        # C's statement is negative: nothing to pay, so two statements to pay, one paid.
        assert (body["statements_payable"], body["statements_paid"], body["status"]) == (2, 1, "approved")
        listed = {row["id"]: row for row in api(channel_user).get(SETTLEMENTS).json()["results"]}
        assert (listed[run.pk]["statements_payable"], listed[run.pk]["statements_paid"]) == (2, 1)
        assert paying.payment_progress(run) == paying.Progress(paid=1, payable=2)

    def test_the_list_page(self, client, q3, channel_user, partner_a):
        self.pay_one(q3["run"], partner_a, channel_user)
        client.force_login(channel_user)
        page = client.get("/commissions/settlements/").content.decode()
        assert "1 / 2" in page
