"""Import of bookings, the won business of the order system (SPEC §6), direct or through partners.

Columns ``external_id,account_siren,partner_siren,route,product_line,amount,closed_on``.
Every row is checked first (line and column of each problem); nothing is written when a row
is bad unless the caller asks for the good rows only. Rows are upserted by ``external_id``
as won opportunities: importing the same file again changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from ecosystem.bulk import insert_history
from ecosystem.choices import ProductLine
from ecosystem.csvio import RowError, read_table, starts_like_formula
from ecosystem.validators import siren_error
from opportunities.models import Opportunity, Route, Stage
from partners.models import Partner

BOOKING_COLUMNS = ["external_id", "account_siren", "partner_siren", "route", "product_line", "amount", "closed_on"]
UPDATABLE = ["account_id", "partner_id", "route", "product_line", "amount", "stage", "closed_on"]
ROUTES = tuple(Route.values)
PRODUCT_LINES = tuple(ProductLine.values)
PARTNER_ROUTES = (Route.PARTNER_SOURCED, Route.PARTNER_INFLUENCED)
MAX_AMOUNT = Decimal("999999999999.99")
BATCH = 2000
MAX_REPORTED_ERRORS = 1000


@dataclass
class BookingReport:
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    written: bool = False
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "total_rows": self.total_rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "written": self.written,
            "error_count": len(self.errors),
            "errors": [error.as_dict() for error in self.errors[:MAX_REPORTED_ERRORS]],
        }


def parse_amount(text: str) -> Decimal:
    """``12500``, ``12500.50``, ``12 500,50`` (French) → Decimal; ValueError otherwise."""
    cleaned = text.replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError(f"'{text}' is not an amount") from error
    if not value.is_finite():
        raise ValueError(f"'{text}' is not an amount")
    if value < 0:
        raise ValueError(f"{text} is negative")
    if value > MAX_AMOUNT:
        raise ValueError(f"{text} is too large")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"{text} has more than two decimals")
    return value.quantize(Decimal("0.01"))


def parse_day(text: str) -> date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a date (use 2026-03-31 or 31/03/2026)")


def parse_booking_row(line: int, values: dict, accounts: dict, partners: dict, today: date) -> tuple[dict | None, list]:
    errors: list[RowError] = []
    external_id = values["external_id"]
    if not external_id:
        errors.append(RowError(line, "external_id", "is empty"))
    elif len(external_id) > 64:
        errors.append(RowError(line, "external_id", "is longer than 64 characters"))
    elif starts_like_formula(external_id):
        errors.append(RowError(line, "external_id", f"starts with '{external_id[0]}': formulas are not accepted"))
    account_siren = values["account_siren"].replace(" ", "")
    account_id = None
    if problem := siren_error(account_siren):
        errors.append(RowError(line, "account_siren", f"'{values['account_siren']}': {problem}"))
    elif (account_id := accounts.get(account_siren)) is None:
        errors.append(RowError(line, "account_siren", f"no account has SIREN {account_siren}"))
    partner_siren = values["partner_siren"].replace(" ", "")
    partner_id = None
    if partner_siren:
        if problem := siren_error(partner_siren):
            errors.append(RowError(line, "partner_siren", f"'{values['partner_siren']}': {problem}"))
        elif (partner_id := partners.get(partner_siren)) is None:
            errors.append(RowError(line, "partner_siren", f"no partner has SIREN {partner_siren}"))
    route = values["route"].strip().lower()
    if route not in ROUTES:
        errors.append(RowError(line, "route", f"'{values['route']}' is not one of: {', '.join(ROUTES)}"))
    elif route == Route.DIRECT and partner_siren:
        errors.append(RowError(line, "route", "is direct but a partner_siren is given"))
    elif route in PARTNER_ROUTES and not partner_siren:
        errors.append(RowError(line, "partner_siren", f"is empty but the route is {route}"))
    product_line = values["product_line"].strip().lower()
    if product_line not in PRODUCT_LINES:
        errors.append(
            RowError(line, "product_line", f"'{values['product_line']}' is not one of: {', '.join(PRODUCT_LINES)}")
        )
    amount = None
    try:
        amount = parse_amount(values["amount"])
    except ValueError as error:
        errors.append(RowError(line, "amount", str(error)))
    closed_on = None
    try:
        closed_on = parse_day(values["closed_on"])
        if closed_on > today:
            errors.append(RowError(line, "closed_on", f"{closed_on} is in the future"))
        elif closed_on.year < 2000:
            errors.append(RowError(line, "closed_on", f"{closed_on} is before 2000"))
    except ValueError as error:
        errors.append(RowError(line, "closed_on", str(error)))
    if errors:
        return None, errors
    return {
        "external_id": external_id,
        "account_id": account_id,
        "partner_id": partner_id,
        "route": route,
        "product_line": product_line,
        "amount": amount,
        "stage": Stage.WON,
        "closed_on": closed_on,
    }, []


def _lookup(model, sirens: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    ordered = sorted(sirens)
    for start in range(0, len(ordered), BATCH):
        chunk = ordered[start : start + BATCH]
        found.update(dict(model.objects.filter(siren__in=chunk).values_list("siren", "pk")))
    return found


def check_bookings_file(data: bytes, report: Callable | None = None) -> tuple[list[dict], list[RowError], int]:
    table = read_table(data, BOOKING_COLUMNS, max_bytes=settings.IMPORT_MAX_BYTES)
    rows = [(line, values) for line, values in table.rows]
    accounts = _lookup(Account, {v["account_siren"].replace(" ", "") for _, v in rows if "__error__" not in v})
    partners = _lookup(
        Partner, {v["partner_siren"].replace(" ", "") for _, v in rows if "__error__" not in v and v["partner_siren"]}
    )
    today = timezone.localdate()
    good, errors, first_line = [], [], {}
    total = len(rows)
    for index, (line, values) in enumerate(rows, start=1):
        if "__error__" in values:
            errors.append(RowError(line, "", values["__error__"]))
            continue
        parsed, row_errors = parse_booking_row(line, values, accounts, partners, today)
        if row_errors:
            errors.extend(row_errors)
        elif parsed["external_id"] in first_line:
            errors.append(
                RowError(
                    line,
                    "external_id",
                    f"{parsed['external_id']} already appears on line {first_line[parsed['external_id']]}",
                )
            )
        else:
            first_line[parsed["external_id"]] = line
            good.append(parsed)
        if report and index % 1000 == 0:
            report(index, total * 2, "Checking rows")
    return good, errors, total


def import_bookings(
    data: bytes, *, good_rows_only: bool = False, user=None, report: Callable | None = None
) -> BookingReport:
    """Check the file, then create or update won opportunities by ``external_id`` in one transaction."""
    rows, errors, total = check_bookings_file(data, report)
    result = BookingReport(total_rows=total, errors=errors)
    if errors and not good_rows_only:
        return result
    result.skipped = total - len(rows)
    with transaction.atomic():
        existing: dict[str, Opportunity] = {}
        ids = [row["external_id"] for row in rows]
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            existing.update({o.external_id: o for o in Opportunity.objects.filter(external_id__in=chunk)})
        to_create, to_update = [], []
        now = timezone.now()
        for row in rows:
            opportunity = existing.get(row["external_id"])
            if opportunity is None:
                to_create.append(Opportunity(**row, created_at=now, updated_at=now))
                continue
            changed = False
            for name in UPDATABLE:
                if getattr(opportunity, name) != row[name]:
                    setattr(opportunity, name, row[name])
                    changed = True
            if opportunity.partner_id is None and opportunity.registration_status is not None:
                opportunity.registration_status = None
                changed = True
            if changed:
                opportunity.updated_at = now
                to_update.append(opportunity)
            else:
                result.unchanged += 1
        if report:
            report(total, total * 2, "Writing")
        if to_create:
            Opportunity.objects.bulk_create(to_create, batch_size=BATCH)
            insert_history(
                Opportunity,
                key_field="external_id",
                keys=[o.external_id for o in to_create],
                history_type="+",
                user=user,
            )
        if to_update:
            Opportunity.objects.bulk_update(
                to_update, UPDATABLE + ["registration_status", "updated_at"], batch_size=BATCH
            )
            insert_history(
                Opportunity,
                key_field="external_id",
                keys=[o.external_id for o in to_update],
                history_type="~",
                user=user,
            )
        result.created, result.updated = len(to_create), len(to_update)
    result.written = True
    if report:
        report(total * 2, total * 2, "Done")
    return result
