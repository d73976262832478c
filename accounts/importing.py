"""Import of the select-account list (SPEC §6): check every row first, then upsert by SIREN.

Nothing is written when any row is bad, unless the caller asks for the good rows only.
The write is one transaction of bulk statements: no per-row queries.
"""

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from ecosystem.bulk import copy_insert, insert_history
from ecosystem.choices import Region, Sector
from ecosystem.csvio import ImportReport, RowError, parse_bool, read_table, starts_like_formula
from ecosystem.validators import siren_error

from .models import Account, Awareness

ACCOUNT_COLUMNS = ["siren", "name", "sector", "region", "city", "employees", "is_select", "vendor_awareness"]
CREATE_FIELDS = ["siren", "name", "sector", "region", "city", "employees", "is_select", "vendor_awareness"]
UPDATABLE_FIELDS = ["name", "sector", "region", "city", "employees", "is_select", "vendor_awareness"]
BATCH_SIZE = 2000


def _text(values: dict, column: str, line: int, errors: list, *, required: bool, max_length: int) -> str:
    value = values[column]
    if required and not value:
        errors.append(RowError(line, column, _("is empty")))
    elif len(value) > max_length:
        errors.append(RowError(line, column, _("is longer than %(max)s characters") % {"max": max_length}))
    elif starts_like_formula(value):
        errors.append(
            RowError(
                line, column, _("starts with '%(char)s': spreadsheet formulas are not accepted") % {"char": value[0]}
            )
        )
    return value


# Computed once: ``TextChoices.values`` builds a new list at every call.
SECTORS, REGIONS, AWARENESS = (tuple(choices.values) for choices in (Sector, Region, Awareness))


def _choice(values: dict, column: str, line: int, errors: list, allowed: tuple, default: str | None = None) -> str:
    value = values[column].strip().lower()
    if not value and default is not None:
        return default
    if value not in allowed:
        errors.append(
            RowError(
                line,
                column,
                _("'%(value)s' is not one of: %(allowed)s") % {"value": values[column], "allowed": ", ".join(allowed)},
            )
        )
    return value


def parse_account_row(line: int, values: dict) -> tuple[dict | None, list[RowError]]:
    """One CSV row → the account's field values, or the row's errors."""
    errors: list[RowError] = []
    siren = values["siren"].replace(" ", "")
    if problem := siren_error(siren):
        errors.append(
            RowError(line, "siren", _("'%(value)s': %(problem)s") % {"value": values["siren"], "problem": problem})
        )
    name = _text(values, "name", line, errors, required=True, max_length=200)
    city = _text(values, "city", line, errors, required=False, max_length=100)
    sector = _choice(values, "sector", line, errors, SECTORS)
    region = _choice(values, "region", line, errors, REGIONS)
    awareness = _choice(values, "vendor_awareness", line, errors, AWARENESS, default=Awareness.LOW)
    employees = None
    raw_employees = values["employees"].replace(" ", "").replace("\u202f", "")
    if raw_employees:
        if not (raw_employees.isascii() and raw_employees.isdigit()):  # "²".isdigit() is True, int() refuses it
            errors.append(
                RowError(line, "employees", _("'%(value)s' is not a whole number") % {"value": values["employees"]})
            )
        elif int(raw_employees) > 10_000_000:
            errors.append(
                RowError(line, "employees", _("%(value)s is not a plausible headcount") % {"value": raw_employees})
            )
        else:
            employees = int(raw_employees)
    try:
        is_select = parse_bool(values["is_select"])
    except ValueError as error:
        errors.append(RowError(line, "is_select", str(error)))
        is_select = False
    if errors:
        return None, errors
    return {
        "siren": siren,
        "name": name,
        "sector": sector,
        "region": region,
        "city": city,
        "employees": employees,
        "is_select": is_select,
        "vendor_awareness": awareness,
    }, []


def check_accounts_file(data: bytes, report: Callable | None = None) -> tuple[list[dict], list[RowError], int]:
    """Every row checked: the good rows' values, every error, the number of rows."""
    table = read_table(data, ACCOUNT_COLUMNS, max_bytes=settings.IMPORT_MAX_BYTES)
    good: list[dict] = []
    errors: list[RowError] = []
    first_line_of: dict[str, int] = {}
    total = len(table.rows)
    for index, (line, values) in enumerate(table.rows, start=1):
        if "__error__" in values:
            errors.append(RowError(line, "", values["__error__"]))
            continue
        parsed, row_errors = parse_account_row(line, values)
        if row_errors:
            errors.extend(row_errors)
        elif parsed["siren"] in first_line_of:
            errors.append(
                RowError(
                    line,
                    "siren",
                    _("%(value)s already appears on line %(line)s")
                    % {"value": parsed["siren"], "line": first_line_of[parsed["siren"]]},
                )
            )
        else:
            first_line_of[parsed["siren"]] = line
            good.append(parsed)
        if report and index % 1000 == 0:
            report(index, total * 2, "Checking rows")
    return good, errors, total


def import_accounts(
    data: bytes, *, good_rows_only: bool = False, user=None, report: Callable | None = None
) -> ImportReport:
    """Check the file, then create or update accounts by SIREN in one transaction."""
    rows, errors, total = check_accounts_file(data, report)
    result = ImportReport(total_rows=total, errors=errors)
    if errors and not good_rows_only:
        return result
    result.skipped = total - len(rows)
    with transaction.atomic():
        existing: dict[str, Account] = {}
        sirens = [row["siren"] for row in rows]
        for start in range(0, len(sirens), BATCH_SIZE):
            chunk = sirens[start : start + BATCH_SIZE]
            existing.update({a.siren: a for a in Account.objects.filter(siren__in=chunk)})
        to_create, to_update = [], []
        now = timezone.now()
        for row in rows:
            account = existing.get(row["siren"])
            if account is None:
                to_create.append(tuple(row[name] for name in CREATE_FIELDS) + (now, now))
                continue
            changed = False
            for name in UPDATABLE_FIELDS:
                if getattr(account, name) != row[name]:
                    setattr(account, name, row[name])
                    changed = True
            if changed:
                account.updated_at = now
                to_update.append(account)
            else:
                result.unchanged += 1
        if report:
            report(total, total * 2, "Writing")
        if to_create:
            copy_insert(Account, CREATE_FIELDS + ["created_at", "updated_at"], to_create)
            insert_history(Account, key_field="siren", keys=[row[0] for row in to_create], history_type="+", user=user)
        if to_update:
            bulk_update_with_history(
                to_update, Account, UPDATABLE_FIELDS + ["updated_at"], batch_size=BATCH_SIZE, default_user=user
            )
        result.created, result.updated = len(to_create), len(to_update)
    result.written = True
    if report:
        report(total * 2, total * 2, "Done")
    return result
