"""Exports, approvals and rule changes land in the audit trail (issue 7 §2), visible to managers."""

from datetime import date
from decimal import Decimal

from audit import kinds
from audit.models import AuditEvent
from commissions import settlement
from commissions.models import SettlementRun
from commissions.rules import rule_create
from tests.factories import AccountFactory, AssignmentFactory, OpportunityFactory, ProgramFactory, won


def test_an_export_is_recorded_with_who_and_which_filters(partner_a, rep_a, api):
    AssignmentFactory(account=AccountFactory(), partner=partner_a)
    response = api(rep_a).get("/api/v1/accounts/export/?region=bretagne")
    b"".join(response.streaming_content)
    event = AuditEvent.objects.get(kind=kinds.EXPORT)
    assert event.actor_id == rep_a.pk and event.detail["export"] == "accounts"
    assert event.detail["query"] == "region=bretagne"


def test_a_registration_decision_is_recorded(partner_a, rep_a, channel_user, api):
    opportunity = OpportunityFactory(partner=partner_a, registered_by=rep_a)
    assert (
        api(channel_user).post(f"/api/v1/opportunities/{opportunity.pk}/approve/", {}, format="json").status_code == 200
    )
    event = AuditEvent.objects.get(kind=kinds.APPROVAL)
    assert event.actor_id == channel_user.pk
    assert event.detail == {"what": "registration", "decision": "approve", "ids": [opportunity.pk], "reason": ""}


def test_a_settlement_approval_and_a_rule_change_are_recorded(partner_a, channel_user, manager_user, db):
    program = ProgramFactory()
    rule = rule_create(program=program, user=channel_user, name="Base", calculation="percent", rate=Decimal("0.05"))
    assert AuditEvent.objects.filter(kind=kinds.RULE_CHANGED, actor=channel_user).count() == 1
    assert AuditEvent.objects.get(kind=kinds.RULE_CHANGED).detail == {"rule": rule.pk, "change": "created"}
    won(partner_a, 1000, date(2026, 7, 15))
    run = SettlementRun.objects.create(
        period="2026-Q3", period_start=date(2026, 7, 1), period_end=date(2026, 9, 30), run_by=channel_user
    )
    settlement.settle_now(run.pk)
    settlement.settlement_approve(run=run, user=manager_user)
    event = AuditEvent.objects.get(kind=kinds.APPROVAL)
    assert event.actor_id == manager_user.pk and event.detail["period"] == "2026-Q3"
    assert event.detail["total"] == "50.00"
