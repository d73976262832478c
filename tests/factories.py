"""factory-boy factories for the domain. Every SIREN they make passes the check digit."""

import itertools
from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import Account, Assignment
from ecosystem.roles import Role
from ecosystem.validators import siren_with_check_digit
from opportunities.models import Confirmation, Opportunity, RegistrationStatus, Route, Stage
from partners.models import Partner, Roadshow, Secondment

_siren_counter = itertools.count(10_000_000)


def next_siren() -> str:
    return siren_with_check_digit(str(next(_siren_counter)))


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n}")
    siren = factory.LazyFunction(next_siren)
    kind = "integrator"
    tier = "gold"
    regions = factory.LazyFunction(lambda: ["ile_de_france"])
    specialisations = factory.LazyFunction(lambda: ["ai"])
    status = "active"
    joined_on = date(2023, 1, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.CHANNEL
    partner = None
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n}")
    siren = factory.LazyFunction(next_siren)
    sector = "industry"
    region = "ile_de_france"
    city = "Paris"
    employees = 500
    is_select = True
    vendor_awareness = "low"


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    account = factory.SubFactory(AccountFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = "primary"
    valid_from = date(2025, 1, 1)


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    account = factory.SubFactory(AccountFactory)
    partner = factory.SubFactory(PartnerFactory)
    route = Route.PARTNER_SOURCED
    product_line = "ai"
    amount = Decimal("10000.00")
    stage = Stage.REGISTERED
    expected_close = date(2026, 12, 31)
    registration_status = factory.LazyAttribute(lambda o: RegistrationStatus.PENDING if o.partner else None)
    # A won row is a confirmed win unless a test says otherwise (``claim()`` makes an unconfirmed one).
    confirmed_at = factory.LazyAttribute(lambda o: timezone.now() if o.stage == Stage.WON else None)
    confirmed_via = factory.LazyAttribute(lambda o: Confirmation.INTERNAL if o.stage == Stage.WON else None)


class DirectOpportunityFactory(OpportunityFactory):
    partner = None
    route = Route.DIRECT
    registration_status = None


class SecondmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Secondment

    expert_name = factory.Sequence(lambda n: f"Expert {n}")
    expert_email = factory.LazyAttribute(lambda s: f"expert{s.expert_name.split()[-1]}@vendor.example")
    expertise = "technical"
    partner = factory.SubFactory(PartnerFactory)
    starts_on = date(2026, 1, 1)
    ends_on = date(2026, 6, 30)


class RoadshowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Roadshow

    title = factory.Sequence(lambda n: f"Roadshow {n}")
    city = "Lyon"
    region = "auvergne_rhone_alpes"
    date = date(2026, 3, 15)

    @factory.post_generation
    def partners(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.partners.set(extracted)


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "commissions.Program"

    name = factory.Sequence(lambda n: f"Programme {n}")
    valid_from = date(2025, 1, 1)
    status = "active"


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "commissions.Rule"

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Rule {n}")
    calculation = "percent"
    rate = Decimal("0.05")


def won(partner, amount, closed_on, **kwargs):
    """A won, approved partner deal."""
    return OpportunityFactory(
        partner=partner,
        amount=Decimal(str(amount)),
        stage=Stage.WON,
        closed_on=closed_on,
        registration_status=RegistrationStatus.APPROVED,
        **kwargs,
    )


def claim(partner, amount, closed_on, **kwargs):
    """A partner's won deal still awaiting confirmation (SPEC §4.2): it pays and counts nothing yet."""
    amount = Decimal(str(amount))
    return OpportunityFactory(
        partner=partner,
        amount=amount,
        stage=Stage.WON,
        closed_on=closed_on,
        registration_status=RegistrationStatus.APPROVED,
        claimed_amount=amount,
        claimed_closed_on=closed_on,
        claimed_at=timezone.now(),
        awaiting_confirmation=True,
        confirmed_at=None,
        confirmed_via=None,
        **kwargs,
    )
