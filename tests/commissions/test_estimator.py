"""The estimator: what a deal would pay under today's rules — hand-computed, scoped, read-only."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commissions.models import Quota

from ..factories import AccountFactory, AssignmentFactory, ProgramFactory, RuleFactory, won
from .helpers import plain

ESTIMATE = "/api/v1/commission-estimate/"
TODAY = date(2026, 8, 20)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("commissions.estimator.today", lambda: TODAY)


@pytest.fixture
def account(db):
    return AccountFactory(name="Maison Secrète", is_select=True, sector="luxury", region="ile_de_france")


def ask(api, user, account, amount, product_line="ai", HTTP_ACCEPT_LANGUAGE="fr", **extra):
    params = {"account": account.pk, "product_line": product_line, "amount": amount, **extra}
    return api(user).get(ESTIMATE, params, HTTP_ACCEPT_LANGUAGE=HTTP_ACCEPT_LANGUAGE)


@pytest.mark.django_db
class TestFigures:
    def test_base_rule_plus_bonus(self, api, rep_a, account):
        RuleFactory(name="AI 8 %", rate=D("0.08"), product_lines=["ai"], priority=10)
        RuleFactory(name="AI 5 %", rate=D("0.05"), product_lines=["ai"], priority=1)  # lower priority: not paid
        RuleFactory(name="Select bonus", calculation="flat", rate=None, flat_amount=D("200"), stacking="bonus",
                    select_only="yes")  # fmt: skip
        response = ask(api, rep_a, account, "25000")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["payout"] == "2200.00" and body["amount"] == "25000.00" and body["period"] == "2026-Q3"
        assert [(line["rule_name"], line["payout"]) for line in body["lines"]] == [
            ("AI 8 %", "2000.00"),
            ("Select bonus", "200.00"),
        ]
        # In the reader's language (French here), amounts as French readers write them.
        assert plain(body["lines"][0]["explanation"]) == "AI 8 %: 25 000,00 € × 8 % = 2 000,00 €"
        assert plain(body["lines"][1]["explanation"]) == "Select bonus: forfait de 200,00 € par affaire"
        assert body["other_deals_effect"] == "0.00" and body["no_rule_reason"] == ""
        assert body["date"] == "2026-08-20"

    def test_only_rules_in_force_today_and_matching_count(self, api, rep_a, account):
        RuleFactory(name="Draft", rate=D("0.5"), program=ProgramFactory(status="draft"))
        RuleFactory(name="Ended", rate=D("0.4"), valid_to=date(2026, 8, 19))
        RuleFactory(name="Future", rate=D("0.3"), valid_from=date(2026, 8, 21))
        RuleFactory(name="Platinum", rate=D("0.2"), partner_tiers=["platinum"], priority=99)
        RuleFactory(name="Closed program", rate=D("0.6"), program=ProgramFactory(valid_to=date(2026, 6, 30)))
        RuleFactory(name="Today", rate=D("0.1"), valid_from=TODAY)
        body = ask(api, rep_a, account, "1000.00").json()
        assert [(line["rule_name"], line["payout"]) for line in body["lines"]] == [("Today", "100.00")]

    def test_marginal_tiers_count_the_quarter_so_far(self, api, rep_a, partner_a, partner_b, account):
        RuleFactory(name="Tiers", calculation="tiered", rate=None, bands=[["0", "0.05"], ["100000", "0.10"]])
        won(partner_a, "90000.00", date(2026, 7, 10))
        won(partner_a, "500000.00", date(2026, 6, 30))  # previous quarter: not counted
        won(partner_b, "500000.00", date(2026, 7, 10))  # another partner: not counted
        body = ask(api, rep_a, account, "20000").json()
        # 10 000 € at 5 % + 10 000 € at 10 %.
        assert body["payout"] == "1500.00"
        assert plain(body["lines"][0]["explanation"]) == (
            "Tiers: cumul 90 000,00 € → 110 000,00 € (tranches marginales); "
            "10 000,00 € × 5 % + 10 000,00 € × 10 % = 1 500,00 €"
        )
        assert body["other_deals_effect"] == "0.00"

    def test_a_retroactive_tier_reached_lifts_the_other_deals(self, api, rep_a, partner_a, account):
        RuleFactory(name="Retro", calculation="tiered", rate=None, tier_mode="retroactive",
                    bands=[["0", "0.02"], ["100000", "0.04"]])  # fmt: skip
        won(partner_a, "90000.00", date(2026, 7, 10))
        body = ask(api, rep_a, account, "20000").json()
        assert body["payout"] == "800.00"  # 20 000 × 4 %
        assert body["other_deals_effect"] == "1800.00"  # 90 000 × (4 % − 2 %)
        assert any("1\u00a0800,00\u00a0€" in note for note in body["notes"])  # the reader's format (French)

    def test_accelerator_and_caps(self, api, rep_a, partner_a, account):
        RuleFactory(name="Accelerated", rate=D("0.05"), accelerator_threshold=D("1.0"),
                    accelerator_multiplier=D("1.5"), cap_per_deal=D("1200"))  # fmt: skip
        Quota.objects.create(partner=partner_a, period="2026-Q3", amount=D("100000"))
        for day in range(1, 10):
            won(partner_a, "10000.00", date(2026, 7, day))
        body = ask(api, rep_a, account, "20000").json()
        # 20 000 × 5 % = 1 000; quota reached (110 000 / 100 000): × 1.5 = 1 500; capped at 1 200.
        line = body["lines"][0]
        assert line["payout"] == "1200.00" and line["accelerator"] == "1.5" and line["capped"] == "deal"
        assert "accélérateur × 1,5" in line["explanation"] and "plafonné à 1 200,00 €" in plain(line["explanation"])
        # The quota is reached with this deal: the 9 earlier deals go from 500 to 750 each.
        assert body["other_deals_effect"] == "2250.00"

    def test_the_expected_close_date_is_the_closing_day(self, api, rep_a, partner_a, account):
        """Given an expected close date, the estimate uses it (its quarter, the rules in force then) and
        says so; it used to assume the deal closed today whatever date was given."""
        RuleFactory(name="Until September", rate=D("0.05"), valid_to=date(2026, 9, 30))
        RuleFactory(name="From October", rate=D("0.07"), valid_from=date(2026, 10, 1))
        won(partner_a, "1000.00", date(2026, 7, 10))  # Q3: not in Q4's count
        body = ask(api, rep_a, account, "1000", expected_close="2026-11-15", HTTP_ACCEPT_LANGUAGE="en").json()
        assert body["date"] == "2026-11-15" and body["period"] == "2026-Q4"
        assert [(line["rule_name"], line["payout"]) for line in body["lines"]] == [("From October", "70.00")]
        assert "closes today" not in body["notes"][0]
        assert "Nov. 15, 2026, its expected close date" in body["notes"][0] and "0 won deal(s)" in body["notes"][0]
        today = ask(api, rep_a, account, "1000", HTTP_ACCEPT_LANGUAGE="en").json()
        assert today["date"] == "2026-08-20" and today["lines"][0]["rule_name"] == "Until September"
        assert today["notes"][0].startswith("Assumes the deal closes today")
        bad = ask(api, rep_a, account, "1000", expected_close="15/11/2026")
        assert bad.status_code == 400 and "expected_close" in bad.json()

    def test_half_up_to_the_cent(self, api, rep_a, account):
        RuleFactory(rate=D("0.075"))
        assert ask(api, rep_a, account, "0.10").json()["payout"] == "0.01"  # 0.0075 → 0.01
        assert ask(api, rep_a, account, "0.06").json()["payout"] == "0.00"  # 0.0045 → 0.00

    def test_no_rule_pays(self, api, rep_a, account):
        RuleFactory(product_lines=["ai"])
        body = ask(api, rep_a, account, "1000", product_line="security").json()
        assert body["payout"] == "0.00" and body["lines"] == []
        assert "gamme de produits Sécurité hors de IA" in plain(body["no_rule_reason"])

    def test_it_writes_nothing(self, api, rep_a, partner_a, account):
        RuleFactory(calculation="tiered", rate=None, bands=[["0", "0.05"]])
        won(partner_a, "1000.00", date(2026, 7, 10))
        with CaptureQueriesContext(connection) as queries:
            assert ask(api, rep_a, account, "1000").status_code == 200
        writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
        assert writes == []


@pytest.mark.django_db
class TestScope:
    def test_any_account_is_accepted_and_nothing_about_it_is_revealed(self, api, rep_a, partner_b, account):
        AssignmentFactory(account=account, partner=partner_b)  # assigned to another partner
        RuleFactory(rate=D("0.1"))
        response = ask(api, rep_a, account, "1000")
        assert response.status_code == 200
        assert set(response.json()) == {
            "partner", "account", "product_line", "amount", "date", "period", "payout", "lines",
            "other_deals_effect", "no_rule_reason", "notes",
        }  # fmt: skip
        assert "Maison Secrète" not in response.content.decode() and partner_b.name not in response.content.decode()

    def test_a_partner_estimates_for_itself_only(self, api, rep_a, rep_b, partner_a, partner_b, account):
        partner_b.tier = "platinum"
        partner_b.save()
        RuleFactory(name="Gold", rate=D("0.05"), partner_tiers=["gold"])
        RuleFactory(name="Platinum", rate=D("0.09"), partner_tiers=["platinum"])
        assert ask(api, rep_a, account, "1000").json()["lines"][0]["rule_name"] == "Gold"
        assert ask(api, rep_b, account, "1000").json()["lines"][0]["rule_name"] == "Platinum"
        # A partner id sent by a partner user is ignored, never looked up: no oracle.
        for partner in (partner_b.pk, 999999, "x"):
            body = ask(api, rep_a, account, "1000", partner=partner).json()
            assert body["partner"] == partner_a.pk and body["lines"][0]["rule_name"] == "Gold"

    def test_internal_users_name_the_partner(self, api, channel_user, manager_user, partner_b, account):
        RuleFactory(rate=D("0.1"))
        response = ask(api, channel_user, account, "1000")
        assert response.status_code == 400 and "partner" in response.json()
        for user in (channel_user, manager_user):
            body = ask(api, user, account, "1000", partner=partner_b.pk).json()
            assert body["partner"] == partner_b.pk and body["payout"] == "100.00"

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"amount": "-5"}, "amount"),
            ({"amount": "abc"}, "amount"),
            ({"amount": ""}, "amount"),
            ({"product_line": "quantum"}, "product_line"),
            ({"account": 999999}, "account"),
            ({"account": "x"}, "account"),
        ],
    )
    def test_bad_queries(self, api, rep_a, account, params, field):
        query = {"account": account.pk, "product_line": "ai", "amount": "1000", **params}
        response = api(rep_a).get(ESTIMATE, query)
        assert response.status_code == 400 and field in response.json()

    def test_anonymous(self, api, account):
        assert ask(api, None, account, "1000").status_code == 401


@pytest.mark.django_db
class TestEstimatorPage:
    def test_partner_picks_an_assigned_account_or_any_by_siren(self, client, rep_a, partner_a, account):
        mine = AccountFactory(name="Assigned SA")
        AssignmentFactory(account=mine, partner=partner_a)
        RuleFactory(name="AI 8 %", rate=D("0.08"))
        client.force_login(rep_a)
        page = client.get("/commissions/estimate/").content.decode()
        # a type-ahead picker over any account (its own suggested first), not a list of accounts
        assert 'data-picker-url="/api/v1/accounts/pick/?nameable=1"' in page
        assert "Assigned SA" not in page and "Maison Secrète" not in page and 'name="partner"' not in page
        page = client.get("/commissions/estimate/", {"account": mine.pk, "product_line": "ai", "amount": "1000"})
        assert page.status_code == 200 and "AI 8 %" in page.content.decode() and "80" in page.content.decode()
        assert f'data-picker-label="Assigned SA ({mine.siren}) — Paris"' in page.content.decode()
        page = client.get("/commissions/estimate/", {"account": account.siren, "product_line": "ai", "amount": "2000"})
        assert "160" in page.content.decode()
        page = client.get(
            "/commissions/estimate/", {"account": "000000000", "product_line": "ai", "amount": "2000"},
            HTTP_ACCEPT_LANGUAGE="en",
        )  # fmt: skip
        assert "No account you may choose has this SIREN or number." in page.content.decode()

    def test_internal_page_asks_for_the_partner(self, client, channel_user, partner_a, account):
        RuleFactory(name="AI 8 %", rate=D("0.08"))
        client.force_login(channel_user)
        page = client.get("/commissions/estimate/").content.decode()
        assert 'data-picker-url="/api/v1/partners/pick/"' in page and "<option value=\"" + str(partner_a.pk) not in page
        query = {"account": account.siren, "product_line": "ai", "amount": "1000"}
        assert "AI 8 %" not in client.get("/commissions/estimate/", query).content.decode()
        page = client.get("/commissions/estimate/", {**query, "partner": partner_a.pk}).content.decode()
        assert "AI 8 %" in page
        by_siren = client.get("/commissions/estimate/", {**query, "partner": partner_a.siren}).content.decode()
        assert "AI 8 %" in by_siren


@pytest.mark.django_db
def test_the_registration_form_shows_the_estimate(client, rep_a):
    """The registration page carries the estimate box; static/js/commission-estimate.js fills it from the API."""
    from pathlib import Path

    from django.contrib.staticfiles import finders
    from django.urls import reverse

    client.force_login(rep_a)
    page = client.get(reverse("opportunity-register")).content.decode()
    assert 'id="commission-estimate"' in page and 'data-estimate-api="/api/v1/commission-estimate/"' in page
    assert "js/commission-estimate.js" in page and "/commissions/estimate/" in page
    script = Path(finders.find("js/commission-estimate.js")).read_text(encoding="utf-8")
    assert "innerHTML" not in script  # the answer is written as text only
    # the box asks for the deal's expected close date, which the registration form has
    assert 'name="expected_close"' in page and '"expected_close"' in script
