"""Editing a program or a rule shows every current value in its field, in French and in English: the edit
form, read as a browser reads it and posted back unchanged, leaves the object exactly as it was."""

from datetime import date
from decimal import Decimal as D
from html.parser import HTMLParser

import pytest

from commissions import rules as rule_service
from commissions.models import Program, Rule

from ..factories import ProgramFactory, RuleFactory


class FormReader(HTMLParser):
    """What a browser would submit with the page's own post form (no ``action``: it posts to the page): every
    named input, select and textarea with its current value (checked boxes and selected options only)."""

    def __init__(self):
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self.in_form = False
        self.select: str | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = (attrs.get("method") or "").lower() == "post" and not attrs.get("action")
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.append((name, attrs.get("value") or "on"))
            elif kind not in ("submit", "button"):
                self.data.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.data.append((self.select, attrs.get("value") or ""))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.data.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.text += data


def submitted(html: str) -> dict[str, list[str]]:
    reader = FormReader()
    reader.feed(html)
    body: dict[str, list[str]] = {}
    for name, value in reader.data:
        body.setdefault(name, []).append(value)
    return body


def program_values(program: Program) -> dict:
    program.refresh_from_db()
    return {field: getattr(program, field) for field in rule_service.PROGRAM_FIELDS}


def rule_values(rule: Rule) -> dict:
    rule.refresh_from_db()
    return rule_service.rule_values(rule)


@pytest.fixture
def program(db):
    return ProgramFactory(
        name="Programme 2026", valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31), status="active",
        description="Select accounts\nand bonuses",
    )  # fmt: skip


def round_trip(client, url, language):
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    body = submitted(page.content.decode())
    assert body, "the edit form was not found"
    response = client.post(url, body, HTTP_ACCEPT_LANGUAGE=language)
    errors = response.context["form"].errors if response.status_code == 200 and response.context else None
    assert response.status_code == 302, errors
    return body


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_program_posted_back_unchanged_stays_unchanged(client, channel_user, program, language):
    client.force_login(channel_user)
    before = program_values(program)
    body = round_trip(client, f"/commissions/programs/{program.pk}/edit/", language)
    assert body["valid_from"] == ["2026-01-01"] and body["status"] == ["active"]
    assert program_values(program) == before


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_percent_rule_posted_back_unchanged_stays_unchanged(client, channel_user, program, language):
    rule = RuleFactory(
        program=program, name="Sélection IA", priority=7, stacking="bonus", calculation="percent", rate=D("0.0825"),
        partner_tiers=["gold", "platinum"], partner_kinds=["integrator"], product_lines=["ai", "data"],
        sectors=["luxury", "public_sector"], regions=["ile_de_france", "outre_mer"], select_only="yes",
        min_amount=D("1000.50"), max_amount=D("2500000.00"), registration_required=True,
        cap_per_deal=D("12500.00"), cap_per_period=D("90000.00"), accelerator_threshold=D("1.10"),
        accelerator_multiplier=D("1.5"), valid_from=date(2026, 3, 1), valid_to=date(2026, 11, 30),
    )  # fmt: skip
    client.force_login(channel_user)
    before = rule_values(rule)
    body = round_trip(client, f"/commissions/rules/{rule.pk}/edit/", language)
    assert sorted(body["product_lines"]) == ["ai", "data"] and sorted(body["regions"]) == ["ile_de_france", "outre_mer"]
    assert rule_values(rule) == before


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_tiered_rule_posted_back_unchanged_stays_unchanged(client, channel_user, program, language):
    rule = RuleFactory(
        program=program, name="Paliers", calculation="tiered", rate=None, tier_mode="retroactive",
        bands=[["0", "0.05"], ["100000", "0.075"]], select_only="no", flat_amount=None,
    )  # fmt: skip
    client.force_login(channel_user)
    before = rule_values(rule)
    round_trip(client, f"/commissions/rules/{rule.pk}/edit/", language)
    assert rule_values(rule) == before
