"""Disputes of statement lines: a partner admin opens, both sides write, the channel team resolves."""

from datetime import date
from decimal import Decimal as D

import pytest

from commissions.models import Dispute, DisputeStatus, Statement
from ecosystem.roles import Role

from ..factories import RuleFactory, UserFactory, won
from .helpers import Q3_DAY, approved, computed, current_lines

DISPUTES = "/api/v1/disputes/"


@pytest.fixture
def admin_b(partner_b):
    return UserFactory(username="admin_b", role=Role.PARTNER_ADMIN, partner=partner_b)


@pytest.fixture
def lines(partner_a, partner_b, channel_user, manager_user):
    """A's and B's approved Q3 lines, and A's line of a computed (not approved) Q4."""
    RuleFactory(rate=D("0.1"))
    won(partner_a, "1000.00", Q3_DAY)
    won(partner_b, "2000.00", Q3_DAY)
    q3 = approved(runner=channel_user, approver=manager_user)
    won(partner_a, "500.00", date(2026, 11, 2))
    q4 = computed("2026-Q4", user=channel_user)
    return {
        "a": current_lines(q3).get(partner=partner_a),
        "b": current_lines(q3).get(partner=partner_b),
        "a_q4": current_lines(q4).get(partner=partner_a),
    }


def open_dispute(api, user, line, comment="The rate should be 12 %."):
    return api(user).post(DISPUTES, {"line": line.pk, "comment": comment}, format="json")


@pytest.mark.django_db
class TestDisputeFlow:
    def test_both_sides_write_and_the_channel_resolves(self, api, users, lines):
        admin, channel = users["partner_admin"], users["channel"]
        response = open_dispute(api, admin, lines["a"])
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["status"] == "open" and body["line"] == lines["a"].pk and body["payout"] == "100.00"
        assert [(m["author"], m["side"], m["body"]) for m in body["messages"]] == [
            ("admin_a", "partner", "The rate should be 12 %.")
        ]
        url = f"{DISPUTES}{body['id']}/"
        response = api(channel).post(f"{url}messages/", {"body": "The 12 % rule needs a registration."})
        assert response.status_code == 201 and response.json()["status"] == "answered"
        response = api(admin).post(f"{url}messages/", {"body": "It was registered on 2 July."})
        assert response.status_code == 201 and response.json()["status"] == "open"
        # The rep reads the thread but never writes; the manager reads too.
        for key in ("partner_rep", "manager"):
            thread = api(users[key]).get(url).json()["messages"]
            assert [m["side"] for m in thread] == ["partner", "vendor", "partner"]
            assert api(users[key]).post(f"{url}messages/", {"body": "me too"}).status_code == 403
            assert api(users[key]).post(f"{url}resolve/", {"outcome": "rejected", "resolution": "x"}).status_code == 403
        assert api(admin).post(f"{url}resolve/", {"outcome": "rejected", "resolution": "fine"}).status_code == 403
        decision = {"outcome": "accepted", "amount": "20.00", "resolution": "Adjustment of 20.00 € in 2026-Q4."}
        response = api(channel).post(f"{url}resolve/", decision)
        assert response.status_code == 200
        assert response.json()["status"] == "resolved" and response.json()["resolution"].startswith("Adjustment")
        assert response.json()["outcome"] == "accepted" and response.json()["outcome_amount"] == "20.00"
        assert api(admin).get(url).json()["resolution"] == "Adjustment of 20.00 € in 2026-Q4."
        # Nothing more is written in a resolved dispute; the line may be disputed anew.
        assert api(admin).post(f"{url}messages/", {"body": "Thanks"}).status_code == 400
        assert api(channel).post(f"{url}resolve/", {"outcome": "rejected", "resolution": "again"}).status_code == 400
        assert open_dispute(api, admin, lines["a"], "Still wrong").status_code == 201

    def test_the_statement_shows_the_open_dispute_of_a_line(self, api, users, lines):
        dispute_id = open_dispute(api, users["partner_admin"], lines["a"]).json()["id"]
        statement = Statement.objects.get(run=lines["a"].run, partner=lines["a"].partner)
        body = api(users["partner_rep"]).get(f"/api/v1/statements/{statement.pk}/").json()
        assert body["lines"][0]["open_dispute"] == dispute_id

    def test_one_open_dispute_per_line(self, api, users, lines):
        assert open_dispute(api, users["partner_admin"], lines["a"]).status_code == 201
        response = open_dispute(api, users["partner_admin"], lines["a"])
        assert response.status_code == 400 and "already disputed" in response.json()["line"][0]
        assert Dispute.objects.count() == 1

    def test_a_comment_is_required(self, api, users, lines):
        response = api(users["partner_admin"]).post(DISPUTES, {"line": lines["a"].pk, "comment": ""}, format="json")
        assert response.status_code == 400 and "comment" in response.json()
        assert not Dispute.objects.exists()

    def test_only_a_partner_admin_opens_a_dispute(self, api, users, lines):
        for key in ("partner_rep", "channel", "manager"):
            assert open_dispute(api, users[key], lines["a"]).status_code == 403
        assert not Dispute.objects.exists()


@pytest.mark.django_db
class TestDisputeIsolation:
    def test_another_partners_line_is_as_unknown_as_a_missing_one(self, api, users, lines):
        admin = users["partner_admin"]
        missing = open_dispute(api, admin, type(lines["a"])(pk=999_999)).json()
        for line in (lines["b"], lines["a_q4"]):  # B's line; A's own line of a run not approved
            response = open_dispute(api, admin, line)
            assert response.status_code == 400
            assert response.json()["line"] == [m.replace("999999", str(line.pk)) for m in missing["line"]]
        assert not Dispute.objects.exists()

    def test_partner_b_never_sees_a_dispute_of_a(self, api, users, lines, admin_b):
        dispute_id = open_dispute(api, users["partner_admin"], lines["a"]).json()["id"]
        for user in (users["rep_b"], admin_b):
            client = api(user)
            assert client.get(DISPUTES).json()["count"] == 0
            assert client.get(f"{DISPUTES}?line={lines['a'].pk}").json()["count"] == 0
            assert client.get(f"{DISPUTES}{dispute_id}/").status_code == 404
        assert api(admin_b).post(f"{DISPUTES}{dispute_id}/messages/", {"body": "hi"}).status_code == 404
        assert api(users["partner_rep"]).get(DISPUTES).json()["count"] == 1
        assert api(users["channel"]).get(f"{DISPUTES}?status=open").json()["count"] == 1


@pytest.mark.django_db
class TestDisputePages:
    def test_dispute_through_the_pages(self, client, users, lines, admin_b):
        line = lines["a"]
        statement = Statement.objects.get(run=line.run, partner=line.partner)
        client.force_login(users["partner_admin"])
        page = client.get(f"/commissions/statements/{statement.pk}/").content.decode()
        assert f"/commissions/lines/{line.pk}/dispute/" in page
        assert client.get(f"/commissions/lines/{line.pk}/dispute/").status_code == 200
        response = client.post(f"/commissions/lines/{line.pk}/dispute/", {"comment": ""})
        assert response.status_code == 200 and not Dispute.objects.exists()
        response = client.post(f"/commissions/lines/{line.pk}/dispute/", {"comment": "Wrong rate"})
        dispute = Dispute.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/commissions/disputes/{dispute.pk}/"
        assert client.get(f"/commissions/lines/{lines['b'].pk}/dispute/").status_code == 404
        assert client.get(f"/commissions/lines/{lines['a_q4'].pk}/dispute/").status_code == 404

        client.force_login(users["partner_rep"])
        assert client.get(f"/commissions/lines/{line.pk}/dispute/").status_code == 403
        page = client.get(f"/commissions/disputes/{dispute.pk}/").content.decode()
        assert "Wrong rate" in page and 'name="body"' not in page
        assert client.post(f"/commissions/disputes/{dispute.pk}/messages/", {"body": "x"}).status_code == 403

        client.force_login(admin_b)
        assert client.get(f"/commissions/disputes/{dispute.pk}/").status_code == 404
        assert client.post(f"/commissions/disputes/{dispute.pk}/messages/", {"body": "x"}).status_code == 404
        assert "Wrong rate" not in client.get("/commissions/disputes/").content.decode()

        client.force_login(users["channel"])
        assert "Wrong rate" not in client.get("/commissions/disputes/").content.decode()  # the list shows no body
        assert f"/commissions/disputes/{dispute.pk}/" in client.get("/commissions/disputes/").content.decode()
        client.post(f"/commissions/disputes/{dispute.pk}/messages/", {"body": "Looking into it"})
        client.post(
            f"/commissions/disputes/{dispute.pk}/resolve/",
            {"outcome": "accepted", "amount": "20.00", "resolution": "Corrected next quarter"},
        )
        dispute.refresh_from_db()
        assert dispute.status == DisputeStatus.RESOLVED and dispute.messages.count() == 2

        client.force_login(users["partner_admin"])
        page = client.get(f"/commissions/disputes/{dispute.pk}/").content.decode()
        assert "Looking into it" in page and "Corrected next quarter" in page and 'name="body"' not in page
