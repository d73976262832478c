"""Shared set-ups of the payments tests: billing details, and runs computed and approved through
the services (so the approval's signal issues the invoices, as in production)."""

import itertools
from datetime import date
from decimal import Decimal

from django.utils import timezone

from commissions import settlement
from commissions.models import SettlementRun, Statement
from ecosystem.periods import parse_period
from ecosystem.validators import french_iban, french_vat_number
from payments.models import BillingDetails

from ..factories import RuleFactory, UserFactory, won

_accounts = itertools.count(1000)


def details_for(partner, *, exempt=False, confirmed=True, entered_by=None, confirmed_by=None) -> BillingDetails:
    """Valid billing details written directly (the services are tested on their own)."""
    now = timezone.now()
    confirmed_by = confirmed_by if confirmed_by is not None else (UserFactory(role="channel") if confirmed else None)
    return BillingDetails.objects.create(
        partner=partner,
        legal_name=f"{partner.name} SAS",
        address_line="12 rue de la Paix",
        postal_code="75002",
        city="Paris",
        vat_number="" if exempt else french_vat_number(partner.siren),
        vat_exempt=exempt,
        vat_exemption_mention="TVA non applicable, art. 293 B du CGI" if exempt else "",
        iban=french_iban(next(_accounts)),
        bic="AGRIFRPP",
        iban_changed_at=now,
        iban_changed_by=entered_by,
        iban_confirmed_at=now if confirmed else None,
        iban_confirmed_by=confirmed_by if confirmed else None,
    )


def computed(period: str, *, runner=None) -> SettlementRun:
    """A run of ``period`` computed in this process, requested by ``runner`` (a channel user by default:
    four eyes needs a recorded requester)."""
    p = parse_period(period)
    runner = runner or UserFactory(role="channel")
    run = SettlementRun.objects.create(period=p.label, period_start=p.start, period_end=p.end, run_by=runner)
    settlement.settle_now(run.pk)
    run.refresh_from_db()
    return run


def approve(run: SettlementRun, approver=None) -> SettlementRun:
    settlement.settlement_approve(run=run, user=approver or UserFactory(role="manager"))
    run.refresh_from_db()
    return run


def deal(partner, amount, day: date):
    return won(partner, Decimal(str(amount)), day)


def percent_rule(rate="0.10"):
    return RuleFactory(rate=Decimal(rate), valid_from=date(2020, 1, 1))


def statement_of(run, partner) -> Statement:
    return Statement.objects.current().get(run=run, partner=partner)
