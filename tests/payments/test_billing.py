"""Billing details (SPEC §5.2): validated, visible to the partner's admins and the channel team only,
the IBAN masked on screens, every change recorded, audited and e-mailed to the partner's admins, and
a new IBAN held until another channel user confirms it."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from ecosystem.roles import Role
from ecosystem.validators import french_iban, french_vat_number
from payments.billing import billing_details_confirm_iban, billing_details_save, history_of
from payments.models import BillingDetails, mask_iban

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

IBAN = "FR7630006000011234567890189"


def values(partner, **changes):
    return {
        "legal_name": "Alpha Intégration SAS",
        "address_line": "3 rue du Port",
        "address_line_2": "",
        "postal_code": "44000",
        "city": "Nantes",
        "country": "FR",
        "vat_number": french_vat_number(partner.siren),
        "vat_exempt": False,
        "vat_exemption_mention": "",
        "iban": "fr76 3000 6000 0112 3456 7890 189",
        "bic": "agrifrpp",
        **changes,
    }


def test_mask_iban_shows_the_country_the_check_digits_and_the_last_four():
    assert mask_iban(IBAN) == "FR76 •••• •••• •••• •••• •••0 189"
    assert mask_iban("DE89370400440532013000") == "DE89 •••• •••• •••• ••30 00"
    assert "1234567890" not in mask_iban(IBAN)


def test_saving_normalises_validates_and_holds_a_new_iban(
    partner_a, admin_a, channel_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        details = billing_details_save(partner=partner_a, user=admin_a, **values(partner_a))
    assert (details.iban, details.bic, details.vat_number) == (IBAN, "AGRIFRPP", french_vat_number(partner_a.siren))
    assert details.is_held and details.iban_changed_by == admin_a
    event = AuditEvent.objects.get(kind="billing.changed")
    assert event.partner_id == partner_a.pk and event.actor == admin_a
    assert event.detail["held"] is True and event.detail["iban"]["after"] == mask_iban(IBAN)
    assert IBAN not in str(event.detail), "the audit trail never holds the IBAN in full"
    # E-mailed to the partner's admins (not its reps), after the commit, the IBAN masked.
    assert [m.to for m in mail.outbox] == [[admin_a.email]]
    assert mask_iban(IBAN) in mail.outbox[0].body and IBAN not in mail.outbox[0].body


def test_only_another_channel_user_confirms_the_iban(partner_a, admin_a, channel_user, manager_user):
    details = billing_details_save(partner=partner_a, user=channel_user, **values(partner_a))
    with pytest.raises(PermissionDenied, match="Four eyes"):
        billing_details_confirm_iban(details=details, user=channel_user)
    for user in (admin_a, manager_user):
        with pytest.raises(PermissionDenied):
            billing_details_confirm_iban(details=details, user=user)
    other = UserFactory(role=Role.CHANNEL)
    confirmed = billing_details_confirm_iban(details=details, user=other)
    assert not confirmed.is_held and confirmed.iban_confirmed_by == other
    with pytest.raises(ValidationError, match="already confirmed"):
        billing_details_confirm_iban(details=details, user=UserFactory(role=Role.CHANNEL))


def test_a_changed_iban_holds_again_other_changes_do_not(partner_a, admin_a, channel_user):
    details = billing_details_save(partner=partner_a, user=admin_a, **values(partner_a))
    billing_details_confirm_iban(details=details, user=channel_user)
    details = billing_details_save(partner=partner_a, user=admin_a, **values(partner_a, city="Saint-Nazaire"))
    assert not details.is_held, "an address change does not hold payments"
    details = billing_details_save(
        partner=partner_a, user=admin_a, **values(partner_a, city="Saint-Nazaire", iban=french_iban(77))
    )
    assert details.is_held and details.iban_confirmed_by is None
    entries = history_of(details)
    assert [e["created"] for e in entries] == [False, False, False, True]
    assert [str(f) for f in entries[0]["fields"]] == ["IBAN"]
    assert entries[2]["confirmed"] is True
    # Saving the same values again writes nothing.
    count = BillingDetails.history.count()
    billing_details_save(
        partner=partner_a, user=admin_a, **values(partner_a, city="Saint-Nazaire", iban=french_iban(77))
    )
    assert BillingDetails.history.count() == count


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"iban": "FR7630006000011234567890188"}, "iban", "check digits are wrong"),
        ({"iban": "FR76300060"}, "iban", "wrong number of characters"),
        ({"iban": "hello"}, "iban", "is not an IBAN"),
        ({"iban": french_iban(1).replace("FR", "US", 1)}, "iban", "not an IBAN"),
        ({"bic": "AGRI"}, "bic", "is not a BIC"),
        ({"vat_number": "FR00123456789"}, "vat_number", "check digits are wrong"),
        ({"vat_number": "XX123"}, "vat_number", "country's two letters"),
        ({"vat_number": ""}, "vat_number", "Give the VAT number"),
        ({"legal_name": "  "}, "legal_name", "cannot be blank"),
        ({"country": "France"}, "country", "two-letter code"),
    ],
)
def test_bad_values_name_their_field_and_write_nothing(partner_a, admin_a, changes, field, message):
    with pytest.raises(ValidationError) as caught:
        billing_details_save(partner=partner_a, user=admin_a, **values(partner_a, **changes))
    assert field in caught.value.message_dict, caught.value.message_dict
    assert message in " ".join(caught.value.message_dict[field])
    assert not BillingDetails.objects.exists() and not AuditEvent.objects.filter(kind="billing.changed").exists()


def test_an_exempt_partner_gets_the_franchise_mention(partner_a, admin_a):
    details = billing_details_save(partner=partner_a, user=admin_a, **values(partner_a, vat_number="", vat_exempt=True))
    assert details.vat_exemption_mention == "TVA non applicable, art. 293 B du CGI"


def test_only_the_partners_admins_and_the_channel_team_change_them(partner_a, partner_b, rep_a, manager_user):
    b_admin = UserFactory(role=Role.PARTNER_ADMIN, partner=partner_b)
    for user in (rep_a, manager_user, b_admin):
        with pytest.raises(PermissionDenied):
            billing_details_save(partner=partner_a, user=user, **values(partner_a))
    assert not BillingDetails.objects.exists()


def test_visibility_is_the_admins_and_the_channel_teams(
    partner_a, partner_b, admin_a, rep_a, channel_user, manager_user
):
    own = billing_details_save(partner=partner_a, user=channel_user, **values(partner_a))
    other = billing_details_save(
        partner=partner_b, user=channel_user, **values(partner_b, vat_number=french_vat_number(partner_b.siren))
    )
    assert set(BillingDetails.objects.for_user(channel_user)) == {own, other}
    assert list(BillingDetails.objects.for_user(admin_a)) == [own]
    assert not BillingDetails.objects.for_user(rep_a).exists()
    assert not BillingDetails.objects.for_user(manager_user).exists()
