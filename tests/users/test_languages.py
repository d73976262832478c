"""E-mails in the recipient's language (issue 14 item 5): ``User.language`` is set at invitation to the
inviter's language, chosen by the user on their account page or with the language buttons, switched on
after login, and every kind of e-mail is written in each recipient's language — one message per language
group when several people are told."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core import mail

from commissions import disputes
from commissions.notifications import dispute_outcome_messages
from ecosystem.mail import addresses_by_language, language_of
from ecosystem.roles import Role
from opportunities import notifications as opportunity_mail
from payments import notifications as billing_mail
from payments.billing import billing_details_save
from payments.models import BillingDetails
from users.models import User

from ..commissions.helpers import Q3_DAY, approved, current_lines
from ..factories import OpportunityFactory, RuleFactory, UserFactory, won
from ..payments.test_billing import values as billing_values

pytestmark = pytest.mark.django_db


def invite(client, actor, language, email="nina@alpha.example"):
    client.force_login(actor)
    body = {"email": email, "first_name": "Nina", "last_name": "Rep", "role": "partner_rep"}
    return client.post("/portal/users/invite/", body, HTTP_ACCEPT_LANGUAGE=language)


def test_language_of_prefers_the_users_choice_then_the_fallback_then_the_site(settings):
    settings.LANGUAGE_CODE = "fr"
    assert language_of(User(language="en")) == "en"
    assert language_of(User(language=""), "en-GB") == "en"
    assert language_of(User(language=""), "de") == "fr"
    assert language_of(None) == "fr"
    people = [User(email="b@x", language="en"), User(email="a@x", language=""), User(email="c@x", language="fr")]
    assert addresses_by_language(people) == [("en", ["b@x"]), ("fr", ["a@x", "c@x"])]


@pytest.mark.parametrize(
    ("language", "subject", "words"),
    [
        ("fr", "Votre compte Ecosystem pour", "Choisissez votre mot de passe"),
        ("en", "Your Ecosystem account for", "Choose your password here:"),
    ],
)
def test_the_invitation_speaks_the_inviters_language_and_it_becomes_the_users(
    client, admin_a, partner_a, language, subject, words
):
    assert invite(client, admin_a, language).status_code == 302
    user = User.objects.get(email="nina@alpha.example")
    assert user.language == language
    [message] = mail.outbox
    assert message.subject.startswith(subject) and words in message.body
    other = {"fr": "Choose your password", "en": "Choisissez"}[language]
    assert other not in message.body


def test_a_resent_invitation_keeps_the_invited_persons_language_whatever_the_senders(client, admin_a, partner_a):
    invite(client, admin_a, "en")
    user = User.objects.get(email="nina@alpha.example")
    client.post(f"/portal/users/{user.pk}/resend-invitation/", HTTP_ACCEPT_LANGUAGE="fr")
    assert len(mail.outbox) == 2 and mail.outbox[1].subject.startswith("Your Ecosystem account for")


def test_a_held_invitation_tells_the_channel_team_once_per_language(client, admin_a, rep_b, channel_user):
    channel_user.language = "en"
    channel_user.save()
    french = UserFactory(role=Role.CHANNEL, language="fr")
    also_french = UserFactory(role=Role.CHANNEL, language="")  # never chose: the site's language, French
    invite(client, admin_a, "fr", email=rep_b.email)
    by_first_address = {tuple(m.to): m for m in mail.outbox}
    assert set(by_first_address) == {(channel_user.email,), tuple(sorted([french.email, also_french.email]))}
    assert by_first_address[(channel_user.email,)].subject.startswith("Invitation held for")
    assert by_first_address[tuple(sorted([french.email, also_french.email]))].subject.startswith("Invitation retenue")


def test_registration_decisions_reach_each_user_in_their_language(partner_a, admin_a, rep_a):
    admin_a.language, rep_a.language = "en", "fr"
    admin_a.save()
    rep_a.save()
    deal = OpportunityFactory(partner=partner_a, amount=D("12345.50"), protected_until=date(2026, 12, 31))
    messages = {m.to[0]: m for m in opportunity_mail.build_messages("approved", [deal.pk])}
    english, french = messages[admin_a.email], messages[rep_a.email]
    assert english.subject == "Deal registration approved" and "12,345.50\u00a0€" in english.body
    assert "Dec. 31, 2026" in english.body
    assert french.subject == "Enregistrement d'affaire approuvé" and "12\u00a0345,50\u00a0€" in french.body
    assert "31 décembre 2026" in french.body


@pytest.fixture
def disputed(partner_a, partner_b, channel_user, manager_user, admin_a):
    RuleFactory(rate=D("0.1"))
    won(partner_a, "1000.00", Q3_DAY)
    q3 = approved(runner=channel_user, approver=manager_user)
    line = current_lines(q3).get(partner=partner_a)
    return disputes.dispute_open(line=line, user=admin_a, comment="The rate is 12 %.")


def test_a_dispute_outcome_reaches_each_user_in_their_language(disputed, admin_a, rep_a, channel_user):
    admin_a.language, rep_a.language = "en", "fr"
    admin_a.save()
    rep_a.save()
    disputes.dispute_resolve(dispute=disputed, user=channel_user, outcome="rejected", resolution="No.")
    messages = {m.to[0]: m for m in dispute_outcome_messages(disputed.pk)}
    english, french = messages[admin_a.email], messages[rep_a.email]
    assert english.subject == f"Dispute #{disputed.pk} rejected"
    assert french.subject == f"Contestation n° {disputed.pk} refusée"
    # The period as people say it, the amount in the reader's format.
    assert "Q3 2026" in english.body and "100.00\u00a0€" in english.body and "2026-Q3" not in english.body
    assert "T3 2026" in french.body and "100,00\u00a0€" in french.body


def test_a_billing_change_reaches_each_admin_in_their_language(partner_a, admin_a, django_capture_on_commit_callbacks):
    other_admin = UserFactory(role=Role.PARTNER_ADMIN, partner=partner_a, language="fr")
    admin_a.language = "en"
    admin_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        billing_details_save(partner=partner_a, user=admin_a, **billing_values(partner_a))
    details = BillingDetails.objects.get(partner=partner_a)
    built = billing_mail.build_messages("changed", details_id=details.pk, fields=["city"], actor="Zoé")
    messages = {m.to[0]: m for m in built}
    assert messages[admin_a.email].subject.startswith("Your billing details were changed")
    assert messages[other_admin.email].subject.startswith("Vos coordonnées de facturation ont été modifiées")


@pytest.mark.parametrize(
    ("language", "words"), [("en", "Someone asked to reset"), ("fr", "Une réinitialisation du mot de passe")]
)
def test_the_password_reset_email_speaks_the_users_language(client, rep_a, language, words):
    rep_a.language = language
    rep_a.save()
    other = {"en": "fr", "fr": "en"}[language]
    client.post("/auth/password_reset/", {"email": rep_a.email}, HTTP_ACCEPT_LANGUAGE=other)
    [message] = mail.outbox
    assert words in message.body


def test_the_language_switch_saves_a_logged_in_users_choice(client, rep_a):
    client.force_login(rep_a)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/portal/"})
    assert response.status_code == 302
    rep_a.refresh_from_db()
    assert rep_a.language == "en"


def test_the_account_page_changes_the_language_and_the_next_login_switches_to_it(client, rep_a):
    client.force_login(rep_a)
    page = client.get("/portal/users/me/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Mon compte" in page or "My account" in page
    response = client.post("/portal/users/me/", {"language": "en"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302
    rep_a.refresh_from_db()
    assert rep_a.language == "en"
    bad = client.post("/portal/users/me/", {"language": "de"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 200 and "de is not one of the available choices" in bad.content.decode()

    client.logout()
    client.cookies.clear()
    response = client.post(
        "/auth/login/", {"username": rep_a.username, "password": "secret-pass-123"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 302 and response.cookies["django_language"].value == "en"
    page = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'lang="en"' in page


def test_a_user_who_never_chose_keeps_the_browsers_language_after_login(client, rep_a):
    response = client.post("/auth/login/", {"username": rep_a.username, "password": "secret-pass-123"})
    assert response.status_code == 302 and "django_language" not in response.cookies
    page = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in page
