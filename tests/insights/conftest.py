"""A small data set with hand-computed figures (2025-Q1 and 2025-Q2).

2025-Q1: direct 100 (A1), sourced 50 by gold P (A1), influenced 50 by silver Q (A2)
         → total 200, sourced 50, influenced 50, share 0.5000
2025-Q2: direct 250 (A2), sourced 100 by Q (A2)
         → total 350, sourced 100, share 0.2857
Never counted: a lost deal, an open deal, a won deal of 2025-Q3 outside the range.
A1: Île-de-France, industry, select. A2: Bretagne, banking, not select.
"""

from datetime import date
from decimal import Decimal

import pytest

from opportunities.models import Route, Stage
from tests.factories import AccountFactory, DirectOpportunityFactory, OpportunityFactory, PartnerFactory, won


@pytest.fixture
def dataset(db):
    a1 = AccountFactory(name="Acme", region="ile_de_france", sector="industry", is_select=True)
    a2 = AccountFactory(name="Bretel", region="bretagne", sector="banking", is_select=False)
    p = PartnerFactory(name="Gold P", tier="gold")
    q = PartnerFactory(name="Silver Q", tier="silver")
    DirectOpportunityFactory(account=a1, amount=Decimal("100"), stage=Stage.WON, closed_on=date(2025, 2, 10))
    won(p, 50, date(2025, 3, 1), account=a1)
    won(q, 50, date(2025, 1, 15), account=a2, route=Route.PARTNER_INFLUENCED, product_line="data")
    DirectOpportunityFactory(
        account=a2, amount=Decimal("250"), stage=Stage.WON, closed_on=date(2025, 5, 5), product_line="data"
    )
    won(q, 100, date(2025, 6, 30), account=a2, product_line="data")
    # Never counted in 2025-Q1..Q2:
    OpportunityFactory(partner=p, account=a1, amount=Decimal("1000"), stage=Stage.LOST, closed_on=date(2025, 2, 1))
    OpportunityFactory(partner=p, account=a1, amount=Decimal("500"), stage=Stage.QUALIFIED)
    won(p, 777, date(2025, 7, 1), account=a1)
    return {"a1": a1, "a2": a2, "p": p, "q": q}
