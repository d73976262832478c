"""Type-ahead pickers in the commission pages and API (issue 14 item 2): every partner filter and the
partner choice of the quota and estimator forms take a partner picked by name, SIREN or id — never a long
dropdown nor a numeric id box — and a partner user is never offered, nor told of, another partner."""

from datetime import date
from decimal import Decimal as D

import pytest

from commissions.forms import EstimateForm, QuotaForm
from commissions.models import Dispute, ManualAdjustment, Quota, SettlementException, Statement

from ..factories import RuleFactory, won
from .helpers import Q3_DAY, approved, current_lines

PICKER = 'data-picker-url="/api/v1/partners/pick/'


@pytest.fixture
def q3(users, partner_a, partner_b):
    """An approved Q3: a statement, an exception, a dispute, a quota and an adjustment for each partner."""
    RuleFactory(rate=D("0.1"), product_lines=["ai"])
    for partner in (partner_a, partner_b):
        won(partner, "1000.00", Q3_DAY)
        won(partner, "300.00", Q3_DAY, product_line="security")  # no rule pays it: an exception
        Quota.objects.create(partner=partner, period="2026-Q3", amount=D("50000"))
    run = approved(runner=users["channel"], approver=users["manager"])
    for partner, admin in ((partner_a, users["partner_admin"]), (partner_b, users["rep_b"])):
        line = current_lines(run).get(partner=partner)
        dispute = Dispute.objects.create(line=line, opened_by=admin)
        ManualAdjustment.objects.create(
            partner=partner, opportunity=line.opportunity, line=line, amount=D("10.00"), reason="x",
            created_by=users["channel"], dispute=dispute,
        )  # fmt: skip
    return run


def _ids(response):
    assert response.status_code == 200, response.content[:300]
    return {row["id"] for row in response.json()["results"]}


LISTS = [
    # (page or None, API list, model, partner field)
    ("/commissions/statements/", "/api/v1/statements/", Statement, "partner"),
    ("/commissions/exceptions/", "/api/v1/settlement-exceptions/", SettlementException, "partner"),
    ("/commissions/disputes/", "/api/v1/disputes/", Dispute, "line__partner"),
    ("/commissions/quotas/", "/api/v1/quotas/", Quota, "partner"),
    (None, "/api/v1/manual-adjustments/", ManualAdjustment, "partner"),
]


@pytest.mark.parametrize("page, api_list, model, field", LISTS)
def test_internal_filters_pick_a_partner_by_siren_or_id(
    client, api, users, q3, partner_a, page, api_list, model, field
):
    expected = set(model.objects.filter(**{field: partner_a}).values_list("pk", flat=True))
    assert expected
    channel = api(users["channel"])
    for value in (partner_a.siren, partner_a.pk):
        assert _ids(channel.get(api_list, {"partner": value})) & set(model.objects.values_list("pk", flat=True)) == (
            expected
        ), value
    answer = channel.get(api_list, {"partner": "not a partner"})
    assert answer.status_code == 400 and "partner" in answer.json()
    if page:
        client.force_login(users["channel"])
        response = client.get(page, {"partner": partner_a.siren})
        html = response.content.decode()
        assert PICKER in html and f'data-picker-label="{partner_a.name} ({partner_a.siren})"' in html
        assert '<select name="partner"' not in html
        assert {row.pk for row in response.context["object_list"]} == expected


@pytest.mark.parametrize("page, api_list, model, field", LISTS)
def test_a_partner_users_filter_never_names_another_partner(api, users, q3, partner_b, page, api_list, model, field):
    rep = api(users["partner_admin"])
    theirs = rep.get(api_list, {"partner": partner_b.siren})
    unknown = rep.get(api_list, {"partner": "999999999"})
    by_id, unknown_id = rep.get(api_list, {"partner": partner_b.pk}), rep.get(api_list, {"partner": "999999"})
    if theirs.status_code == 403:  # a list the partner roles may not read at all
        assert unknown.status_code == 403
        return
    assert (theirs.status_code, theirs.json()) == (unknown.status_code, unknown.json())
    assert by_id.status_code == unknown_id.status_code and by_id.json() == unknown_id.json()


def test_the_quota_form_picks_a_partner(client, users, partner_a, partner_b):
    form = QuotaForm(user=users["channel"])
    html = str(form["partner"])
    assert PICKER in html and "<option" not in html
    client.force_login(users["channel"])
    page = client.get("/commissions/quotas/new/").content.decode()
    assert PICKER in page and partner_b.name not in page  # no list of every partner
    response = client.post(
        "/commissions/quotas/new/", {"partner": partner_b.siren, "period": "2026-Q4", "amount": "120000"}
    )
    assert response.status_code == 302, response.content[:500]
    assert Quota.objects.get(partner=partner_b, period="2026-Q4").amount == D("120000")
    refused = QuotaForm({"partner": "999999", "period": "2026-Q4", "amount": "1"}, user=users["channel"])
    assert not refused.is_valid() and "partner" in refused.errors


def test_the_estimator_picks_the_partner_and_the_account(client, users, partner_a, partner_b):
    from ..factories import AccountFactory

    account = AccountFactory(name="Estimée SA")
    RuleFactory(name="AI 8 %", rate=D("0.08"), valid_from=date(2020, 1, 1))
    internal = EstimateForm(user=users["channel"])
    assert PICKER in str(internal["partner"]) and "<option" not in str(internal["partner"])
    assert 'data-picker-url="/api/v1/accounts/pick/?nameable=1"' in str(internal["account"])
    form = EstimateForm(
        {"partner": partner_b.siren, "account": account.siren, "product_line": "ai", "amount": "1000"},
        user=users["channel"],
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["the_partner"] == partner_b and form.cleaned_data["the_account"] == account
    # A partner user names no partner: it estimates for itself, whatever it sends.
    rep = EstimateForm(
        {"partner": partner_b.pk, "account": account.siren, "product_line": "ai", "amount": "1000"},
        user=users["partner_rep"],
    )
    assert "partner" not in rep.fields and rep.is_valid(), rep.errors
    assert rep.cleaned_data["the_partner"] == partner_a


def test_a_partner_users_pickers_never_offer_another_partner(api, users, partner_a, partner_b):
    rep = api(users["partner_rep"])
    for text in (partner_b.name, partner_b.siren, "a"):
        offered = _ids(rep.get("/api/v1/partners/pick/", {"q": text}))
        assert partner_b.pk not in offered and offered <= {partner_a.pk}
