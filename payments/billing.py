"""Billing details (SPEC §5.2): who a partner is on its invoices and where it is paid.

Only the partner's own admins and the channel team see or change them. Every change is kept
(django-simple-history keeps each version; the audit trail says who changed which fields, the IBAN
masked) and e-mailed to the partner's admins once committed. A new or changed IBAN or BIC holds the
partner's payments until a channel user — not the one who entered it — confirms it (four eyes on
where the money goes). A partner's first billing details also issue the invoices that waited for
them.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from audit import kinds as audit_kinds
from ecosystem.roles import Role, role_of
from ecosystem.validators import compact_bic, compact_iban, compact_vat_number

from .invoicing import invoices_issue_for_partner
from .models import FRANCHISE_MENTION, BillingDetails
from .notifications import notify_partner_admins

BILLING_CHANGED = audit_kinds.BILLING_CHANGED
IBAN_CONFIRMED = audit_kinds.IBAN_CONFIRMED

#: The fields a person enters, in form order.
FIELDS = [
    "legal_name", "address_line", "address_line_2", "postal_code", "city", "country", "vat_number", "vat_exempt",
    "vat_exemption_mention", "iban", "bic",
]  # fmt: skip
#: A change of these holds the partner's payments until confirmed.
BANK_FIELDS = frozenset({"iban", "bic"})


def can_edit(user, partner) -> bool:
    role = role_of(user)
    return role == Role.CHANNEL or (role == Role.PARTNER_ADMIN and user.partner_id == partner.pk)


def details_of(partner) -> BillingDetails | None:
    return BillingDetails.objects.filter(partner=partner).select_related("iban_changed_by", "iban_confirmed_by").first()


def normalised(values: dict) -> dict:
    """The values as stored: IBAN, BIC and VAT number compact and upper case, text stripped; an exempt
    partner without a mention gets the franchise's (art. 293 B du CGI)."""
    values = {name: values.get(name, "") for name in FIELDS}
    for name in ("legal_name", "address_line", "address_line_2", "postal_code", "city", "vat_exemption_mention"):
        values[name] = (values[name] or "").strip()
    values["country"] = (values["country"] or "FR").strip().upper()
    values["iban"] = compact_iban(values["iban"])
    values["bic"] = compact_bic(values["bic"])
    values["vat_number"] = compact_vat_number(values["vat_number"])
    values["vat_exempt"] = bool(values["vat_exempt"])
    if values["vat_exempt"] and not values["vat_exemption_mention"]:
        values["vat_exemption_mention"] = FRANCHISE_MENTION
    if not values["vat_exempt"]:
        values["vat_exemption_mention"] = ""
    return values


def _check(details: BillingDetails) -> None:
    """Field and cross-field checks with the messages a person can act on."""
    errors = {}
    try:
        details.full_clean(
            exclude=["partner", "iban_changed_at", "iban_changed_by", "updated_by"], validate_constraints=False
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    if not details.vat_exempt and not details.vat_number and "vat_number" not in errors:
        errors["vat_number"] = [_("Give the VAT number, or tick 'exempt from VAT' with its legal mention.")]
    if len(details.country) != 2 or not details.country.isalpha() or not details.country.isascii():
        errors["country"] = [_("Give the country's two-letter code (FR, BE, DE…).")]
    if details.iban and "iban" not in errors and details.iban[:2] not in SEPA_COUNTRIES:
        errors["iban"] = [_("This IBAN is not of a SEPA country: it cannot be paid by SEPA transfer.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def billing_details_save(*, partner, user, **values) -> BillingDetails:
    """Create or change the partner's billing details (the partner's admins or the channel team).

    Unchanged values write nothing. A new or changed IBAN or BIC is held until confirmed."""
    if not can_edit(user, partner):
        raise PermissionDenied(_("Only the partner's administrators and the channel team change its billing details."))
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    values = normalised(values)
    existing = BillingDetails.objects.select_for_update().filter(partner=partner).first()
    details = existing or BillingDetails(partner=partner)
    before = {name: getattr(details, name) for name in FIELDS} if existing else {}
    for name, value in values.items():
        setattr(details, name, value)
    changed = [name for name in FIELDS if not existing or before[name] != values[name]]
    if existing and not changed:
        return existing
    _check(details)
    now = timezone.now()
    bank_changed = not existing or bool(BANK_FIELDS & set(changed))
    if bank_changed:
        details.iban_changed_at, details.iban_changed_by = now, user
        details.iban_confirmed_at, details.iban_confirmed_by = None, None
    details.updated_by = user
    details._history_user = user
    details.save()
    audit.record(
        BILLING_CHANGED, actor=user, partner=partner.pk, target=details, target_repr=partner.name,
        detail={
            "created": existing is None, "fields": changed, "held": bank_changed,
            **({"iban": {"before": existing.masked_iban if existing else "", "after": details.masked_iban}}
               if "iban" in changed else {}),
        },
    )  # fmt: skip
    notify_partner_admins(
        "changed", details_id=details.pk, fields=changed, actor=user.get_full_name() or user.get_username()
    )
    if existing is None:
        invoices_issue_for_partner(partner=partner, actor=user)
    return details


@transaction.atomic
def billing_details_confirm_iban(*, details: BillingDetails, user) -> BillingDetails:
    """A channel user confirms a new or changed IBAN (checked with the partner by another channel than
    the change itself): the partner's payments resume. Never the user who entered it."""
    if role_of(user) != Role.CHANNEL:
        raise PermissionDenied(_("Only the channel team confirms a partner's IBAN."))
    details = BillingDetails.objects.select_for_update().select_related("partner").get(pk=details.pk)
    if not details.is_held:
        raise ValidationError({"iban": [_("This IBAN is already confirmed.")]})
    if details.iban_changed_by_id == user.pk:
        raise PermissionDenied(
            _("Four eyes: you entered this IBAN, another member of the channel team must confirm it.")
        )
    details.iban_confirmed_at, details.iban_confirmed_by = timezone.now(), user
    details._history_user = user
    details.save(update_fields=["iban_confirmed_at", "iban_confirmed_by", "updated_at"])
    audit.record(
        IBAN_CONFIRMED, actor=user, partner=details.partner_id, target=details, target_repr=details.partner.name,
        detail={"iban": details.masked_iban, "entered_by": details.iban_changed_by_id},
    )  # fmt: skip
    notify_partner_admins(
        "confirmed", details_id=details.pk, fields=[], actor=user.get_full_name() or user.get_username()
    )
    return details


#: Countries of the SEPA credit transfer scheme (EPC list): an IBAN elsewhere cannot be paid by SEPA.
SEPA_COUNTRIES = frozenset({
    "AD", "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GI", "GR", "HR", "HU", "IE",
    "IS", "IT", "LI", "LT", "LU", "LV", "MC", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK", "SM", "VA",
})  # fmt: skip


def history_of(details: BillingDetails, limit: int = 50) -> list[dict]:
    """The recorded versions of the details, newest first: when, who, which fields (labels, never values:
    the history shows that the IBAN changed, not the IBAN), and whether the IBAN was confirmed then."""
    records = list(details.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    entries = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        fields = FIELDS if older is None else [name for name in FIELDS if getattr(newer, name) != getattr(older, name)]
        confirmed = older is not None and older.iban_confirmed_at is None and newer.iban_confirmed_at is not None
        entries.append(
            {
                "date": newer.history_date,
                "user": newer.history_user.get_username() if newer.history_user else "",
                "created": older is None,
                "fields": [BillingDetails._meta.get_field(name).verbose_name for name in fields],
                "confirmed": confirmed,
            }
        )
    return entries[:limit]
