"""The periodic expiry of registrations whose time is up, with history rows and e-mails."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from jobs.models import Job
from opportunities.expiry import registrations_expire
from opportunities.models import Opportunity
from opportunities.tasks import expire_registrations

from ..factories import OpportunityFactory


def make(partner, *, status, created_days_ago=0, protected_until=None, **kwargs):
    opportunity = OpportunityFactory(
        partner=partner, registration_status=status, protected_until=protected_until, **kwargs
    )
    Opportunity.objects.filter(pk=opportunity.pk).update(created_at=timezone.now() - timedelta(days=created_days_ago))
    return opportunity


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.mark.django_db
def test_expires_what_is_due_and_nothing_else(partner_a, rep_a, settings, today, django_capture_on_commit_callbacks):
    settings.REGISTRATION_REVIEW_DAYS = 30
    old_pending = make(partner_a, status="pending", created_days_ago=31)
    young_pending = make(partner_a, status="pending", created_days_ago=29)
    lapsed = make(partner_a, status="approved", protected_until=today - timedelta(days=1))
    protected = make(partner_a, status="approved", protected_until=today)
    won_lapsed = make(
        partner_a, status="approved", protected_until=today - timedelta(days=9), stage="won", closed_on=today
    )
    lost_lapsed = make(
        partner_a, status="approved", protected_until=today - timedelta(days=9), stage="lost", closed_on=today
    )
    rejected = make(partner_a, status="rejected", created_days_ago=90)
    with django_capture_on_commit_callbacks(execute=True):
        result = registrations_expire(today=today)
    assert result["expired"] == 3 and result["pending"] == 1 and result["approved"] == 2
    status = dict(Opportunity.objects.values_list("pk", "registration_status"))
    assert status[old_pending.pk] == status[lapsed.pk] == status[lost_lapsed.pk] == "expired"
    assert status[young_pending.pk] == "pending"
    assert status[protected.pk] == "approved"
    assert status[won_lapsed.pk] == "approved"
    assert status[rejected.pk] == "rejected"
    # History: one row per expired registration, by the system, with the rule as reason.
    for opportunity in (old_pending, lapsed, lost_lapsed):
        last = opportunity.history.order_by("-history_id").first()
        assert last.registration_status == "expired" and last.history_user is None
        assert last.history_change_reason.startswith("expired")
    assert won_lapsed.history.count() == 1
    # The partner's user is told once, of the three and nothing else.
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [rep_a.email]
    bodies = "\n".join(m.body for m in mail.outbox)
    for opportunity in (old_pending, lapsed, lost_lapsed):
        assert f"#{opportunity.pk}" in bodies
    assert f"#{young_pending.pk}" not in bodies and f"#{won_lapsed.pk}" not in bodies


@pytest.mark.django_db
def test_running_twice_expires_nothing_more(partner_a, today):
    make(partner_a, status="pending", created_days_ago=400)
    assert registrations_expire(today=today)["expired"] == 1
    assert registrations_expire(today=today)["expired"] == 0
    assert Opportunity.history.filter(registration_status="expired").count() == 1


@pytest.mark.django_db
def test_a_waiting_extension_request_holds_expiry_within_the_review_window(partner_a, rep_a, today, settings):
    settings.REGISTRATION_REVIEW_DAYS = 30
    waiting = make(
        partner_a, status="approved", protected_until=today - timedelta(days=2), extension_status="requested",
        extension_reason="Board meets next month", extension_requested_at=timezone.now() - timedelta(days=3),
    )  # fmt: skip
    stale = make(
        partner_a, status="approved", protected_until=today - timedelta(days=40), extension_status="requested",
        extension_reason="Board meets next month", extension_requested_at=timezone.now() - timedelta(days=45),
    )  # fmt: skip
    registrations_expire(today=today)
    assert Opportunity.objects.get(pk=waiting.pk).registration_status == "approved"
    assert Opportunity.objects.get(pk=stale.pk).registration_status == "expired"


@pytest.mark.django_db
def test_expiry_in_chunks(partner_a, today, monkeypatch):
    from opportunities import expiry

    monkeypatch.setattr(expiry, "CHUNK", 3)
    for _ in range(7):
        make(partner_a, status="pending", created_days_ago=400)
    reports = []
    result = registrations_expire(today=today, report=lambda done, total=None: reports.append(done))
    assert result["expired"] == 7
    assert reports[:3] == [3, 6, 7]
    assert Opportunity.history.filter(registration_status="expired").count() == 7


@pytest.mark.django_db
def test_the_celery_task_records_a_job(partner_a):
    make(partner_a, status="pending", created_days_ago=400)
    result = expire_registrations.delay().get()
    assert result["expired"] == 1
    job = Job.objects.get(kind="expire_registrations")
    assert job.state == "succeeded" and job.result["expired"] == 1


@pytest.mark.django_db
def test_expiry_clears_the_conflict_it_ends(partner_a, partner_b, today):
    from ..factories import AccountFactory

    account = AccountFactory()
    old = make(partner_a, status="pending", created_days_ago=400, account=account)
    young = make(partner_b, status="pending", account=account, has_conflict=True)
    registrations_expire(today=today)
    assert Opportunity.objects.get(pk=old.pk).registration_status == "expired"
    assert not Opportunity.objects.get(pk=young.pk).has_conflict


@pytest.mark.django_db
def test_one_email_per_partner_per_run_after_commit(
    partner_a, partner_b, rep_a, rep_b, admin_a, today, monkeypatch, django_capture_on_commit_callbacks
):
    """Both rules, several chunks: each partner user gets one message listing all its expired registrations."""
    from opportunities import expiry

    monkeypatch.setattr(expiry, "CHUNK", 2)
    a_expired = [make(partner_a, status="pending", created_days_ago=400) for _ in range(3)]
    a_expired += [make(partner_a, status="approved", protected_until=today - timedelta(days=5)) for _ in range(2)]
    b_expired = [make(partner_b, status="pending", created_days_ago=400)]
    b_expired += [make(partner_b, status="approved", protected_until=today - timedelta(days=5))]
    with django_capture_on_commit_callbacks() as callbacks:
        assert registrations_expire(today=today)["expired"] == 7
        assert mail.outbox == []  # nothing before commit
    assert len(callbacks) == 1
    callbacks[0]()
    by_address = {}
    for message in mail.outbox:
        assert len(message.to) == 1
        by_address.setdefault(message.to[0], []).append(message)
    assert sorted(by_address) == sorted([rep_a.email, admin_a.email, rep_b.email])
    assert all(len(messages) == 1 for messages in by_address.values())
    for address, mine, theirs in (
        (rep_a.email, a_expired, b_expired),
        (admin_a.email, a_expired, b_expired),
        (rep_b.email, b_expired, a_expired),
    ):
        message = by_address[address][0]
        assert f"{len(mine)} deal registrations expired" in message.subject
        assert all(f"#{o.pk}" in message.body for o in mine)
        assert not any(f"#{o.pk}" in message.body for o in theirs)


@pytest.mark.django_db
def test_a_failing_chunk_still_mails_what_committed_and_not_what_rolled_back(
    partner_a, rep_a, today, monkeypatch, django_capture_on_commit_callbacks
):
    from opportunities import expiry

    monkeypatch.setattr(expiry, "CHUNK", 2)
    done = [make(partner_a, status="pending", created_days_ago=400) for _ in range(2)]
    failed = make(partner_a, status="approved", protected_until=today - timedelta(days=5))
    real = expiry.refresh_conflict_flags

    def fail_on_approved(pairs, today):
        if Opportunity.objects.filter(pk=failed.pk, registration_status="expired").exists():
            raise RuntimeError("database went away")
        return real(pairs, today)

    monkeypatch.setattr(expiry, "refresh_conflict_flags", fail_on_approved)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        registrations_expire(today=today)
    assert Opportunity.objects.get(pk=failed.pk).registration_status == "approved"
    assert len(mail.outbox) == 1
    assert all(f"#{o.pk}" in mail.outbox[0].body for o in done) and f"#{failed.pk}" not in mail.outbox[0].body
