"""A rule's lock comes from the uses recorded when runs are approved (RuleUse), not from a search of the
ledger by rule (the ledger has no index by rule: it cost a tenth of a settlement's time)."""

from datetime import date
from decimal import Decimal as D
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection

from commissions import settlement
from commissions.models import PayoutLine, Rule, RuleUse
from commissions.rules import last_approved_use, program_last_approved_use, rule_is_locked, with_locked

from ..factories import RuleFactory, won
from .helpers import computed

pytestmark = pytest.mark.django_db


@pytest.fixture
def q3(partner_a, channel_user):
    rules = {
        "base": RuleFactory(rate=D("0.1"), name="Base"),
        "bonus": RuleFactory(rate=D("0.01"), stacking="bonus", name="Bonus"),
        "idle": RuleFactory(rate=D("0.2"), product_lines=["security"], name="Idle"),  # pays nothing
    }
    deal = won(partner_a, "1000.00", date(2026, 8, 1), product_line="ai")
    return rules, deal, computed(user=channel_user)


def locked(rules) -> dict[str, bool]:
    """Each rule's lock, as the list annotates it and as one rule's check says it (they agree)."""
    listed = dict(with_locked(Rule.objects.all()).values_list("pk", "is_locked"))
    flags = {name: listed[rule.pk] for name, rule in rules.items()}
    assert flags == {name: rule_is_locked(rule) for name, rule in rules.items()}
    return flags


def test_a_computed_run_locks_nothing_its_approval_locks_the_rules_that_paid(q3, manager_user):
    rules, _, run = q3
    assert locked(rules) == {"base": False, "bonus": False, "idle": False}
    settlement.settlement_approve(run=run, user=manager_user)
    assert set(RuleUse.objects.filter(run=run).values_list("rule__name", flat=True)) == {"Base", "Bonus"}
    assert locked(rules) == {"base": True, "bonus": True, "idle": False}
    assert last_approved_use(rules["base"]) == ("2026-Q3", date(2026, 9, 30))
    assert last_approved_use(rules["idle"]) is None
    assert program_last_approved_use(rules["base"].program) == ("2026-Q3", date(2026, 9, 30))


def test_the_next_runs_adjustments_record_their_rules_too(q3, manager_user, channel_user):
    rules, deal, run = q3
    settlement.settlement_approve(run=run, user=manager_user)
    deal.amount = D("3000.00")  # corrected after approval: the next run adjusts it
    deal.save()
    q4 = computed("2026-Q4", user=channel_user)
    assert PayoutLine.objects.filter(run=q4, kind="adjustment").count() == 2
    settlement.settlement_approve(run=q4, user=manager_user)
    assert set(RuleUse.objects.filter(run=q4).values_list("rule__name", flat=True)) == {"Base", "Bonus"}
    assert last_approved_use(rules["base"]) == ("2026-Q4", date(2026, 12, 31))


def test_the_migration_records_the_uses_of_runs_approved_before_it(q3, manager_user, channel_user):
    rules, _, run = q3
    settlement.settlement_approve(run=run, user=manager_user)
    RuleUse.objects.all().delete()
    module = import_module("commissions.migrations.0015_rule_use")
    module.record_approved_uses(apps, None)
    assert set(RuleUse.objects.values_list("run_id", "rule__name")) == {(run.pk, "Base"), (run.pk, "Bonus")}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="index names are PostgreSQL's here")
def test_the_ledger_has_no_index_by_rule():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'commissions_payoutline'")
        definitions = [row[0] for row in cursor.fetchall()]
    assert definitions and not any("(rule_id" in definition for definition in definitions)
