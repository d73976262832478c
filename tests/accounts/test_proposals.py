"""The proposal engine: pure scoring, then the proposal's life (compute, review, accept some/all, discard)."""

import re
from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Assignment, AssignmentProposal, ProposalItem, ProposalStatus
from accounts.proposals import (
    NO_CAPACITY_LEFT,
    NO_PARTNER_IN_REGION,
    CandidatePartner,
    UnassignedAccount,
    fit,
    propose,
)
from accounts.proposing import proposal_accept, proposal_discard, proposal_request
from tests.factories import AccountFactory, AssignmentFactory, OpportunityFactory, PartnerFactory


def partner(pid, regions=("ile_de_france",), specs=(), tier="silver", capacity=10, load=0, wins=None):
    return CandidatePartner(
        id=pid,
        name=f"P{pid}",
        regions=frozenset(regions),
        specialisations=frozenset(specs),
        tier=tier,
        capacity=capacity,
        open_primaries=load,
        sector_wins=wins or {},
    )


def account(aid, region="ile_de_france", sector="banking", employees=100):
    return UnassignedAccount(aid, region, sector, employees)


class TestScoring:
    def test_fit_adds_specialisations_track_record_and_tier(self):
        score, reasons = fit(
            partner(1, specs=("security", "data", "ai"), tier="platinum", wins={"banking": 3}), "banking"
        )
        # two matching lines (security, data) × 2 + 3 wins × 0.5 + platinum 1
        assert score == Decimal("2") * 2 + Decimal("1.5") + Decimal("1")
        assert {"kind": "won_deals", "count": 3, "sector": "banking"} in reasons

    def test_specialisation_points_are_capped_at_two_lines(self):
        full = partner(1, specs=("security", "data", "infrastructure"))
        assert fit(full, "banking")[0] == Decimal("4")

    def test_the_best_fit_wins(self):
        result = propose([account(1)], [partner(1), partner(2, specs=("security",))])
        assert [(i.account_id, i.partner_id) for i in result.items] == [(1, 2)]
        assert result.items[0].reasons[0] == {"kind": "serves", "region": "ile_de_france"}

    def test_region_is_required(self):
        result = propose([account(1, region="bretagne")], [partner(1)])
        assert result.items == [] and result.unplaced == {1: NO_PARTNER_IN_REGION}

    def test_capacity_is_never_exceeded(self):
        accounts = [account(i) for i in range(1, 8)]
        result = propose(accounts, [partner(1, capacity=3, load=1), partner(2, capacity=2)])
        by_partner = {}
        for item in result.items:
            by_partner[item.partner_id] = by_partner.get(item.partner_id, 0) + 1
        assert by_partner == {1: 2, 2: 2}
        assert len(result.unplaced) == 3 and set(result.unplaced.values()) == {NO_CAPACITY_LEFT}

    def test_load_is_balanced_between_equal_partners(self):
        accounts = [account(i) for i in range(1, 11)]
        result = propose(accounts, [partner(1, capacity=100), partner(2, capacity=100)])
        counts = [sum(1 for i in result.items if i.partner_id == p) for p in (1, 2)]
        assert counts == [5, 5]

    def test_bigger_accounts_are_placed_first(self):
        small, big = account(1, employees=10), account(2, employees=50_000)
        result = propose([small, big], [partner(1, capacity=1, specs=("security",)), partner(2, capacity=1)])
        assert {(i.account_id, i.partner_id) for i in result.items} == {(2, 1), (1, 2)}

    def test_input_order_does_not_change_the_result(self):
        accounts = [account(i, sector=s) for i, s in enumerate(["banking", "luxury", "industry"] * 5, 1)]
        partners = [partner(1, specs=("ai",)), partner(2, specs=("security",), capacity=4), partner(3, tier="gold")]
        assert propose(accounts, partners).items == propose(list(reversed(accounts)), list(reversed(partners))).items


@pytest.fixture
def region_setup(db):
    """Two partners in Île-de-France, one with a banking track record; three unassigned select banks."""
    strong = PartnerFactory(name="Strong", specialisations=["security", "data"], capacity=2)
    weak = PartnerFactory(name="Weak", specialisations=[], capacity=5)
    PartnerFactory(name="Elsewhere", regions=["bretagne"], specialisations=["security"])
    banks = [AccountFactory(name=f"Bank {i}", sector="banking", employees=1000 * i) for i in range(1, 4)]
    won_bank = AccountFactory(sector="banking", is_select=False)
    OpportunityFactory(account=won_bank, partner=strong, stage="won", closed_on=date.today(), amount=Decimal("5000"))
    covered = AccountFactory(name="Covered")
    AssignmentFactory(account=covered, partner=weak)
    return {"strong": strong, "weak": weak, "banks": banks, "covered": covered}


def test_a_proposal_is_computed_by_a_job_and_writes_nothing(
    region_setup, channel_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_request(user=channel_user, params={})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.READY
    assert proposal.job.state == "succeeded"
    items = {i.account.name: i.partner.name for i in proposal.items.select_related("account", "partner")}
    # the covered account is not proposed; the two biggest banks go to Strong (capacity 2), the third to Weak
    assert items == {"Bank 3": "Strong", "Bank 2": "Strong", "Bank 1": "Weak"}
    assert proposal.summary["proposed"] == 3 and proposal.summary["accounts"] == 3
    assert Assignment.objects.count() == 1  # nothing written yet


def test_accepting_some_items_leaves_the_others_to_decide(
    region_setup, channel_user, django_capture_on_commit_callbacks
):
    """Accepting the ticked rows writes those only; the rest stay proposed (they used to be closed
    as "not applied" at once), and the proposal is applied when nothing is left to decide."""
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_request(user=channel_user, params={})
    first, second, third = proposal.items.order_by("id")
    result = proposal_accept(proposal=proposal, user=channel_user, item_ids=[first.pk])
    assert result["accepted"] == 1 and result["remaining"] == 2
    assignment = Assignment.objects.get(account=first.account)
    assert assignment.partner_id == first.partner_id and assignment.assigned_by == channel_user
    assert assignment.reason == f"Proposal #{proposal.pk}"
    assert assignment.history.count() == 1
    assert Assignment.objects.count() == 2
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.READY and proposal.decided_by is None
    assert sorted(proposal.items.values_list("status", flat=True)) == ["accepted", "proposed", "proposed"]
    assert proposal.summary["accepted"] == 1

    with pytest.raises(Exception, match="not items of this proposal"):
        proposal_accept(proposal=proposal, user=channel_user, item_ids=[first.pk])  # decided already

    result = proposal_accept(proposal=proposal, user=channel_user, item_ids=[second.pk])
    assert result["remaining"] == 1
    result = proposal_accept(proposal=proposal, user=channel_user)  # accept all: the one left
    assert result == {"accepted": 1, "assigned_meanwhile": 0, "created": 1, "remaining": 0}
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPLIED and proposal.decided_by == channel_user
    assert proposal.summary["accepted"] == 3
    assert Assignment.objects.count() == 4
    with pytest.raises(Exception, match="applied"):
        proposal_accept(proposal=proposal, user=channel_user)


def test_discarding_the_rest_keeps_what_was_accepted(region_setup, channel_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_request(user=channel_user, params={})
    first = proposal.items.order_by("id").first()
    proposal_accept(proposal=proposal, user=channel_user, item_ids=[first.pk])
    proposal_discard(proposal=proposal, user=channel_user)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DISCARDED and proposal.decided_by == channel_user
    statuses = dict(proposal.items.values_list("pk", "status"))
    assert statuses.pop(first.pk) == "accepted" and set(statuses.values()) == {"skipped"}
    assert set(proposal.items.exclude(pk=first.pk).values_list("note", flat=True)) == {"discarded"}
    assert Assignment.objects.count() == 2  # the accepted one stays written


def test_accept_all_skips_accounts_assigned_meanwhile(region_setup, channel_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_request(user=channel_user, params={})
    bank = region_setup["banks"][0]
    AssignmentFactory(account=bank, partner=region_setup["weak"])
    result = proposal_accept(proposal=proposal, user=channel_user)
    assert result == {"accepted": 2, "assigned_meanwhile": 1, "created": 2, "remaining": 0}
    assert Assignment.objects.open().filter(account=bank).count() == 1
    assert ProposalItem.objects.get(proposal=proposal, account=bank).note == "assigned_meanwhile"


def test_unknown_items_are_refused_and_nothing_is_written(
    region_setup, channel_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_request(user=channel_user, params={})
    with pytest.raises(Exception, match="not items of this proposal"):
        proposal_accept(proposal=proposal, user=channel_user, item_ids=[999999])
    assert Assignment.objects.count() == 1
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.READY


def test_discard_writes_nothing(region_setup, channel_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_request(user=channel_user, params={"region": ["ile_de_france"]})
    proposal_discard(proposal=proposal, user=channel_user)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DISCARDED and proposal.decided_by == channel_user
    assert Assignment.objects.count() == 1


def test_scope_filters_and_bad_scope(region_setup, channel_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_request(user=channel_user, params={"sector": ["luxury"]})
    proposal.refresh_from_db()
    assert proposal.summary["accounts"] == 0
    with pytest.raises(Exception, match="unknown region"):
        proposal_request(user=channel_user, params={"region": ["atlantis"]})


class TestApi:
    def test_channel_requests_reviews_and_accepts(
        self, region_setup, channel_user, api, django_capture_on_commit_callbacks
    ):
        client = api(channel_user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/api/v1/assignment-proposals/", {"region": ["ile_de_france"]}, format="json")
        assert response.status_code == 202, response.content
        pk = response.json()["id"]
        items = client.get(f"/api/v1/assignment-proposals/{pk}/items/").json()
        assert items["count"] == 3 and items["results"][0]["score"]
        some = [items["results"][0]["id"]]
        assert (
            client.post(f"/api/v1/assignment-proposals/{pk}/accept/", {"items": some}, format="json").json()["accepted"]
            == 1
        )
        rest = client.post(f"/api/v1/assignment-proposals/{pk}/accept/", {}, format="json").json()
        assert rest["accepted"] == 2 and rest["remaining"] == 0
        again = client.post(f"/api/v1/assignment-proposals/{pk}/discard/")
        assert again.status_code == 400 and "applied" in str(again.json())

    def test_bad_region_names_the_field(self, region_setup, channel_user, api):
        response = api(channel_user).post("/api/v1/assignment-proposals/", {"region": ["atlantis"]}, format="json")
        assert response.status_code == 400 and "region" in response.json()
        assert AssignmentProposal.objects.count() == 0

    @pytest.mark.parametrize("who", ["partner_admin", "partner_rep"])
    def test_partner_users_get_nothing(self, region_setup, users, api, who, channel_user):
        proposal = AssignmentProposal.objects.create(created_by=channel_user, status="ready")
        client = api(users[who])
        assert client.get("/api/v1/assignment-proposals/").status_code == 403
        assert client.get(f"/api/v1/assignment-proposals/{proposal.pk}/").status_code == 403
        assert client.get(f"/api/v1/assignment-proposals/{proposal.pk}/items/").status_code == 403
        assert client.post("/api/v1/assignment-proposals/", {}, format="json").status_code == 403
        assert client.post(f"/api/v1/assignment-proposals/{proposal.pk}/accept/").status_code == 403

    def test_managers_read_but_never_decide(self, region_setup, manager_user, api, channel_user):
        """SPEC §2: managers read everything; requesting, accepting and discarding stay the channel team's."""
        proposal = AssignmentProposal.objects.create(created_by=channel_user, status="ready")
        bank, strong = region_setup["banks"][0], region_setup["strong"]
        item = ProposalItem.objects.create(proposal=proposal, account=bank, partner=strong, score=Decimal("5"))
        client = api(manager_user)
        listed = client.get("/api/v1/assignment-proposals/")
        assert listed.status_code == 200 and [p["id"] for p in listed.json()["results"]] == [proposal.pk]
        assert client.get(f"/api/v1/assignment-proposals/{proposal.pk}/").json()["status"] == "ready"
        items = client.get(f"/api/v1/assignment-proposals/{proposal.pk}/items/")
        assert items.status_code == 200 and [i["id"] for i in items.json()["results"]] == [item.pk]
        assert client.post("/api/v1/assignment-proposals/", {}, format="json").status_code == 403
        assert client.post(f"/api/v1/assignment-proposals/{proposal.pk}/accept/").status_code == 403
        assert client.post(f"/api/v1/assignment-proposals/{proposal.pk}/discard/").status_code == 403
        proposal.refresh_from_db()
        assert proposal.status == "ready" and AssignmentProposal.objects.count() == 1

    def test_anonymous_is_401(self, db, api):
        assert api(None).get("/api/v1/assignment-proposals/").status_code == 401


class TestPages:
    def test_request_review_accept_in_the_browser_flow(
        self, region_setup, channel_user, client, django_capture_on_commit_callbacks
    ):
        client.force_login(channel_user)
        assert client.get("/accounts/proposals/").status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/accounts/proposals/", {"region": ["ile_de_france"]})
        proposal = AssignmentProposal.objects.get()
        assert response.url == f"/accounts/proposals/{proposal.pk}/"
        page = client.get(response.url)
        assert page.status_code == 200 and b"Bank 3" in page.content and b"Strong" in page.content
        item = proposal.items.first()
        response = client.post(
            f"/accounts/proposals/{proposal.pk}/decide/", {"decision": "accept_selected", "items": [item.pk]}
        )
        assert response.status_code == 302
        assert Assignment.objects.open().filter(account=item.account, partner=item.partner).exists()
        page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en")
        # the two others are still there to decide, with their boxes to tick
        assert page.context["remaining"] == 2 and page.content.count(b'name="items"') == 2
        assert b"2 proposed assignments are still to decide" in page.content

    def test_accept_selected_without_ticks_writes_nothing(
        self, region_setup, channel_user, client, django_capture_on_commit_callbacks
    ):
        client.force_login(channel_user)
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/accounts/proposals/", {})
        proposal = AssignmentProposal.objects.get()
        client.post(f"/accounts/proposals/{proposal.pk}/decide/", {"decision": "accept_selected"})
        proposal.refresh_from_db()
        assert proposal.status == "ready" and Assignment.objects.count() == 1

    @pytest.mark.parametrize("who", ["partner_admin", "partner_rep"])
    def test_pages_are_not_for_partner_users(self, region_setup, users, client, who, channel_user):
        proposal = AssignmentProposal.objects.create(created_by=channel_user, status="ready")
        client.force_login(users[who])
        assert client.get("/accounts/proposals/").status_code == 403
        assert client.get(f"/accounts/proposals/{proposal.pk}/").status_code == 403
        assert client.post(f"/accounts/proposals/{proposal.pk}/decide/", {"decision": "discard"}).status_code == 403

    def test_managers_read_the_pages_without_the_decisions(self, region_setup, manager_user, client, channel_user):
        proposal = AssignmentProposal.objects.create(
            created_by=channel_user, status="ready", summary={"accounts": 1, "proposed": 1}
        )
        account = region_setup["banks"][0]
        ProposalItem.objects.create(proposal=proposal, account=account, partner=region_setup["strong"], score=5)
        client.force_login(manager_user)
        listing = client.get("/accounts/proposals/")
        assert listing.status_code == 200 and list(listing.context["object_list"]) == [proposal]
        assert b'name="region"' not in listing.content  # no request form
        page = client.get(f"/accounts/proposals/{proposal.pk}/")
        assert page.status_code == 200 and account.name.encode() in page.content
        assert b'name="decision"' not in page.content and b'name="items"' not in page.content
        assert client.post("/accounts/proposals/", {"region": ["ile_de_france"]}).status_code == 403
        assert client.post(f"/accounts/proposals/{proposal.pk}/decide/", {"decision": "discard"}).status_code == 403
        proposal.refresh_from_db()
        assert proposal.status == "ready" and AssignmentProposal.objects.count() == 1

    def test_the_channel_team_sees_the_decisions(self, region_setup, channel_user, client):
        proposal = AssignmentProposal.objects.create(created_by=channel_user, status="ready", summary={"proposed": 1})
        client.force_login(channel_user)
        assert b'name="region"' in client.get("/accounts/proposals/").content
        assert b'name="decision"' in client.get(f"/accounts/proposals/{proposal.pk}/").content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "summary",
    [{}, {"accounts": 3}, {"accounts": 3, "proposed": None, "unplaced_reasons": None}, {"proposed": "?"}],
    ids=["empty", "older-without-proposed", "nulls", "unreadable"],
)
@pytest.mark.parametrize("who", ["channel", "manager"])
def test_a_ready_proposal_without_counts_shows_zero(summary, who, channel_user, manager_user, client):
    proposal = AssignmentProposal.objects.create(created_by=channel_user, status="ready", summary=summary)
    client.force_login(channel_user if who == "channel" else manager_user)
    page = client.get(f"/accounts/proposals/{proposal.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<span class="value">0</span><span class="label">proposed</span>' in html
    assert '<span class="value">0</span><span class="label">left unplaced</span>' in html
    accounts = summary.get("accounts", 0)
    assert f'<span class="value">{accounts}</span><span class="label">unassigned select accounts</span>' in html
    if who == "channel":
        assert "Accept all 0 assignments" in html


def nav_links(html: str) -> list[str]:
    nav = html.split('<ul class="main-nav">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="([^"]+)"', nav)


@pytest.mark.django_db
def test_managers_find_the_proposals_in_their_navigation(manager_user, channel_user, client):
    client.force_login(manager_user)
    page = client.get("/accounts/")
    assert page.status_code == 200
    links = nav_links(page.content.decode())
    assert "/accounts/proposals/" in links
    assert links.index("/accounts/proposals/") == links.index("/accounts/") + 1  # beside the accounts
    assert '<a href="/accounts/proposals/">Proposals</a>' in page.content.decode()
    assert client.get("/accounts/proposals/").status_code == 200
    french = client.get("/accounts/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<a href="/accounts/proposals/">Propositions</a>' in french


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["partner_admin", "partner_rep"])
def test_partner_users_get_no_proposals_link(users, who, client):
    client.force_login(users[who])
    page = client.get("/accounts/")
    assert page.status_code == 200 and "/accounts/proposals/" not in page.content.decode()


# --- Reasons stored as parts, read in the reader's language (issue 14 item 5) ----------------------


def test_reasons_read_in_english_and_in_french():
    from django.utils import translation

    from accounts import proposal_reasons

    reasons = [
        {"kind": "serves", "region": "ile_de_france"},
        {"kind": "specialised", "product_lines": ["data", "security"], "sector": "banking"},
        {"kind": "won_deals", "count": 3, "sector": "banking"},
        {"kind": "won_deals", "count": 1, "sector": "banking"},
        {"kind": "tier", "tier": "platinum"},
        {"kind": "load", "load": 2, "capacity": 50},
        {"kind": "text", "text": "kept as written"},
    ]
    with translation.override("en"):
        assert proposal_reasons.render_all(reasons) == [
            "serves Île-de-France", "specialised in Data, Security for Banking", "3 won deals in Banking",
            "1 won deal in Banking", "Platinum partner", "load 2/50 before this account", "kept as written",
        ]  # fmt: skip
        assert proposal_reasons.unplaced(NO_CAPACITY_LEFT) == "every partner serving this region is at capacity"
    with translation.override("fr"):
        assert proposal_reasons.render_all(reasons) == [
            "couvre Île-de-France", "spécialisé en Données, Sécurité pour Banque", "3 affaires gagnées en Banque",
            "1 affaire gagnée en Banque", "partenaire Platinum", "charge 2/50 avant ce compte", "kept as written",
        ]  # fmt: skip
        assert proposal_reasons.unplaced(NO_PARTNER_IN_REGION) == "aucun partenaire actif ne couvre cette région"


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("serves Île-de-France", {"kind": "serves", "region": "ile_de_france"}),
        ("specialised in Data, Security for Banque",
         {"kind": "specialised", "product_lines": ["data", "security"], "sector": "banking"}),
        ("specialised in Données, Sécurité for Banking",
         {"kind": "specialised", "product_lines": ["data", "security"], "sector": "banking"}),
        ("3 won deals in Banking", {"kind": "won_deals", "count": 3, "sector": "banking"}),
        ("1 won deal in Banque", {"kind": "won_deals", "count": 1, "sector": "banking"}),
        ("gold partner", {"kind": "tier", "tier": "gold"}),
        ("load 4/50 before this account", {"kind": "load", "load": 4, "capacity": 50}),
        ("something else", {"kind": "text", "text": "something else"}),
    ],
)  # fmt: skip
def test_every_old_reason_format_is_read_back_into_parts(text, parts):
    from accounts.legacy_proposal_reasons import reason_parts, unplaced_code

    assert reason_parts(text) == parts
    assert unplaced_code("no active partner serves this region") == NO_PARTNER_IN_REGION
