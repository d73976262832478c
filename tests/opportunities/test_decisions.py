"""The channel team's queue and decisions: order, approve/reject one or many, roles, four eyes, e-mails."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from opportunities import services
from opportunities.models import Opportunity, RegistrationStatus

from ..factories import AccountFactory, OpportunityFactory, UserFactory


def pending(partner, *, days_ago=0, conflict=False, **kwargs):
    opportunity = OpportunityFactory(partner=partner, has_conflict=conflict, **kwargs)
    created = timezone.now() - timedelta(days=days_ago)
    Opportunity.objects.filter(pk=opportunity.pk).update(created_at=created)
    opportunity.refresh_from_db()
    return opportunity


@pytest.mark.django_db
def test_queue_lists_conflicts_first_then_oldest(client, channel_user, partner_a, partner_b):
    new_plain = pending(partner_a, days_ago=1)
    old_plain = pending(partner_a, days_ago=10)
    new_conflict = pending(partner_b, days_ago=2, conflict=True)
    old_conflict = pending(partner_b, days_ago=5, conflict=True)
    pending(partner_a, registration_status="approved")  # not in the queue
    client.force_login(channel_user)
    response = client.get("/opportunities/registrations/")
    assert response.status_code == 200
    order = [o.pk for o, _found in response.context["rows"]]
    assert order == [old_conflict.pk, new_conflict.pk, old_plain.pk, new_plain.pk]


@pytest.mark.django_db
def test_queue_shows_the_conflicting_records_side_by_side(
    client, api, channel_user, rep_a, rep_b, partner_a, partner_b
):
    account = AccountFactory()
    soon = timezone.localdate() + timedelta(days=20)
    theirs = services.opportunity_register(
        user=rep_b, account=account, product_line="ai", amount=10, expected_close=soon
    )
    mine = services.opportunity_register(user=rep_a, account=account, product_line="ai", amount=20, expected_close=soon)
    client.force_login(channel_user)
    response = client.get("/opportunities/registrations/")
    found = dict(response.context["rows"])
    assert [o.pk for o in found[mine]["registrations"]] == [theirs.pk]
    assert [o.pk for o in found[theirs]["registrations"]] == [mine.pk]
    html = response.content.decode()
    assert partner_a.name in html and partner_b.name in html
    # The same through the API queue.
    body = api(channel_user).get("/api/v1/opportunities/queue/").json()
    rows = {row["id"]: row for row in body["results"]}
    assert [c["id"] for c in rows[mine.pk]["conflicts"]["registrations"]] == [theirs.pk]
    assert rows[mine.pk]["conflicts"]["registrations"][0]["partner_name"] == partner_b.name


@pytest.mark.django_db
def test_queue_is_channel_only(client, api, users):
    for key in ("partner_rep", "partner_admin", "rep_b", "manager"):
        client.force_login(users[key])
        assert client.get("/opportunities/registrations/").status_code == 403, key
        assert client.post("/opportunities/registrations/", {"action": "approve-selected"}).status_code == 403
        assert api(users[key]).get("/api/v1/opportunities/queue/").status_code == 403, key


@pytest.mark.django_db
def test_approve_sets_protection_decision_and_history(
    client, channel_user, partner_a, rep_a, settings, django_capture_on_commit_callbacks
):
    settings.REGISTRATION_PROTECTION_DAYS = 60
    opportunity = pending(partner_a)
    client.force_login(channel_user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            "/opportunities/registrations/",
            {"action": f"approve:{opportunity.pk}", f"reason-{opportunity.pk}": "Good fit"},
        )
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.registration_status == RegistrationStatus.APPROVED
    assert opportunity.protected_until == timezone.localdate() + timedelta(days=60)
    assert opportunity.decided_by == channel_user and opportunity.decided_at is not None
    assert opportunity.decision_reason == "Good fit"
    last = opportunity.history.order_by("-history_id").first()
    assert last.registration_status == "approved" and last.history_user == channel_user
    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [[rep_a.email]]
    assert "approved" in mail.outbox[0].subject.lower()
    assert f"/opportunities/{opportunity.pk}/" in mail.outbox[0].body


@pytest.mark.django_db
def test_emails_go_after_commit_to_active_users_of_that_partner_only(
    channel_user, partner_a, rep_a, admin_a, rep_b, django_capture_on_commit_callbacks
):
    UserFactory(username="gone_a", role="partner_rep", partner=partner_a, is_active=False)
    UserFactory(username="nomail_a", role="partner_rep", partner=partner_a, email="")
    opportunity = pending(partner_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.registration_reject(opportunity=opportunity, user=channel_user, reason="Already covered")
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([rep_a.email, admin_a.email])
    assert all("Already covered" in m.body for m in mail.outbox)


@pytest.mark.django_db
def test_reject_needs_a_reason(api, client, channel_user, partner_a):
    opportunity = pending(partner_a)
    response = api(channel_user).post(f"/api/v1/opportunities/{opportunity.pk}/reject/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    client.force_login(channel_user)
    client.post("/opportunities/registrations/", {"action": f"reject:{opportunity.pk}"})
    page = client.post(f"/opportunities/{opportunity.pk}/decide/", {"decision": "reject", "reason": " "})
    assert page.status_code == 400 and "reason" in page.context["decision_form"].errors
    opportunity.refresh_from_db()
    assert opportunity.registration_status == RegistrationStatus.PENDING


@pytest.mark.django_db
def test_api_approve_and_reject(api, channel_user, partner_a, rep_a, django_capture_on_commit_callbacks):
    one, two = pending(partner_a), pending(partner_a)
    with django_capture_on_commit_callbacks(execute=True):
        approved = api(channel_user).post(f"/api/v1/opportunities/{one.pk}/approve/", {}, format="json")
        rejected = api(channel_user).post(
            f"/api/v1/opportunities/{two.pk}/reject/", {"reason": "duplicate"}, format="json"
        )
    assert approved.status_code == 200 and approved.json()["registration_status"] == "approved"
    assert approved.json()["protected_until"]
    assert rejected.status_code == 200 and rejected.json()["registration_status"] == "rejected"
    again = api(channel_user).post(f"/api/v1/opportunities/{one.pk}/approve/", {}, format="json")
    assert again.status_code == 400 and "registration_status" in again.json()
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_bulk_decide_in_the_queue(client, channel_user, partner_a, partner_b, django_capture_on_commit_callbacks):
    a1, a2, b1 = pending(partner_a), pending(partner_a), pending(partner_b)
    done = pending(partner_a, registration_status="approved")
    UserFactory(username="rep_b_mail", role="partner_rep", partner=partner_b)
    UserFactory(username="rep_a_mail", role="partner_rep", partner=partner_a)
    client.force_login(channel_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/opportunities/registrations/",
            {"action": "approve-selected", "ids": [a1.pk, a2.pk, b1.pk, done.pk], "bulk_reason": "Q3 review"},
            follow=True,
        )
    statuses = dict(Opportunity.objects.values_list("pk", "registration_status"))
    assert statuses[a1.pk] == statuses[a2.pk] == statuses[b1.pk] == "approved"
    texts = [str(m) for m in response.context["messages"]]
    assert any("3" in t for t in texts) and any(f"#{done.pk}" in t for t in texts)
    # One e-mail per partner (to each of its users), each listing only that partner's registrations.
    assert sorted(m.to[0] for m in mail.outbox) == ["rep_a_mail@example.com", "rep_b_mail@example.com"]
    mail_a = next(m for m in mail.outbox if m.to == ["rep_a_mail@example.com"])
    assert f"#{a1.pk}" in mail_a.body and f"#{a2.pk}" in mail_a.body and f"#{b1.pk}" not in mail_a.body
    # A history row per decided registration, with who and why.
    for opportunity in (a1, a2, b1):
        last = opportunity.history.order_by("-history_id").first()
        assert last.history_user == channel_user and last.registration_status == "approved"
        assert last.history_change_reason == "approved"
    assert done.history.count() == 1


@pytest.mark.django_db
def test_bulk_reject_needs_a_reason_and_decides_nothing_without(client, channel_user, partner_a):
    a1 = pending(partner_a)
    client.force_login(channel_user)
    client.post("/opportunities/registrations/", {"action": "reject-selected", "ids": [a1.pk], "bulk_reason": ""})
    a1.refresh_from_db()
    assert a1.registration_status == "pending"


@pytest.mark.django_db
def test_api_bulk_decide(api, channel_user, partner_a, partner_b):
    a1, b1 = pending(partner_a), pending(partner_b)
    response = api(channel_user).post(
        "/api/v1/opportunities/decide/",
        {"ids": [a1.pk, b1.pk, 987654], "decision": "reject", "reason": "Out of programme"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["decided"] == [a1.pk, b1.pk]
    assert list(body["skipped"]) == ["987654"]
    assert set(Opportunity.objects.values_list("registration_status", flat=True)) == {"rejected"}
    bad = api(channel_user).post("/api/v1/opportunities/decide/", {"ids": [], "decision": "maybe"}, format="json")
    assert bad.status_code == 400 and {"ids", "decision"} <= set(bad.json())


@pytest.mark.django_db
def test_partner_users_and_managers_can_never_decide(api, client, users, partner_a):
    opportunity = pending(partner_a, registered_by=users["partner_rep"])
    for key in ("partner_rep", "partner_admin", "rep_b", "manager"):
        user = users[key]
        for action in ("approve", "reject"):
            response = api(user).post(
                f"/api/v1/opportunities/{opportunity.pk}/{action}/", {"reason": "x"}, format="json"
            )
            assert response.status_code == 403, (key, action)
        bulk = api(user).post(
            "/api/v1/opportunities/decide/", {"ids": [opportunity.pk], "decision": "approve"}, format="json"
        )
        assert bulk.status_code == 403, key
        client.force_login(user)
        assert client.post(f"/opportunities/{opportunity.pk}/decide/", {"decision": "approve"}).status_code == 403
    opportunity.refresh_from_db()
    assert opportunity.registration_status == "pending"


@pytest.mark.django_db
def test_a_channel_user_cannot_approve_what_they_registered(api, client, channel_user, channel_2, partner_a):
    opportunity = pending(partner_a, registered_by=channel_user)
    response = api(channel_user).post(f"/api/v1/opportunities/{opportunity.pk}/approve/", {}, format="json")
    assert response.status_code == 403
    client.force_login(channel_user)
    assert client.post(f"/opportunities/{opportunity.pk}/decide/", {"decision": "approve"}).status_code == 403
    bulk = api(channel_user).post(
        "/api/v1/opportunities/decide/", {"ids": [opportunity.pk], "decision": "approve"}, format="json"
    )
    assert bulk.json()["decided"] == [] and str(opportunity.pk) in bulk.json()["skipped"]
    opportunity.refresh_from_db()
    assert opportunity.registration_status == "pending"
    assert api(channel_2).post(f"/api/v1/opportunities/{opportunity.pk}/approve/", {}, format="json").status_code == 200


@pytest.mark.django_db
def test_deciding_refreshes_the_other_sides_conflict_flag(channel_user, rep_a, rep_b):
    account = AccountFactory()
    soon = timezone.localdate() + timedelta(days=20)
    theirs = services.opportunity_register(
        user=rep_b, account=account, product_line="ai", amount=10, expected_close=soon
    )
    mine = services.opportunity_register(user=rep_a, account=account, product_line="ai", amount=20, expected_close=soon)
    assert Opportunity.objects.get(pk=theirs.pk).has_conflict
    services.registration_reject(opportunity=mine, user=channel_user, reason="Bravo was first")
    assert not Opportunity.objects.get(pk=theirs.pk).has_conflict


@pytest.mark.django_db
def test_detail_page_decision_for_channel(client, channel_user, partner_a, django_capture_on_commit_callbacks):
    opportunity = pending(partner_a)
    client.force_login(channel_user)
    page = client.get(f"/opportunities/{opportunity.pk}/")
    assert "decision_form" in page.context
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/opportunities/{opportunity.pk}/decide/", {"decision": "approve", "reason": ""})
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.registration_status == "approved"


class TestApprovingAConflict:
    """A registration that conflicts with another partner's primary assignment (or open registration) is
    approved only when the channel team says it has seen the conflict and why it approves anyway: it used
    to take one click, with no warning, on every path."""

    @pytest.fixture
    def conflicting(self, rep_a, account_b):
        soon = timezone.localdate() + timedelta(days=20)
        return services.opportunity_register(
            user=rep_a, account=account_b, product_line="ai", amount=10, expected_close=soon
        )

    def test_the_service_skips_it_and_says_with_what(self, conflicting, channel_user, partner_b):
        result = services.registrations_decide(user=channel_user, ids=[conflicting.pk], decision="approve")
        assert result.decided == [] and result.conflicting == {conflicting.pk}
        assert f"the primary assignment of {partner_b.name}" in result.skipped[conflicting.pk]
        conflicting.refresh_from_db()
        assert conflicting.registration_status == RegistrationStatus.PENDING and mail.outbox == []
        with pytest.raises(Exception, match="approve despite the conflict"):
            services.registrations_decide(
                user=channel_user, ids=[conflicting.pk], decision="approve", acknowledge_conflicts=True
            )
        result = services.registrations_decide(
            user=channel_user, ids=[conflicting.pk], decision="approve", acknowledge_conflicts=True,
            reason="B agreed to let A run this deal",
        )  # fmt: skip
        assert result.decided == [conflicting.pk] and result.despite_conflict == [conflicting.pk]
        conflicting.refresh_from_db()
        assert conflicting.registration_status == RegistrationStatus.APPROVED

    def test_rejecting_needs_no_acknowledgement(self, conflicting, channel_user):
        result = services.registrations_decide(user=channel_user, ids=[conflicting.pk], decision="reject", reason="no")
        assert result.decided == [conflicting.pk] and not result.conflicting

    def test_the_api(self, api, conflicting, channel_user, partner_b):
        client = api(channel_user)
        refused = client.post(f"/api/v1/opportunities/{conflicting.pk}/approve/", {}, format="json")
        assert refused.status_code == 400 and partner_b.name in refused.json()["acknowledge_conflict"][0]
        bulk = client.post(
            "/api/v1/opportunities/decide/", {"ids": [conflicting.pk], "decision": "approve"}, format="json"
        ).json()
        assert bulk["decided"] == [] and bulk["conflicting"] == [conflicting.pk]
        assert Opportunity.objects.get(pk=conflicting.pk).registration_status == RegistrationStatus.PENDING
        approved = client.post(
            f"/api/v1/opportunities/{conflicting.pk}/approve/",
            {"acknowledge_conflict": True, "reason": "agreed with B"},
            format="json",
        )
        assert approved.status_code == 200 and approved.json()["registration_status"] == "approved"

    def test_the_queue_page(self, client, conflicting, channel_user, partner_b):
        client.force_login(channel_user)
        page = client.get("/opportunities/registrations/").content.decode()
        assert f'name="acknowledge-{conflicting.pk}"' in page
        client.post("/opportunities/registrations/", {"action": f"approve:{conflicting.pk}"})
        assert Opportunity.objects.get(pk=conflicting.pk).registration_status == RegistrationStatus.PENDING
        warning = client.get("/opportunities/registrations/").content.decode()
        assert "not decided" in warning and partner_b.name in warning
        pk = conflicting.pk
        client.post(
            "/opportunities/registrations/", {"action": f"approve:{pk}", f"acknowledge-{pk}": "1", f"reason-{pk}": "ok"}
        )
        assert Opportunity.objects.get(pk=conflicting.pk).registration_status == RegistrationStatus.APPROVED

    def test_the_opportunity_page(self, client, conflicting, channel_user):
        client.force_login(channel_user)
        url = f"/opportunities/{conflicting.pk}/"
        assert 'name="acknowledge_conflict"' in client.get(url).content.decode()
        refused = client.post(f"{url}decide/", {"decision": "approve"})
        assert refused.status_code == 400 and "approve it only if you mean to" in refused.content.decode()
        client.post(f"{url}decide/", {"decision": "approve", "acknowledge_conflict": "on", "reason": "agreed"})
        assert Opportunity.objects.get(pk=conflicting.pk).registration_status == RegistrationStatus.APPROVED

    def test_a_plain_registration_still_takes_one_click(self, client, channel_user, rep_a, account_a):
        soon = timezone.localdate() + timedelta(days=20)
        mine = services.opportunity_register(
            user=rep_a, account=account_a, product_line="ai", amount=1, expected_close=soon
        )
        client.force_login(channel_user)
        client.post("/opportunities/registrations/", {"action": f"approve:{mine.pk}"})
        assert Opportunity.objects.get(pk=mine.pk).registration_status == RegistrationStatus.APPROVED
