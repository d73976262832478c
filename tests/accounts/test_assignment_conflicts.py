"""A change of assignment re-flags the pending registrations on the account (SPEC §3).

The channel team's queue orders conflicts first on the stored ``has_conflict``; the
side-by-side view computes them live (``conflicts_for``). Assigning, bulk assigning,
importing assignments and ending an assignment keep the two in step, in the same
transaction and set-based.
"""

from datetime import date

import pytest

from accounts import services
from accounts.assigning import AssignmentRow, apply_assignments, assign_selection, import_assignments
from accounts.models import Account, Assignment
from opportunities.conflicts import conflicts_for
from opportunities.models import Opportunity

from ..factories import AccountFactory, AssignmentFactory, OpportunityFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def flag(opportunity) -> bool:
    return Opportunity.objects.get(pk=opportunity.pk).has_conflict


def assert_flags_match_the_live_view():
    pending = list(Opportunity.objects.filter(registration_status="pending"))
    live = conflicts_for(pending)
    for opportunity in pending:
        shown = bool(live[opportunity.pk]["registrations"] or live[opportunity.pk]["assignment"])
        assert opportunity.has_conflict == shown, f"#{opportunity.pk} stored {opportunity.has_conflict}, live {shown}"


def test_assigning_flags_the_other_partners_pending_registration(partner_a, partner_b, channel_user):
    account = AccountFactory()
    theirs = OpportunityFactory(account=account, partner=partner_b)
    mine = OpportunityFactory(account=account, partner=partner_a, product_line="hybrid_cloud")
    assert not flag(theirs) and not flag(mine)
    services.assignment_create(account=account, partner=partner_a, assigned_by=channel_user)
    assert flag(theirs) and not flag(mine)
    assert_flags_match_the_live_view()


def test_reassigning_moves_the_flag_and_ending_clears_it(partner_a, partner_b, channel_user):
    account = AccountFactory()
    AssignmentFactory(account=account, partner=partner_a)
    a_reg = OpportunityFactory(account=account, partner=partner_a, product_line="ai")
    b_reg = OpportunityFactory(account=account, partner=partner_b, product_line="hybrid_cloud", has_conflict=True)
    services.assignment_create(account=account, partner=partner_b, assigned_by=channel_user, reason="Better fit")
    assert flag(a_reg) and not flag(b_reg)
    assert_flags_match_the_live_view()
    services.assignment_end(assignment=Assignment.objects.open().get(account=account))
    assert not flag(a_reg) and not flag(b_reg)
    assert_flags_match_the_live_view()


def test_ending_keeps_the_flag_of_a_registration_that_still_conflicts(partner_a, partner_b):
    account = AccountFactory()
    assignment = AssignmentFactory(account=account, partner=partner_a)
    OpportunityFactory(account=account, partner=partner_a, registration_status="approved", protected_until=None)
    b_reg = OpportunityFactory(account=account, partner=partner_b, has_conflict=True)
    services.assignment_end(assignment=assignment)
    assert flag(b_reg)  # partner A's approved registration on the same line still holds the deal


def test_decided_registrations_are_left_alone(partner_a, partner_b):
    account = AccountFactory()
    rejected = OpportunityFactory(account=account, partner=partner_b, registration_status="rejected")
    services.assignment_create(account=account, partner=partner_a)
    assert not flag(rejected)


def test_a_rolled_back_assignment_leaves_the_flags(partner_a, partner_b):
    account = AccountFactory()
    b_reg = OpportunityFactory(account=account, partner=partner_b)
    result = apply_assignments(
        [
            AssignmentRow(account.pk, partner_a.pk, "primary", date(2026, 1, 1), line=2),
            AssignmentRow(account.pk, partner_b.pk, "primary", date(2026, 1, 1), line=3),
        ]
    )
    assert not result.written and not flag(b_reg)


def test_bulk_assignment_reflags_every_account_in_constant_queries(
    partner_a, partner_b, channel_user, django_assert_max_num_queries
):
    accounts = AccountFactory.create_batch(40, region="bretagne")
    held_by_b = accounts[:20]
    for account in held_by_b:
        AssignmentFactory(account=account, partner=partner_b)
    b_regs = [OpportunityFactory(account=a, partner=partner_b) for a in accounts]
    a_regs = [OpportunityFactory(account=a, partner=partner_a, product_line="hybrid_cloud") for a in held_by_b]
    Opportunity.objects.filter(pk__in=[o.pk for o in a_regs]).update(has_conflict=True)
    with django_assert_max_num_queries(14):
        result = assign_selection(
            accounts=Account.objects.filter(region="bretagne"),
            partner=partner_a,
            role="primary",
            valid_from=date(2026, 1, 1),
            user=channel_user,
        )
    assert result.created == 40 and result.ended == 20
    assert all(flag(o) for o in b_regs)
    assert not any(flag(o) for o in a_regs)
    assert_flags_match_the_live_view()


def test_a_secondary_assignment_changes_no_flag(partner_a, partner_b):
    account = AccountFactory()
    b_reg = OpportunityFactory(account=account, partner=partner_b)
    apply_assignments([AssignmentRow(account.pk, partner_a.pk, "secondary", date(2026, 1, 1))])
    assert not flag(b_reg)
    assert_flags_match_the_live_view()


def test_importing_assignments_reflags(partner_a, partner_b):
    accounts = AccountFactory.create_batch(3)
    regs = [OpportunityFactory(account=a, partner=partner_b) for a in accounts]
    third = PartnerFactory()
    AssignmentFactory(account=accounts[2], partner=third)
    Opportunity.objects.filter(pk=regs[2].pk).update(has_conflict=True)
    data = (
        "account_siren,partner_siren,role,valid_from\n"
        f"{accounts[0].siren},{partner_a.siren},primary,2026-01-15\n"
        f"{accounts[1].siren},{partner_b.siren},primary,2026-01-15\n"
        f"{accounts[2].siren},{partner_b.siren},primary,2026-01-15\n"
    ).encode()
    result = import_assignments(data)
    assert result.written and result.created == 3
    assert [flag(o) for o in regs] == [True, False, False]
    assert_flags_match_the_live_view()


def test_the_queue_puts_the_newly_conflicting_registration_first(client, channel_user, partner_a, partner_b):
    quiet, account = AccountFactory(), AccountFactory()
    older = OpportunityFactory(account=quiet, partner=partner_b)
    newer = OpportunityFactory(account=account, partner=partner_b)
    services.assignment_create(account=account, partner=partner_a)
    client.force_login(channel_user)
    page = client.get("/opportunities/registrations/")
    assert page.status_code == 200
    assert [o.pk for o, _found in page.context["rows"]] == [newer.pk, older.pk]
