"""Checks of the values a registration or an update carries, shared by the forms, the API and the services.

Each function returns the message to show for its field, or ``None`` when the value is fine.
"""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import gettext as _

MAX_DIGITS = 14
DECIMAL_PLACES = 2
MAX_AMOUNT = Decimal("999999999999.99")  # what the column holds (14 digits, 2 decimals)
EARLIEST_DATE = date(2000, 1, 1)  # no business of this product's life is older
HORIZON_YEARS = 5  # an expected close further away than this is a typing error


def horizon(today: date) -> date:
    return today + timedelta(days=365 * HORIZON_YEARS + 1)


def amount_error(value) -> str | None:
    """An amount in euros: a finite decimal above zero, at most 2 decimals and 14 digits."""
    if value is None or value == "":
        return _("Give the amount in euros.")
    if isinstance(value, float | int) and not isinstance(value, bool):
        value = str(value)
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        return _("Give the amount as a number of euros, e.g. 12500.00.")
    if not amount.is_finite():
        return _("Give the amount as a number of euros, e.g. 12500.00.")
    if amount <= 0:
        return _("The amount must be more than zero.")
    if amount > MAX_AMOUNT:
        return _("The amount is too large (at most 999,999,999,999.99 €).")
    if amount != amount.quantize(Decimal("0.01")):
        return _("Give the amount with at most 2 decimals.")
    return None


def expected_close_error(value: date | None, today: date, *, registering: bool) -> str | None:
    """A registration looks ahead: from today up to the horizon. An update may keep a past date."""
    if value is None:
        return _("Give the expected closing date.") if registering else None
    earliest = today if registering else EARLIEST_DATE
    latest = horizon(today)
    if not earliest <= value <= latest:
        return _("Give an expected closing date between %(earliest)s and %(latest)s.") % {
            "earliest": formats.date_format(earliest, "DATE_FORMAT"),
            "latest": formats.date_format(latest, "DATE_FORMAT"),
        }
    return None


def closed_on_error(value: date | None, today: date) -> str | None:
    if value is not None and not EARLIEST_DATE <= value <= today:
        earliest = formats.date_format(EARLIEST_DATE, "DATE_FORMAT")
        return _("Give a closing date between %(earliest)s and today.") % {"earliest": earliest}
    return None


def reason_error(value: str | None, *, required: bool, what: str = "") -> str | None:
    text = (value or "").strip()
    if required and not text:
        return what or _("Give a reason.")
    if len(text) > 500:
        return _("Keep the reason under 500 characters.")
    return None


IDEMPOTENCY_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")


def idempotency_key_error(value: str | None) -> str | None:
    if value is None:
        return None
    if not 1 <= len(value) <= 64 or not set(value) <= IDEMPOTENCY_KEY_CHARS:
        return _("An idempotency key is 1 to 64 letters, digits or - _ . : characters.")
    return None
