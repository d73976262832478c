"""Validators for French company identifiers and other shared formats (python-stdnum underneath).

Each ``*_error`` function returns the reason a value is refused, in the reader's language, or None;
the ``validate_*`` functions raise Django's ValidationError with it (model fields and forms use
them). The checks themselves are python-stdnum's: SIREN (Luhn), EU VAT numbers (per country),
IBAN (ISO 13616 checksum and the country's structure) and BIC (ISO 9362).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.eu import vat as stdnum_vat
from stdnum.exceptions import InvalidChecksum, InvalidComponent
from stdnum.exceptions import ValidationError as StdnumError

#: The largest id a row can have (a 64-bit signed column): a larger one names no row, and the
#: database refuses to even compare it (OverflowError, "bigint out of range").
MAX_ID = 2**63 - 1


def luhn_is_valid(digits: str) -> bool:
    """True when ``digits`` passes the Luhn check (as SIREN numbers do)."""
    return luhn.is_valid(digits)


def siren_error(value: str) -> str | None:
    """The reason ``value`` is not a valid SIREN, or None when it is.

    Stricter than stdnum's own ``fr.siren`` on the form (no spaces or dots: a SIREN is stored and
    exchanged as exactly 9 digits); stdnum checks the Luhn check digit."""
    if not isinstance(value, str) or len(value) != 9 or not value.isascii() or not value.isdigit():
        return str(_("A SIREN is exactly 9 digits."))
    try:
        luhn.validate(value)
    except StdnumError:
        return str(_("This SIREN's check digit is wrong."))
    return None


def validate_siren(value: str) -> None:
    error = siren_error(value)
    if error:
        raise ValidationError(error, code="invalid_siren")


def siren_with_check_digit(eight_digits: str) -> str:
    """Complete an 8-digit prefix into a valid SIREN (used by the demo data and tests)."""
    return eight_digits + luhn.calc_check_digit(eight_digits)


# --- Billing identifiers ----------------------------------------------------------------------------


def compact_iban(value: str) -> str:
    """The IBAN as stored: upper case, no spaces."""
    return stdnum_iban.compact(value or "")


def iban_error(value: str) -> str | None:
    """The reason ``value`` is not a valid IBAN, or None. Spaces are allowed (``FR76 3000 …``)."""
    if not isinstance(value, str) or not value.strip():
        return str(_("Give the IBAN."))
    number = stdnum_iban.compact(value)
    if not number.isascii() or not number.isalnum() or len(number) < 5 or not number[2:4].isdigit():
        return str(_("This is not an IBAN (two letters of a country, two check digits, then the account)."))
    try:
        stdnum_iban.validate(number)
        return None
    except StdnumError:
        pass
    # The same IBAN with the check digits it should have tells a mistyped character from a wrong shape.
    try:
        stdnum_iban.validate(number[:2] + stdnum_iban.calc_check_digits(number) + number[4:])
    except InvalidComponent:
        return str(_("This is not an IBAN (two letters of a country, two check digits, then the account)."))
    except InvalidChecksum:
        return str(_("This IBAN's check digits are wrong: check for a mistyped character."))
    except StdnumError:
        return str(_("This IBAN has the wrong number of characters for its country."))
    return str(_("This IBAN's check digits are wrong: check for a mistyped character."))


def validate_iban(value: str) -> None:
    error = iban_error(value)
    if error:
        raise ValidationError(error, code="invalid_iban")


def compact_bic(value: str) -> str:
    return "".join((value or "").split()).upper()


def bic_error(value: str) -> str | None:
    """The reason ``value`` is not a valid BIC (8 or 11 characters), or None."""
    if not isinstance(value, str) or not value.strip():
        return str(_("Give the BIC."))
    try:
        stdnum_bic.validate(value)
    except StdnumError:
        return str(_("This is not a BIC: 8 or 11 letters and digits (bank, country, place, branch)."))
    return None


def validate_bic(value: str) -> None:
    error = bic_error(value)
    if error:
        raise ValidationError(error, code="invalid_bic")


def compact_vat_number(value: str) -> str:
    """Upper case, no spaces, dots or dashes (``fr 40 303-265-045`` → ``FR40303265045``)."""
    return "".join(ch for ch in (value or "") if ch not in " .-/").upper()


def vat_number_error(value: str) -> str | None:
    """The reason ``value`` is not a valid EU VAT number (``FR40303265045``), or None."""
    if not isinstance(value, str) or not value.strip():
        return str(_("Give the VAT number."))
    try:
        stdnum_vat.validate(value)
    except InvalidComponent:
        return str(_("A VAT number starts with its country's two letters (FR for France)."))
    except InvalidChecksum:
        return str(_("This VAT number's check digits are wrong."))
    except StdnumError:
        return str(_("This is not a valid VAT number for its country."))
    return None


def validate_vat_number(value: str) -> None:
    error = vat_number_error(value)
    if error:
        raise ValidationError(error, code="invalid_vat_number")


def french_iban(account: int, *, bank: int = 30006, branch: int = 1) -> str:
    """A valid French IBAN for an account number (RIB key and IBAN check digits computed; used by the
    demo data and tests)."""
    number = f"{account:011d}"
    key = 97 - ((89 * bank + 15 * branch + 3 * int(number)) % 97)
    bban = f"{bank:05d}{branch:05d}{number}{key:02d}"
    return "FR" + stdnum_iban.calc_check_digits("FR00" + bban) + bban


def french_vat_number(siren: str) -> str:
    """The French VAT number of a SIREN (``FR`` + its two-digit key + the SIREN)."""
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"
