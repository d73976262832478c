"""Two partners that share accounts, built and then changed through the product's own services.

The differential isolation test (``test_differential_isolation.py``) reads everything partner A's
users can read in this world, then lets partner B, the channel team and a manager change B's side of
it — ``CHANGES`` below, each a real path of the product — and reads everything again: A's answers must
not move. The field review (``test_partner_fields.py``) reads the same world.

Shared accounts go both ways: A primary with B secondary, B primary with A secondary; both partners hold
registrations on them, both have won deals in an approved settlement, both attend one roadshow.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Assignment
from accounts.services import assignment_create, assignment_end
from commissions import paying, settlement
from commissions.disputes import dispute_open
from commissions.models import PayoutLine, SettlementRun
from ecosystem.periods import Period, quarter_of
from ecosystem.roles import Role
from opportunities import services as opportunities
from opportunities.models import Opportunity, Stage
from users.services import invite_user

from ..factories import (
    AccountFactory,
    PartnerFactory,
    ProgramFactory,
    RoadshowFactory,
    RuleFactory,
    SecondmentFactory,
    UserFactory,
)
from .registry import World, _billing_details

#: Registrations on shared accounts conflict with the other partner's primary: the channel team approves them
#: knowingly (an unacknowledged conflict is not approved).
DESPITE_CONFLICT = {"acknowledge_conflict": True, "reason": "Agreed with both partners"}


LONG_AGO = date(2024, 1, 1)  # assignments older than the 180 days of staleness


@dataclass
class SharedWorld:
    base: World
    accounts: dict = field(default_factory=dict)  # name → Account
    deals: dict = field(default_factory=dict)  # name → Opportunity
    roadshows: dict = field(default_factory=dict)
    settled: Period | None = None  # the approved quarter both partners have statements in
    next_quarter: Period | None = None  # the quarter B alone wins in, settled by the changes

    def __getattr__(self, name):  # world.partner_a, world.rep_a, ...
        return getattr(self.base, name)


def _today() -> date:
    return timezone.localdate()


def _assign(world: SharedWorld, account, partner, role="primary", valid_from=LONG_AGO):
    return assignment_create(
        account=account, partner=partner, role=role, valid_from=valid_from, assigned_by=world.channel, reason="plan"
    )


def _register(world: SharedWorld, user, account, product_line, amount, **extra):
    return opportunities.registration_submit(
        user=user,
        account=account,
        product_line=product_line,
        amount=Decimal(amount),
        expected_close=_today() + timedelta(days=60),
        **extra,
    ).opportunity


def _win(world: SharedWorld, deal, closed_on: date, amount: str):
    """The channel team records the booked win (a correction: any stage, any past day)."""
    return opportunities.opportunity_change_stage(
        opportunity=deal, user=world.channel, stage=Stage.WON, closed_on=closed_on, amount=Decimal(amount)
    )


def _settle(world: SharedWorld, period: Period) -> SettlementRun:
    run = settlement.settlement_request(period=period.label, user=world.channel)
    settlement.settle_now(run.pk)  # the job the request enqueues after commit, computed here
    run.refresh_from_db()
    return settlement.settlement_approve(run=run, user=world.manager)


def build(base: World) -> SharedWorld:
    """Partner A's accounts, deals, statements and colleagues, with partner B all around them."""
    world = SharedWorld(base=base)
    today = _today()
    world.next_quarter = quarter_of(today).previous()
    world.settled = world.next_quarter.previous()
    a, b = world.partner_a, world.partner_b

    accounts = {
        "A primary, B secondary": AccountFactory(name="Shared Alpha-primary SA", city="Lyon", sector="luxury"),
        "B primary, A secondary": AccountFactory(name="Shared Bravo-primary SA", city="Lille", sector="banking"),
        "A secondary, no primary": AccountFactory(name="Alpha-secondary Industries", region="bretagne"),
        "A primary, B secondary (ends)": AccountFactory(name="Ending Bravo-secondary SAS", is_select=False),
        "A only": AccountFactory(name="Alpha Only Retail", sector="retail"),
        "B only": AccountFactory(name="Bravo Only Energy", sector="energy", city="Nantes"),
        "nobody's": AccountFactory(name="Nobody Telecom", sector="telecom"),
    }
    world.accounts = accounts
    _assign(world, accounts["A primary, B secondary"], a)
    _assign(world, accounts["A primary, B secondary"], b, "secondary")
    _assign(world, accounts["B primary, A secondary"], b)
    _assign(world, accounts["B primary, A secondary"], a, "secondary")
    _assign(world, accounts["A secondary, no primary"], a, "secondary")
    _assign(world, accounts["A primary, B secondary (ends)"], a)
    _assign(world, accounts["A primary, B secondary (ends)"], b, "secondary")
    _assign(world, accounts["A only"], a, valid_from=today - timedelta(days=20))
    _assign(world, accounts["B only"], b)

    world.roadshows = {
        "both": RoadshowFactory(title="Roadshow Lyon both", partners=[a, b], date=today - timedelta(days=40)),
        "A only": RoadshowFactory(title="Roadshow Rennes A", partners=[a], region="bretagne", city="Rennes"),
    }
    SecondmentFactory(partner=a, expert_name="Expert for Alpha")
    SecondmentFactory(partner=b, expert_name="Expert for Bravo")

    # Commissions: one programme, a percent rule; both partners win in the settled quarter.
    program = ProgramFactory(name="Select accounts programme", valid_from=date(2024, 1, 1))
    RuleFactory(program=program, name="Five percent", rate=Decimal("0.05"))
    won_day = world.settled.start + timedelta(days=10)
    deals = world.deals
    deals["A won (settled)"] = _win(
        world, _register(world, world.rep_a, accounts["A primary, B secondary"], "ai", "100000"), won_day, "100000"
    )
    deals["B won (settled)"] = _win(
        world, _register(world, world.rep_b, accounts["B primary, A secondary"], "data", "70000"), won_day, "70000"
    )
    _settle(world, world.settled)
    line_a = PayoutLine.objects.get(opportunity=deals["A won (settled)"])
    dispute_open(line=line_a, user=world.admin_a, comment="The rate should be eight percent.")

    # Open registrations on the shared accounts, both partners'.
    deals["A pending on A-primary"] = _register(
        world, world.rep_a, accounts["A primary, B secondary"], "security", "50000", roadshow=world.roadshows["both"]
    )
    deals["A approved on B-primary"] = _register(
        world, world.admin_a, accounts["B primary, A secondary"], "ai", "80000"
    )
    opportunities.registration_decide(opportunity=deals["A approved on B-primary"], user=world.channel,
                                      decision="approve", **DESPITE_CONFLICT)  # fmt: skip
    deals["A on A-secondary"] = _register(world, world.rep_a, accounts["A secondary, no primary"], "automation", "9000")
    deals["A on A-only"] = _register(
        world, world.rep_a, accounts["A only"], "hybrid_cloud", "12000", roadshow=world.roadshows["A only"]
    )
    deals["B pending on B-primary"] = _register(world, world.rep_b, accounts["B primary, A secondary"], "security",
                                                "40000")  # fmt: skip
    deals["B approved on A-primary"] = _register(
        world, world.rep_b, accounts["A primary, B secondary"], "data", "60000"
    )
    opportunities.registration_decide(opportunity=deals["B approved on A-primary"], user=world.channel,
                                      decision="approve", **DESPITE_CONFLICT)  # fmt: skip
    for deal in deals.values():
        deal.refresh_from_db()
    return world


# --- What partner B, the channel team and the managers change on B's side ----------------------------


def _assign_b(world: SharedWorld):
    _assign(world, world.accounts["A only"], world.partner_b, "secondary", valid_from=_today())
    _assign(world, world.accounts["A secondary, no primary"], world.partner_b, valid_from=_today())


def _end_b(world: SharedWorld):
    for name in ("B primary, A secondary", "A primary, B secondary (ends)"):
        held = Assignment.objects.open().get(account=world.accounts[name], partner=world.partner_b)
        assignment_end(assignment=held, reason="B no longer covers it")


def _register_b(world: SharedWorld):
    accounts, deals = world.accounts, world.deals
    # The very account and product line A holds a pending registration on: a conflict for the channel team.
    deals["B conflicting on A-primary"] = _register(world, world.rep_b, accounts["A primary, B secondary"],
                                                    "security", "55000", roadshow=world.roadshows["both"])  # fmt: skip
    deals["B on B-primary"] = _register(world, world.rep_b, accounts["B primary, A secondary"], "ai", "30000")
    deals["B on A-only"] = _register(world, world.base.admin_b, accounts["A only"], "hybrid_cloud", "15000")
    deals["B on A-secondary"] = _register(world, world.rep_b, accounts["A secondary, no primary"], "automation", "5000")


def _approve_b(world: SharedWorld):
    for name in ("B conflicting on A-primary", "B pending on B-primary", "B on A-only"):
        opportunities.registration_decide(
            opportunity=world.deals[name], user=world.channel, decision="approve", **DESPITE_CONFLICT
        )
    opportunities.registration_decide(
        opportunity=world.deals["B on A-secondary"], user=world.channel, decision="reject", reason="duplicate"
    )
    deal = Opportunity.objects.get(pk=world.deals["B approved on A-primary"].pk)
    opportunities.extension_request(opportunity=deal, user=world.rep_b, reason="The customer's board meets late")
    opportunities.extension_decide(opportunity=deal, user=world.channel, grant=True)


def _win_b(world: SharedWorld):
    next_day = world.next_quarter.start + timedelta(days=5)
    _win(world, Opportunity.objects.get(pk=world.deals["B conflicting on A-primary"].pk), next_day, "58000")
    _win(world, Opportunity.objects.get(pk=world.deals["B on A-only"].pk), next_day, "15000")
    # A late win of B in the approved quarter: an adjustment in the next run, B's alone.
    late = _register(world, world.rep_b, world.accounts["B primary, A secondary"], "infrastructure", "20000")
    _win(world, late, world.settled.start + timedelta(days=20), "20000")
    # A partner user's own move of an open deal.
    opportunities.opportunity_change_stage(
        opportunity=Opportunity.objects.get(pk=world.deals["B pending on B-primary"].pk),
        user=world.rep_b,
        stage=Stage.QUALIFIED,
    )


def _settle_b(world: SharedWorld):
    from payments.payment_files import payment_file_create
    from payments.releasing import payment_file_cancel, payment_file_execute, payment_file_release

    _billing_details(world.partner_b)  # before the approval: B's invoice is issued with it
    run = _settle(world, world.next_quarter)
    # B is paid as a finance team would: a first file cancelled, a second one made by the channel team,
    # released by another channel user, executed by the bank.
    execution = _today() + timedelta(days=3)
    first = payment_file_create(run=run, user=world.channel, execution_date=execution)
    payment_file_cancel(payment_file=first, user=world.channel, reason="Wrong execution date")
    second = payment_file_create(run=run, user=world.channel, execution_date=execution)
    payment_file_release(payment_file=second, user=UserFactory(role=Role.CHANNEL, username="releaser_b"))
    payment_file_execute(payment_file=second, user=world.channel, executed_on=_today(), bank_reference="BQ-B-ONLY")
    assert paying.payment_progress(run).complete, "the run of B's quarter is paid by B's file"
    line_b = PayoutLine.objects.filter(partner=world.partner_b, run__period=world.settled.label).first()
    dispute_open(line=line_b, user=world.base.admin_b, comment="B disputes its line")


def _roadshows_and_people_b(world: SharedWorld):
    client = APIClient()
    client.force_authenticate(world.channel)
    roadshow = world.roadshows["A only"]
    response = client.patch(
        f"/api/v1/roadshows/{roadshow.pk}/", {"partners": [world.partner_a.pk, world.partner_b.pk]}, format="json"
    )
    assert response.status_code == 200, response.content
    RoadshowFactory(title="Roadshow Bravo alone", partners=[world.partner_b])
    SecondmentFactory(partner=world.partner_b, expert_name="Second expert for Bravo")
    # B's administrator invites a colleague, and (held: the address is A's rep's) someone A already has.
    for email in ("new.colleague@bravo.example", world.rep_a.email):
        invite_user(actor=world.base.admin_b, email=email, role=Role.PARTNER_REP, base_url="http://testserver/")
    UserFactory(role=Role.PARTNER_REP, partner=world.partner_b, username="bravo.rep2")
    PartnerFactory(name="Charlie Newcomer")  # a new partner the channel team signs


#: Each change of B's side, in order, with what it does (the differential test applies them all). A new kind
#: of data a partner owns (a claim, a booking confirming it, a quota, billing details...) gets its change here,
#: made through the product's own service or API, so that what A reads is proven not to depend on it.
CHANGES = [
    ("assign B: secondary where A is primary, primary where A is secondary", _assign_b),
    ("end B's primary where A is secondary, and B's secondary where A is primary", _end_b),
    ("B registers on every account it shares with A, one in conflict with A's registration", _register_b),
    ("the channel team approves and rejects B's registrations, grants B an extension", _approve_b),
    ("B's deals won (one late, in the approved quarter), B moves an open deal on", _win_b),
    (
        "settle and approve B's quarter, pay B by a payment file (one cancelled, one released and executed); B "
        "disputes a line",
        _settle_b,
    ),
    ("B joins A's roadshow, gets a secondment and users (one with A's rep's address)", _roadshows_and_people_b),
]


def change_the_other_partner(world: SharedWorld) -> None:
    for _label, change in CHANGES:
        change(world)
