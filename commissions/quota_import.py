"""Import of quotas (SPEC §4.3, §6): ``partner_siren,period,amount``, one quota per partner and period.

Every row is checked first, inside the transaction that writes them (so a settlement approved
meanwhile cannot slip in between): the line and column of each problem; nothing is written when
a row is bad unless the caller asks for the good rows only. Rows are upserted by (partner, period):
importing the same file again changes nothing. A row for a period whose settlement is approved is
refused like any bad row (its quotas never change, see :mod:`commissions.quotas`). Every quota
created or changed gets its history entry, and the import one audit event.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

import audit
from audit import kinds as audit_kinds
from ecosystem.csvio import ImportReport, RowError, read_table
from ecosystem.validators import siren_error
from partners.models import Partner

from .models import LOCKED_STATUSES, Quota, RunStatus, SettlementRun
from .quotas import parse_quota_amount, parse_quota_period

QUOTA_COLUMNS = ["partner_siren", "period", "amount"]
BATCH = 2000
CHANGE_REASON = "CSV import"


def _partners_by_siren(sirens: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    ordered = sorted(sirens)
    for start in range(0, len(ordered), BATCH):
        found.update(dict(Partner.objects.filter(siren__in=ordered[start : start + BATCH]).values_list("siren", "pk")))
    return found


def parse_quota_row(line: int, values: dict, partners: dict[str, int], locked: dict[str, str]) -> tuple:
    """One row → ``(partner_id, period, amount)``, or the row's errors."""
    errors: list[RowError] = []
    siren = values["partner_siren"].replace(" ", "")
    partner_id = None
    if problem := siren_error(siren):
        errors.append(
            RowError(
                line,
                "partner_siren",
                _("'%(value)s': %(problem)s") % {"value": values["partner_siren"], "problem": problem},
            )
        )
    elif (partner_id := partners.get(siren)) is None:
        errors.append(RowError(line, "partner_siren", _("no partner has SIREN %(siren)s") % {"siren": siren}))
    period = None
    try:
        period = parse_quota_period(values["period"])
    except ValueError as error:
        errors.append(RowError(line, "period", str(error)))
    else:
        if period in locked:
            errors.append(
                RowError(
                    line,
                    "period",
                    _("settlement %(period)s is %(status)s: its quotas no longer change")
                    % {"period": period, "status": RunStatus(locked[period]).label.lower()},
                )
            )
    amount = None
    try:
        amount = parse_quota_amount(values["amount"])
    except ValueError as error:
        errors.append(RowError(line, "amount", str(error)))
    if errors:
        return None, errors
    return (partner_id, period, amount), []


def check_quotas(table, report: Callable | None = None) -> tuple[list[tuple], list[RowError]]:
    """Every row of a read table checked: the good rows, every error, in the active language (an import
    job runs in its uploader's). Call inside the writing transaction."""
    return _check_quotas(table, report)


def _check_quotas(table, report: Callable | None) -> tuple[list[tuple], list[RowError]]:
    rows = table.rows
    partners = _partners_by_siren({v["partner_siren"].replace(" ", "") for _, v in rows if "__error__" not in v})
    periods = set()
    for _line, values in rows:
        if "__error__" not in values:
            with contextlib.suppress(ValueError):
                periods.add(parse_quota_period(values["period"]))
    # Locked against a concurrent approval until this transaction ends.
    locked = dict(
        SettlementRun.objects.select_for_update()
        .filter(period__in=sorted(periods), status__in=LOCKED_STATUSES)
        .values_list("period", "status")
    )
    good, errors, first_line = [], [], {}
    total = len(rows)
    for index, (line, values) in enumerate(rows, start=1):
        if "__error__" in values:
            errors.append(RowError(line, "", values["__error__"]))
            continue
        parsed, row_errors = parse_quota_row(line, values, partners, locked)
        if row_errors:
            errors.extend(row_errors)
        elif parsed[:2] in first_line:
            siren = values["partner_siren"].replace(" ", "")
            errors.append(
                RowError(
                    line,
                    "period",
                    _("%(siren)s %(period)s already appears on line %(line)s")
                    % {"siren": siren, "period": parsed[1], "line": first_line[parsed[:2]]},
                )
            )
        else:
            first_line[parsed[:2]] = line
            good.append(parsed)
        if report and index % 1000 == 0:
            report(index, total * 2, "Checking rows")
    return good, errors


def import_quotas(
    data: bytes, *, good_rows_only: bool = False, user=None, report: Callable | None = None
) -> ImportReport:
    """Check the file, then create or update each partner's quota of each period, in one transaction."""
    table = read_table(data, QUOTA_COLUMNS, max_bytes=settings.IMPORT_MAX_BYTES)
    total = len(table.rows)
    result = ImportReport(total_rows=total)
    with transaction.atomic():
        rows, result.errors = check_quotas(table, report)
        if result.errors and not good_rows_only:
            return result
        result.skipped = total - len(rows)
        existing: dict[tuple[int, str], Quota] = {}
        keys = sorted({(partner_id, period) for partner_id, period, _ in rows})
        for start in range(0, len(keys), BATCH):
            chunk = keys[start : start + BATCH]
            found = Quota.objects.filter(
                partner_id__in={k[0] for k in chunk}, period__in={k[1] for k in chunk}
            ).select_for_update()
            existing.update({(q.partner_id, q.period): q for q in found})
        to_create, to_update = [], []
        for partner_id, period, amount in rows:
            quota = existing.get((partner_id, period))
            if quota is None:
                to_create.append(Quota(partner_id=partner_id, period=period, amount=amount))
            elif quota.amount != amount:
                quota.amount = amount
                to_update.append(quota)
            else:
                result.unchanged += 1
        if report:
            report(total, total * 2, "Writing")
        if to_create:
            bulk_create_with_history(
                to_create, Quota, batch_size=BATCH, default_user=user, default_change_reason=CHANGE_REASON
            )
        if to_update:
            bulk_update_with_history(
                to_update, Quota, ["amount"], batch_size=BATCH, default_user=user, default_change_reason=CHANGE_REASON
            )
        result.created, result.updated = len(to_create), len(to_update)
        if to_create or to_update:
            audit.record(
                audit_kinds.QUOTAS_IMPORTED, actor=user,
                detail={
                    "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                    "skipped": result.skipped, "periods": sorted({period for _, period, _ in rows}),
                },
            )  # fmt: skip
    result.written = True
    if report:
        report(total * 2, total * 2, "Done")
    return result
