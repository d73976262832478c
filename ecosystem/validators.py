"""Validators for French company identifiers and other shared formats."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: The largest id a row can have (a 64-bit signed column): a larger one names no row, and the
#: database refuses to even compare it (OverflowError, "bigint out of range").
MAX_ID = 2**63 - 1


def luhn_is_valid(digits: str) -> bool:
    """True when ``digits`` passes the Luhn check (as SIREN numbers do)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def siren_error(value: str) -> str | None:
    """The reason ``value`` is not a valid SIREN, or None when it is."""
    if not isinstance(value, str) or len(value) != 9 or not value.isascii() or not value.isdigit():
        return str(_("A SIREN is exactly 9 digits."))
    if not luhn_is_valid(value):
        return str(_("This SIREN's check digit is wrong."))
    return None


def validate_siren(value: str) -> None:
    error = siren_error(value)
    if error:
        raise ValidationError(error, code="invalid_siren")


def siren_with_check_digit(eight_digits: str) -> str:
    """Complete an 8-digit prefix into a valid SIREN (used by the demo data and tests)."""
    for check in "0123456789":
        if luhn_is_valid(eight_digits + check):
            return eight_digits + check
    raise AssertionError("unreachable: one check digit always fits")
