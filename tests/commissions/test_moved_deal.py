"""Issue 12: a statement line whose deal has since moved to another partner shows none of that partner's data.

An approved line never changes (SPEC §4), but it points at its deal, and what it showed of the deal (account,
product line, closing date) was read from the deal as it is now. A booking that moves the deal to partner B
(another account, product line, date) then showed B's deal inside partner A's statement, disputes and CSV.
Now the line shows the deal's id only once it is another partner's (``PayoutLine.shown_deal``); its own
amounts and explanation stay. The finance export of the whole run (internal) still shows the deal as it is.
"""

import csv
import io
from datetime import date

import pytest

from commissions.disputes import dispute_open
from commissions.models import PayoutLine, Statement
from insights.bookings import import_bookings
from tests.factories import AccountFactory, ProgramFactory, RuleFactory, won

from .helpers import approved

pytestmark = pytest.mark.django_db

SECRET_ACCOUNT = "Bravo Secret Target"


def _booking(deal, account, partner, product_line, closed_on) -> bytes:
    return (
        "external_id,account_siren,partner_siren,route,product_line,amount,closed_on\n"
        f"{deal.external_id},{account.siren},{partner.siren},partner_sourced,{product_line},100000,{closed_on}\n"
    ).encode()


def _content(response) -> str:
    assert response.status_code == 200, response.status_code
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8")
    return response.content.decode()


def test_a_partner_statement_never_shows_the_deal_as_another_partner_now_has_it(
    partner_a, partner_b, admin_a, channel_user, api, client
):
    RuleFactory(program=ProgramFactory(), rate="0.05")
    account = AccountFactory(name="Alpha Original Customer")
    deal = won(partner_a, "100000", date(2026, 7, 10), account=account, product_line="ai", external_id="ORD-1")
    run = approved("2026-Q3", runner=channel_user)
    statement = Statement.objects.get(run=run, partner=partner_a)
    line = PayoutLine.objects.get(opportunity=deal)
    dispute = dispute_open(line=line, user=admin_a, comment="check")
    client.force_login(admin_a)
    urls = {
        "api statement": (api(admin_a), f"/api/v1/statements/{statement.pk}/"),
        "api statement csv": (api(admin_a), f"/api/v1/statements/{statement.pk}/export/"),
        "api dispute": (api(admin_a), f"/api/v1/disputes/{dispute.pk}/"),
        "api disputes": (api(admin_a), "/api/v1/disputes/"),
        "statement page": (client, f"/commissions/statements/{statement.pk}/"),
        "statement csv": (client, f"/commissions/statements/{statement.pk}/export.csv"),
        "dispute page": (client, f"/commissions/disputes/{dispute.pk}/"),
        "disputes page": (client, "/commissions/disputes/"),
    }
    before = {name: _content(c.get(url)) for name, (c, url) in urls.items()}
    assert all("Alpha Original Customer" in text for text in before.values())

    # The order system books the deal for partner B, on another account, another product line and day.
    secret = AccountFactory(name=SECRET_ACCOUNT)
    result = import_bookings(_booking(deal, secret, partner_b, "security", "2026-08-21"))
    assert result.written and result.updated == 1

    for name, (c, url) in urls.items():
        text = _content(c.get(url))
        for leaked in (SECRET_ACCOUNT, "security", "Sécurité", "Security", "2026-08-21"):
            assert leaked not in text, f"{name}: partner B's deal shows in partner A's statement ({leaked!r})"
        assert "Alpha Original Customer" not in text  # what the deal is now is not shown at all
    body = api(admin_a).get(f"/api/v1/statements/{statement.pk}/").json()
    (shown,) = body["lines"]
    assert (shown["opportunity"], shown["base_amount"], shown["payout"]) == (deal.pk, "100000.00", "5000.00")
    assert (shown["account"], shown["product_line"], shown["closed_on"]) == (None, None, None)
    rows = list(csv.DictReader(io.StringIO(_content(api(admin_a).get(urls["api statement csv"][1])).lstrip("\ufeff"))))
    assert [(r["opportunity"], r["account"], r["product_line"], r["payout"]) for r in rows] == [
        (str(deal.pk), "", "", "5000.00")
    ]
    # The channel team's finance export of the whole run shows the deal as it is now.
    finance = _content(api(channel_user).get(f"/api/v1/settlements/{run.pk}/export/"))
    assert SECRET_ACCOUNT in finance
