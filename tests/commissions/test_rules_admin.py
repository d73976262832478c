"""Programs and rules managed by the channel team: validation, locks, revisions, history."""

from datetime import date
from decimal import Decimal as D

import pytest

from commissions import settlement
from commissions.models import LineKind, Program, Rule

from ..factories import ProgramFactory, RuleFactory, won
from .helpers import approved, computed, current_lines, run_for

RULES = "/api/v1/commission-rules/"
PROGRAMS = "/api/v1/commission-programs/"


@pytest.fixture
def program(db):
    return ProgramFactory(valid_from=date(2025, 1, 1))


def good_rule(the_program, **changes):
    payload = {"program": the_program.pk, "name": "Select accounts AI", "calculation": "percent", "rate": "0.08"}
    payload.update(changes)
    return payload


BAD_RULES = [
    ({"rate": "1.5"}, "rate"),
    ({"rate": "-0.1"}, "rate"),
    ({"rate": None}, "rate"),
    ({"rate": "abc"}, "rate"),
    ({"calculation": "flat", "rate": None}, "flat_amount"),
    ({"calculation": "flat", "flat_amount": "-5"}, "flat_amount"),
    ({"calculation": "tiered", "bands": []}, "bands"),
    ({"calculation": "tiered", "bands": [["100000", "0.08"], ["0", "0.05"]]}, "bands"),
    ({"calculation": "tiered", "bands": [["0", "0.05"], ["0", "0.08"]]}, "bands"),
    ({"calculation": "tiered", "bands": [["0", "1.2"]]}, "bands"),
    ({"calculation": "tiered", "bands": [["-10", "0.1"]]}, "bands"),
    ({"calculation": "tiered", "bands": [["x", "0.1"]]}, "bands"),
    ({"calculation": "tiered", "bands": [["0"]]}, "bands"),
    ({"calculation": "tiered", "bands": [["0", "0.05"]], "tier_mode": "sideways"}, "tier_mode"),
    ({"calculation": "magic"}, "calculation"),
    ({"calculation": None}, "calculation"),
    ({"stacking": "extra"}, "stacking"),
    ({"select_only": "maybe"}, "select_only"),
    ({"product_lines": ["quantum"]}, "product_lines"),
    ({"partner_tiers": ["diamond"]}, "partner_tiers"),
    ({"name": ""}, "name"),
    ({"program": 999999}, "program"),
    ({"valid_from": "2026-09-01", "valid_to": "2026-08-01"}, "valid_to"),
    ({"valid_to": "2024-06-30"}, "valid_to"),  # before the program starts
    ({"min_amount": "5000", "max_amount": "1000"}, "max_amount"),
    ({"min_amount": "-1"}, "min_amount"),
    ({"cap_per_deal": "-1"}, "cap_per_deal"),
    ({"cap_per_period": "-0.01"}, "cap_per_period"),
    ({"accelerator_threshold": "1.0"}, "accelerator_multiplier"),
    ({"accelerator_multiplier": "1.5"}, "accelerator_threshold"),
    ({"accelerator_threshold": "1.0", "accelerator_multiplier": "0.5"}, "accelerator_multiplier"),
    ({"accelerator_threshold": "0", "accelerator_multiplier": "1.5"}, "accelerator_threshold"),
]


@pytest.mark.django_db
class TestRuleValidation:
    @pytest.mark.parametrize(("changes", "field"), BAD_RULES)
    def test_each_bad_input_is_a_400_naming_the_field_and_writes_nothing(
        self, api, channel_user, program, changes, field
    ):
        before = (Rule.objects.count(), Rule.history.count())
        response = api(channel_user).post(RULES, good_rule(program, **changes), format="json")
        assert response.status_code == 400, response.content
        body = response.json()
        assert field in body, body
        assert isinstance(body[field], list) and body[field] and all(isinstance(m, str) for m in body[field])
        assert (Rule.objects.count(), Rule.history.count()) == before

    def test_a_good_rule_is_created_with_its_history(self, api, channel_user, program):
        response = api(channel_user).post(
            RULES,
            good_rule(program, calculation="tiered", rate=None, bands=[["0", "0.05"], ["100000.00", "0.080"]]),
            format="json",
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["bands"] == [["0", "0.05"], ["100000", "0.08"]]
        assert body["is_locked"] is False and body["replaced_by"] is None
        rule = Rule.objects.get(pk=body["id"])
        assert rule.history.get().history_user == channel_user

    def test_only_the_calculation_parameter_is_kept(self, api, channel_user, program):
        response = api(channel_user).post(
            RULES, good_rule(program, calculation="flat", flat_amount="250.00", rate="0.1"), format="json"
        )
        assert response.status_code == 201, response.content
        assert response.json()["rate"] is None and response.json()["flat_amount"] == "250.00"

    def test_patch_is_validated_against_the_stored_values(self, api, channel_user, program):
        rule = RuleFactory(program=program, min_amount=D("1000"))
        response = api(channel_user).patch(f"{RULES}{rule.pk}/", {"max_amount": "500"}, format="json")
        assert response.status_code == 400 and "max_amount" in response.json()
        rule.refresh_from_db()
        assert rule.max_amount is None

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"name": "P", "valid_from": "2026-01-01", "valid_to": "2025-12-31"}, "valid_to"),
            ({"name": "P"}, "valid_from"),
            ({"name": "", "valid_from": "2026-01-01"}, "name"),
            ({"name": "P", "valid_from": "2026-01-01", "status": "paused"}, "status"),
        ],
    )
    def test_program_validation(self, api, channel_user, payload, field):
        response = api(channel_user).post(PROGRAMS, payload, format="json")
        assert response.status_code == 400 and field in response.json()
        assert not Program.objects.exists()

    def test_roles(self, api, users, program):
        rule = RuleFactory(program=program)
        assert api(users["manager"]).get(RULES).status_code == 200
        assert api(users["manager"]).get(f"{PROGRAMS}{program.pk}/").status_code == 200
        assert api(users["manager"]).post(RULES, good_rule(program), format="json").status_code == 403
        assert api(users["manager"]).patch(f"{RULES}{rule.pk}/", {"name": "x"}, format="json").status_code == 403
        for key in ("partner_admin", "partner_rep"):
            client = api(users[key])
            assert client.get(RULES).status_code == 403
            assert client.get(PROGRAMS).status_code == 403
            assert client.get(f"{RULES}{rule.pk}/").status_code == 403
            assert client.post(RULES, good_rule(program), format="json").status_code == 403
            assert (
                client.post(f"{RULES}{rule.pk}/revise/", {"valid_from": "2027-01-01"}, format="json").status_code == 403
            )
        assert api(None).get(RULES).status_code == 401


@pytest.fixture
def paid_rule(partner_a, channel_user, manager_user):
    """A 10 % rule that paid the approved 2026-Q3 settlement."""
    rule = RuleFactory(rate=D("0.1"), name="Ten percent")
    won(partner_a, "1000.00", date(2026, 8, 1))
    run = approved(runner=channel_user, approver=manager_user)
    return rule, run


@pytest.mark.django_db
class TestLockedRules:
    def test_editing_a_rule_used_by_an_approved_run_is_refused(self, api, channel_user, paid_rule):
        rule, _ = paid_rule
        for method in ("patch", "put"):
            response = getattr(api(channel_user), method)(
                f"{RULES}{rule.pk}/", good_rule(rule.program, rate="0.2"), format="json"
            )
            assert response.status_code == 409
            assert "revise" in response.json()["detail"].lower() and "2026-Q3" in response.json()["detail"]
        rule.refresh_from_db()
        assert rule.rate == D("0.1") and rule.history.count() == 1
        assert api(channel_user).get(f"{RULES}{rule.pk}/").json()["is_locked"] is True

    def test_a_rule_of_a_computed_but_unapproved_run_can_still_be_edited(self, api, channel_user, partner_a):
        rule = RuleFactory(rate=D("0.1"))
        won(partner_a, "1000.00", date(2026, 8, 1))
        computed(user=channel_user)
        response = api(channel_user).patch(f"{RULES}{rule.pk}/", {"rate": "0.12"}, format="json")
        assert response.status_code == 200 and response.json()["rate"] == "0.12"

    def test_revise_ends_the_rule_and_starts_a_new_version(self, api, channel_user, paid_rule, partner_a):
        rule, q3 = paid_rule
        response = api(channel_user).post(
            f"{RULES}{rule.pk}/revise/", {"valid_from": "2026-10-01", "rate": "0.08"}, format="json"
        )
        assert response.status_code == 201, response.content
        new = Rule.objects.get(pk=response.json()["id"])
        rule.refresh_from_db()
        assert rule.valid_to == date(2026, 9, 30) and rule.rate == D("0.1")
        assert new.valid_from == date(2026, 10, 1) and new.valid_to is None and new.rate == D("0.08")
        assert new.replaces == rule and new.name == rule.name and new.program == rule.program
        assert api(channel_user).get(f"{RULES}{rule.pk}/").json()["replaced_by"] == new.pk
        # The next quarter is paid by the new version; the approved quarter needs no adjustment.
        won(partner_a, "1000.00", date(2026, 11, 2))
        q4 = run_for("2026-Q4", user=channel_user)
        settlement.settle_now(q4.pk)
        lines = list(current_lines(q4))
        assert [(line.rule_id, line.payout, line.kind) for line in lines] == [(new.pk, D("80.00"), LineKind.COMMISSION)]
        q3.refresh_from_db()
        assert q3.total == D("100.00")

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"valid_from": "2026-09-30", "rate": "0.08"}, "valid_from"),  # inside the approved quarter
            ({"valid_from": "2024-12-31"}, "valid_from"),  # before the rule starts
            ({"rate": "0.08"}, "valid_from"),  # no date
            ({"valid_from": "2026-10-01", "rate": "3"}, "rate"),
            ({"valid_from": "2026-10-01", "calculation": "tiered", "bands": [["5", "0.1"], ["1", "0.2"]]}, "bands"),
        ],
    )
    def test_a_bad_revision_writes_nothing(self, api, channel_user, paid_rule, payload, field):
        rule, _ = paid_rule
        before = (Rule.objects.count(), Rule.history.count())
        response = api(channel_user).post(f"{RULES}{rule.pk}/revise/", payload, format="json")
        assert response.status_code == 400 and field in response.json(), response.content
        rule.refresh_from_db()
        assert rule.valid_to is None
        assert (Rule.objects.count(), Rule.history.count()) == before

    def test_a_revised_rule_cannot_be_revised_again(self, api, channel_user, paid_rule):
        rule, _ = paid_rule
        assert api(channel_user).post(f"{RULES}{rule.pk}/revise/", {"valid_from": "2026-10-01"}).status_code == 201
        response = api(channel_user).post(f"{RULES}{rule.pk}/revise/", {"valid_from": "2027-01-01"})
        assert response.status_code == 400 and "newest version" in str(response.json())

    def test_history_of_every_change_with_its_author(self, api, channel_user, manager_user, program):
        rule = RuleFactory(program=program, rate=D("0.05"))
        api(channel_user).patch(f"{RULES}{rule.pk}/", {"rate": "0.06", "name": "Renamed"}, format="json")
        history = api(manager_user).get(f"{RULES}{rule.pk}/history/").json()
        assert [entry["type"] for entry in history] == ["changed", "created"]
        changes = {c["field"]: (c["old"], c["new"]) for c in history[0]["changes"]}
        assert changes["rate"] == ("0.05", "0.06") and changes["name"][1] == "Renamed"
        assert history[0]["user"] == "channel"
        api(channel_user).patch(f"{PROGRAMS}{program.pk}/", {"status": "closed"}, format="json")
        program_history = api(manager_user).get(f"{PROGRAMS}{program.pk}/history/").json()
        assert program_history[0]["changes"] == [{"field": "status", "old": "active", "new": "closed"}]

    def test_program_dates_cannot_cut_into_an_approved_settlement(self, api, channel_user, paid_rule):
        rule, _ = paid_rule
        url = f"{PROGRAMS}{rule.program_id}/"
        response = api(channel_user).patch(url, {"valid_to": "2026-08-31"}, format="json")
        assert response.status_code == 400 and "valid_to" in response.json()
        response = api(channel_user).patch(url, {"valid_from": "2026-08-01"}, format="json")
        assert response.status_code == 400 and "valid_from" in response.json()
        assert api(channel_user).patch(url, {"valid_to": "2026-12-31"}, format="json").status_code == 200


@pytest.mark.django_db
class TestRulePages:
    def rule_form(self, **changes):
        data = {
            "name": "AI bonus",
            "priority": "0",
            "stacking": "base",
            "select_only": "any",
            "calculation": "percent",
            "rate": "0.05",
            "tier_mode": "marginal",
            "bands": "",
        }
        data.update(changes)
        return data

    def test_create_shows_validation_messages_and_writes_nothing(self, client, channel_user, program):
        client.force_login(channel_user)
        url = f"/commissions/programs/{program.pk}/rules/new/"
        assert client.get(url).status_code == 200
        response = client.post(url, self.rule_form(calculation="tiered", rate="", bands="100000;0.08\n0;0.05"))
        assert response.status_code == 200
        assert "bands must be in increasing order" in response.content.decode()
        response = client.post(url, self.rule_form(rate="1.5"))
        assert "between 0 and 1" in response.content.decode()
        assert not Rule.objects.exists()
        response = client.post(url, self.rule_form(calculation="tiered", rate="", bands="0;0.05\n100000;0.08"))
        rule = Rule.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/commissions/rules/{rule.pk}/"
        assert rule.bands == [["0", "0.05"], ["100000", "0.08"]] and rule.rate is None

    def test_edit_of_a_locked_rule_sends_to_revise(self, client, channel_user, paid_rule):
        rule, _ = paid_rule
        client.force_login(channel_user)
        response = client.get(f"/commissions/rules/{rule.pk}/edit/")
        assert response.status_code == 302 and response["Location"] == f"/commissions/rules/{rule.pk}/revise/"
        response = client.post(f"/commissions/rules/{rule.pk}/edit/", self.rule_form(rate="0.5"))
        assert response.status_code == 302 and response["Location"].endswith("/revise/")
        rule.refresh_from_db()
        assert rule.rate == D("0.1")
        page = client.get(f"/commissions/rules/{rule.pk}/").content.decode()
        assert "2026-Q3" in page and "never edited in place" in page

    def test_revise_through_the_page(self, client, channel_user, paid_rule):
        rule, _ = paid_rule
        client.force_login(channel_user)
        url = f"/commissions/rules/{rule.pk}/revise/"
        assert client.get(url).status_code == 200
        response = client.post(url, self.rule_form(name=rule.name, rate="0.12", valid_from="2026-09-15"))
        assert response.status_code == 200 and "must start after 2026-09-30" in response.content.decode()
        response = client.post(url, self.rule_form(name=rule.name, rate="0.12", valid_from="2026-10-01"))
        new = Rule.objects.get(replaces=rule)
        assert response.status_code == 302 and response["Location"] == f"/commissions/rules/{new.pk}/"
        assert new.rate == D("0.12")
        page = client.get(f"/commissions/rules/{new.pk}/").content.decode()
        assert "Oct. 1, 2026" in page and "Sept. 30, 2026" in page  # both versions listed, dates in words

    def test_program_forms(self, client, channel_user, manager_user):
        client.force_login(channel_user)
        response = client.post(
            "/commissions/programs/new/",
            {"name": "P", "valid_from": "2026-02-01", "valid_to": "2026-01-01", "status": "draft"},
        )
        assert response.status_code == 200 and "must not be before the start date" in response.content.decode()
        assert not Program.objects.exists()
        client.post("/commissions/programs/new/", {"name": "P", "valid_from": "2026-01-01", "status": "active"})
        program = Program.objects.get()
        response = client.post(
            f"/commissions/programs/{program.pk}/edit/", {"name": "P2", "valid_from": "2026-01-01", "status": "active"}
        )
        assert response.status_code == 302
        program.refresh_from_db()
        assert program.name == "P2" and program.history.count() == 2
        client.force_login(manager_user)
        assert client.get(f"/commissions/programs/{program.pk}/").status_code == 200
        assert client.get(f"/commissions/programs/{program.pk}/edit/").status_code == 403
        assert client.get("/commissions/programs/new/").status_code == 403


@pytest.mark.django_db
def test_history_shows_the_newest_changes_first_each_with_its_diff(channel_user, program):
    from commissions import rules as rule_service

    rule = RuleFactory(program=program, rate=D("0.01"))
    for rate in ("0.02", "0.03", "0.04"):
        rule = rule_service.rule_update(rule=rule, user=channel_user, rate=D(rate))
    entries = rule_service.history_of(rule, rule_service.RULE_FIELDS, limit=2)
    assert [[(c["old"], c["new"]) for c in e["changes"]] for e in entries] == [
        [("0.03", "0.04")],
        [("0.02", "0.03")],
    ]
    assert all(e["user"] == "channel" for e in entries)
