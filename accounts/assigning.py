"""Assigning many accounts at once: bulk assignment and the assignments CSV (SPEC §6).

One set-based core, :func:`apply_assignments`, serves the filtered selection in the
workspace, the bulk API and the CSV import: it locks the accounts' open assignments,
ends what the new rows replace, creates the new rows and re-flags the conflicts of the
pending registrations on the accounts that changed — a handful of statements whatever
the number of accounts, in one transaction, history kept.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from ecosystem.bulk import insert_history
from ecosystem.csvio import RowError, read_table
from ecosystem.validators import siren_error
from partners.models import Partner

from .deals import assignments_changed
from .models import Account, Assignment, AssignmentRole
from .services import REASSIGNED

ASSIGNMENT_COLUMNS = ["account_siren", "partner_siren", "role", "valid_from"]
LOCK_BATCH = 5000


@dataclass(frozen=True)
class AssignmentRow:
    account_id: int
    partner_id: int
    role: str
    valid_from: date
    line: int = 0  # the CSV line, when the row comes from a file


@dataclass
class AssignResult:
    created: int = 0
    ended: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "ended": self.ended,
            "unchanged": self.unchanged,
            "written": self.written,
            "error_count": len(self.errors),
            "errors": [e.as_dict() for e in self.errors[:1000]],
        }


def _lock_open_assignments(account_ids: list[int]) -> dict[int, list[Assignment]]:
    by_account: dict[int, list[Assignment]] = {}
    for start in range(0, len(account_ids), LOCK_BATCH):
        chunk = account_ids[start : start + LOCK_BATCH]
        for assignment in Assignment.objects.select_for_update().open().filter(account_id__in=chunk).order_by("pk"):
            by_account.setdefault(assignment.account_id, []).append(assignment)
    return by_account


def plan_assignments(
    rows: list[AssignmentRow], current: dict[int, list[Assignment]]
) -> tuple[list[Assignment], list[AssignmentRow], int, list[RowError]]:
    """Pure planning: which open assignments end, which rows become new assignments, what is unchanged."""
    to_end: dict[int, Assignment] = {}
    to_create: list[AssignmentRow] = []
    unchanged = 0
    errors: list[RowError] = []
    for row in rows:
        holders = [a for a in current.get(row.account_id, []) if a.pk not in to_end]
        same_partner = next((a for a in holders if a.partner_id == row.partner_id), None)
        if same_partner and same_partner.role == row.role:
            unchanged += 1
            continue
        replaced = [same_partner] if same_partner else []
        if row.role == AssignmentRole.PRIMARY:
            replaced += [a for a in holders if a.role == AssignmentRole.PRIMARY and a.partner_id != row.partner_id]
        too_early = [a for a in replaced if a.valid_from > row.valid_from]
        if too_early:
            errors.append(
                RowError(
                    row.line,
                    "valid_from",
                    _("%(date)s is before the current assignment's start (%(start)s)")
                    % {"date": row.valid_from, "start": too_early[0].valid_from},
                )
            )
            continue
        for assignment in replaced:
            assignment.valid_to = row.valid_from
            to_end[assignment.pk] = assignment
        to_create.append(row)
    return list(to_end.values()), to_create, unchanged, errors


def apply_assignments(
    rows: list[AssignmentRow], *, user=None, reason: str = "", all_or_nothing: bool = True
) -> AssignResult:
    """Assign each row's account to its partner; a new primary ends the account's current primary."""
    result = AssignResult()
    seen: dict[tuple[int, str], int] = {}
    for row in rows:
        key = (row.account_id, row.role if row.role == AssignmentRole.PRIMARY else f"{row.partner_id}")
        if key in seen:
            result.errors.append(
                RowError(
                    row.line, "account_siren", _("the account is already given on line %(line)s") % {"line": seen[key]}
                )
            )
        else:
            seen[key] = row.line
    if result.errors:
        if all_or_nothing:
            return result
        duplicate_lines = {error.line for error in result.errors}
        rows = [row for row in rows if row.line not in duplicate_lines]
    with transaction.atomic():
        current = _lock_open_assignments(sorted({row.account_id for row in rows}))
        to_end, to_create, unchanged, errors = plan_assignments(rows, current)
        result.errors.extend(errors)
        if result.errors and all_or_nothing:
            return result
        reason = reason[:500]
        if to_end:
            kept = {(row.account_id, row.partner_id) for row in to_create}
            for assignment in to_end:
                # A role change keeps the operation's reason; another partner's new primary does not write its
                # reason on the row it ends, which that row's partner reads (SPEC §2).
                own = (assignment.account_id, assignment.partner_id) in kept
                assignment.reason = ((reason or REASSIGNED) if own else REASSIGNED)[:500]
            bulk_update_with_history(to_end, Assignment, ["valid_to", "reason"], batch_size=2000, default_user=user)
        new = [
            Assignment(
                account_id=row.account_id,
                partner_id=row.partner_id,
                role=row.role,
                valid_from=row.valid_from,
                assigned_by=user,
                reason=reason,
            )
            for row in to_create
        ]
        if new:
            Assignment.objects.bulk_create(new, batch_size=2000)
            insert_history(Assignment, key_field="id", keys=[a.pk for a in new], history_type="+", user=user)
        # Primaries came and went: the pending registrations on those accounts are re-flagged, set-based.
        changed = {a.account_id for a in to_end} | {a.account_id for a in new}
        assignments_changed.send(sender=Assignment, account_ids=changed)
        result.created, result.ended, result.unchanged = len(new), len(to_end), unchanged
        result.written = True
    return result


def assign_selection(
    *, accounts, partner: Partner, role: str, valid_from: date | None, user, reason: str = ""
) -> AssignResult:
    """Assign every account of a (filtered, scoped) queryset to one partner."""
    valid_from = valid_from or timezone.localdate()
    account_ids = list(accounts.values_list("pk", flat=True))
    rows = [AssignmentRow(pk, partner.pk, role, valid_from, line=index) for index, pk in enumerate(account_ids, 1)]
    return apply_assignments(rows, user=user, reason=reason)


def parse_date(value: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("'%(value)s' is not a date (use 2026-07-01 or 01/07/2026)") % {"value": value})


def check_assignments_file(data: bytes) -> tuple[list[AssignmentRow], list[RowError], int]:
    """Every row checked: SIRENs valid and known, role, date. Two queries for the lookups."""
    table = read_table(data, ASSIGNMENT_COLUMNS, max_bytes=settings.IMPORT_MAX_BYTES)
    account_sirens = {values.get("account_siren", "") for _, values in table.rows}
    partner_sirens = {values.get("partner_siren", "") for _, values in table.rows}
    account_ids = dict(Account.objects.filter(siren__in=account_sirens).values_list("siren", "pk"))
    partner_ids = dict(Partner.objects.filter(siren__in=partner_sirens).values_list("siren", "pk"))
    rows, errors = [], []
    today = timezone.localdate()
    for line, values in table.rows:
        if "__error__" in values:
            errors.append(RowError(line, "", values["__error__"]))
            continue
        row_errors = []
        for column, known, what in (
            ("account_siren", account_ids, _("no account has SIREN %(siren)s")),
            ("partner_siren", partner_ids, _("no partner has SIREN %(siren)s")),
        ):
            value = values[column]
            if problem := siren_error(value):
                row_errors.append(
                    RowError(line, column, _("'%(value)s': %(problem)s") % {"value": value, "problem": problem})
                )
            elif value not in known:
                row_errors.append(RowError(line, column, what % {"siren": value}))
        role = values["role"].lower() or AssignmentRole.PRIMARY
        if role not in AssignmentRole.values:
            row_errors.append(
                RowError(line, "role", _("'%(value)s' is not primary or secondary") % {"value": values["role"]})
            )
        valid_from = today
        if values["valid_from"]:
            try:
                valid_from = parse_date(values["valid_from"])
            except ValueError as error:
                row_errors.append(RowError(line, "valid_from", str(error)))
            else:
                if not date(2000, 1, 1) <= valid_from <= today:
                    row_errors.append(
                        RowError(
                            line, "valid_from", _("%(date)s is not between 2000-01-01 and today") % {"date": valid_from}
                        )
                    )
        if row_errors:
            errors.extend(row_errors)
            continue
        rows.append(
            AssignmentRow(
                account_ids[values["account_siren"]], partner_ids[values["partner_siren"]], role, valid_from, line
            )
        )
    return rows, errors, len(table.rows)


def import_assignments(
    data: bytes, *, good_rows_only: bool = False, user=None, report: Callable | None = None
) -> AssignResult:
    rows, errors, total = check_assignments_file(data)
    if report:
        report(total, total * 2, "Checked")
    if errors and not good_rows_only:
        return AssignResult(errors=errors)
    result = apply_assignments(rows, user=user, reason="Assignments file", all_or_nothing=not good_rows_only)
    result.errors = errors + result.errors
    if report:
        report(total * 2, total * 2, "Done")
    return result
