"""Issue 12: on an account two partners share, a partner user's list, filters and exports read its own coverage.

Partner A is primary on ``a_primary`` (B secondary there) and secondary on ``b_primary`` (B primary there).
What A's users are told about these accounts — the export's columns, ``?assigned=``, ``?partner=``,
``?stale=`` — comes from A's own assignments and opportunities only, and does not move when B's do.
The internal roles keep the coverage of every partner. (The generated differential test in
``tests/foundation/test_differential_isolation.py`` checks every endpoint this way; these are the four
leaks the issue reported, spelled out.)
"""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Assignment
from accounts.services import assignment_create, assignment_end
from opportunities.services import registration_submit
from tests.factories import AccountFactory, AssignmentFactory, OpportunityFactory, UserFactory

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.localdate() - timedelta(days=400)


@pytest.fixture
def shared(partner_a, partner_b):
    a_primary = AccountFactory(name="A primary, B secondary")
    b_primary = AccountFactory(name="B primary, A secondary")
    a_only = AccountFactory(name="A only")
    AssignmentFactory(account=a_primary, partner=partner_a, valid_from=LONG_AGO)
    AssignmentFactory(account=a_primary, partner=partner_b, role="secondary", valid_from=LONG_AGO)
    AssignmentFactory(account=b_primary, partner=partner_b, valid_from=LONG_AGO)
    AssignmentFactory(account=b_primary, partner=partner_a, role="secondary", valid_from=LONG_AGO)
    AssignmentFactory(account=a_only, partner=partner_a, valid_from=LONG_AGO)
    OpportunityFactory(account=a_only, partner=partner_a)  # A's coverage of a_only is alive
    return {"a_primary": a_primary, "b_primary": b_primary, "a_only": a_only}


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json()["results"])


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(body)))


def test_the_exports_give_a_partner_its_own_role_never_the_primary_partner(
    shared, partner_a, partner_b, rep_a, api, client, channel_user
):
    for response in (api(rep_a).get("/api/v1/accounts/export/"), _page(client, rep_a).get("/accounts/export.csv")):
        body = b"".join(response.streaming_content).decode("utf-8")
        assert partner_b.siren not in body and partner_b.name not in body
        rows = {row["name"]: row for row in csv.DictReader(io.StringIO(body.lstrip("\ufeff")))}
        assert list(next(iter(rows.values()))) == [
            "siren", "name", "sector", "region", "city", "employees", "is_select", "vendor_awareness", "partner_role",
        ]  # fmt: skip
        assert {name: row["partner_role"] for name, row in rows.items()} == {
            "A primary, B secondary": "primary",
            "B primary, A secondary": "secondary",
            "A only": "primary",
        }
    # The channel team keeps the primary partner's columns.
    rows = {row["name"]: row for row in csv_rows(api(channel_user).get("/api/v1/accounts/export/"))}
    assert rows["B primary, A secondary"]["primary_partner_siren"] == partner_b.siren
    assert rows["A primary, B secondary"]["primary_partner"] == partner_a.name


def test_the_list_tells_a_partner_its_own_role(shared, rep_a, api, client, channel_user):
    roles = {row["name"]: row["partner_role"] for row in api(rep_a).get("/api/v1/accounts/").json()["results"]}
    assert roles == {"A primary, B secondary": "primary", "B primary, A secondary": "secondary", "A only": "primary"}
    detail = api(rep_a).get(f"/api/v1/accounts/{shared['b_primary'].pk}/").json()
    assert detail["partner_role"] == "secondary"
    assert "partner_role" not in api(channel_user).get("/api/v1/accounts/").json()["results"][0]
    html = _page(client, rep_a).get("/accounts/").content.decode()
    assert "Our role" in html and "Secondary" in html


def test_another_partners_id_answers_like_an_id_that_does_not_exist(shared, partner_a, partner_b, rep_a, api, client):
    unknown = partner_b.pk + 1000
    for url in ("/api/v1/accounts/?partner={}", "/api/v1/accounts/export/?partner={}"):
        other, missing = api(rep_a).get(url.format(partner_b.pk)), api(rep_a).get(url.format(unknown))
        # the partner picker filter refuses a partner outside the caller's scope as it refuses an unknown one
        assert other.status_code == missing.status_code == 400
        assert _content(other) == _content(missing)
    assert names(api(rep_a).get(f"/api/v1/accounts/?partner={partner_a.pk}")) == sorted(a.name for a in shared.values())
    page = _page(client, rep_a)
    other, missing = page.get(f"/accounts/?partner={partner_b.pk}"), page.get(f"/accounts/?partner={unknown}")
    assert _page_text(other, partner_b.pk) == _page_text(missing, unknown)


def test_assigned_means_my_partner_is_primary_and_ignores_the_others(shared, partner_b, rep_a, api, channel_user):
    assert names(api(rep_a).get("/api/v1/accounts/?assigned=true")) == ["A only", "A primary, B secondary"]
    assert names(api(rep_a).get("/api/v1/accounts/?assigned=false")) == ["B primary, A secondary"]
    # The channel team ends B's primary on the account A covers as secondary: nothing moves for A.
    b_primary = Assignment.objects.get(account=shared["b_primary"], partner=partner_b)
    assignment_end(assignment=b_primary, reason="ended")
    assert names(api(rep_a).get("/api/v1/accounts/?assigned=true")) == ["A only", "A primary, B secondary"]
    assert names(api(rep_a).get("/api/v1/accounts/?assigned=false")) == ["B primary, A secondary"]
    # Internal users: any open primary.
    assert "B primary, A secondary" in names(api(channel_user).get("/api/v1/accounts/?assigned=false"))


def test_stale_is_my_own_coverage_and_ignores_the_others_deals(shared, partner_b, rep_a, rep_b, api, channel_user):
    stale = ["A primary, B secondary", "B primary, A secondary"]
    assert names(api(rep_a).get("/api/v1/accounts/?stale=true")) == stale
    assert names(api(rep_a).get("/api/v1/accounts/?stale=false")) == ["A only"]
    # B registers deals on both shared accounts; B becomes primary elsewhere too: A's answer does not move.
    for account in (shared["a_primary"], shared["b_primary"]):
        registration_submit(user=rep_b, account=account, product_line="ai", amount="1000",
                            expected_close=timezone.localdate() + timedelta(days=30))  # fmt: skip
    assignment_create(account=AccountFactory(), partner=partner_b, assigned_by=channel_user)
    assert names(api(rep_a).get("/api/v1/accounts/?stale=true")) == stale
    # For the channel team, B's deal revives the account B is primary on.
    assert "B primary, A secondary" not in names(api(channel_user).get("/api/v1/accounts/?stale=true"))


def test_the_filter_form_says_what_the_filters_mean_for_a_partner(shared, rep_a, channel_user, client):
    html = _page(client, rep_a).get("/accounts/").content.decode()
    assert "My partner is primary" in html and "Has an open primary assignment" not in html
    html = _page(client, channel_user).get("/accounts/").content.decode()
    assert "Has an open primary assignment" in html and "My partner is primary" not in html


def _page(client, user):
    client.force_login(user)
    return client


def _page_text(response, asked) -> str:
    """The page with the id asked for (in the filter form and the links) and the per-response CSRF token left out."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    text = re.sub(rf'(<input[^>]*name="partner"[^>]*value="){asked}"', r'\1ID"', text)
    return re.sub(rf"([?&]partner=){asked}\b", r"\1ID", text)


def _content(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def test_a_new_partner_user_sees_the_same(shared, partner_a, api):
    """Nothing depends on the user: a partner admin invited later reads the same roles."""
    admin = UserFactory(role="partner_admin", partner=partner_a)
    roles = {row["name"]: row["partner_role"] for row in api(admin).get("/api/v1/accounts/").json()["results"]}
    assert roles["B primary, A secondary"] == "secondary"


def test_another_partners_new_primary_does_not_write_its_reason_on_the_row_it_ends(
    partner_a, partner_b, rep_a, api, channel_user
):
    """The reason given for B's new primary is about B: A's ended assignment, which A reads, says 'Reassigned'."""
    from datetime import date

    from accounts.assigning import AssignmentRow, apply_assignments

    one, two = AccountFactory(), AccountFactory()
    for account in (one, two):
        AssignmentFactory(account=account, partner=partner_a, valid_from=LONG_AGO)
    secret = "Bravo signed a framework agreement with them"
    assignment_create(account=one, partner=partner_b, assigned_by=channel_user, reason=secret)
    apply_assignments([AssignmentRow(two.pk, partner_b.pk, "primary", date.today())], user=channel_user, reason=secret)
    for url in ("/api/v1/assignments/", "/api/v1/assignments/export/"):
        response = api(rep_a).get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert secret.encode() not in body and b"Reassigned" in body
    # A role change of the same partner keeps the reason given.
    three = AccountFactory()
    AssignmentFactory(account=three, partner=partner_a, role="secondary", valid_from=LONG_AGO)
    apply_assignments([AssignmentRow(three.pk, partner_a.pk, "primary", date.today())], reason="Promoted")
    assert Assignment.objects.get(account=three, valid_to__isnull=False).reason == "Promoted"
