"""Exports of accounts and assignments: the CSV (streamed, formula-safe, in the import formats plus context,
codes) and its .xlsx sibling for people (the same rows, labels in the reader's language, typed cells)."""

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from ecosystem.choices import Region, Sector
from ecosystem.csvio import iter_csv_lines
from ecosystem.xlsx import Column, workbook_bytes

from .importing import ACCOUNT_COLUMNS
from .models import Assignment, AssignmentRole, Awareness

ACCOUNT_EXPORT_COLUMNS = [*ACCOUNT_COLUMNS, "primary_partner_siren", "primary_partner"]
#: A partner user's export: its own role on each account, never who else covers it (SPEC §2).
PARTNER_ACCOUNT_EXPORT_COLUMNS = [*ACCOUNT_COLUMNS, "partner_role"]
ASSIGNMENT_EXPORT_COLUMNS = [
    "account_siren",
    "account",
    "partner_siren",
    "partner",
    "role",
    "valid_from",
    "valid_to",
    "assigned_by",
    "reason",
]
CHUNK = 2000


def account_rows(accounts):
    """One row per account with its open primary partner; two subqueries, streamed in chunks."""
    primary = Assignment.objects.open().filter(account=OuterRef("pk"), role=AssignmentRole.PRIMARY)
    rows = accounts.annotate(
        primary_siren=Subquery(primary.values("partner__siren")[:1]),
        primary_name=Subquery(primary.values("partner__name")[:1]),
    ).values_list(
        "siren",
        "name",
        "sector",
        "region",
        "city",
        "employees",
        "is_select",
        "vendor_awareness",
        "primary_siren",
        "primary_name",
    )
    for row in rows.iterator(chunk_size=CHUNK):
        *head, is_select, awareness, primary_siren, primary_name = row
        yield [*head, "true" if is_select else "false", awareness, primary_siren or "", primary_name or ""]


def assignment_rows(assignments):
    rows = assignments.order_by("account__siren", "valid_from", "id").values_list(
        "account__siren",
        "account__name",
        "partner__siren",
        "partner__name",
        "role",
        "valid_from",
        "valid_to",
        "assigned_by__username",
        "reason",
    )
    for row in rows.iterator(chunk_size=CHUNK):
        yield ["" if value is None else value for value in row]


def partner_account_rows(accounts, partner_id: int):
    """One row per account with ``partner_id``'s own role on it (primary or secondary); one subquery."""
    rows = accounts.with_partner_role(partner_id).values_list(
        "siren", "name", "sector", "region", "city", "employees", "is_select", "vendor_awareness", "partner_role"
    )
    for row in rows.iterator(chunk_size=CHUNK):
        *head, is_select, awareness, role = row
        yield [*head, "true" if is_select else "false", awareness, role or ""]


def accounts_csv(accounts, *, partner_id: int | None = None):
    """The accounts as CSV: with their primary partner for internal users, with the caller's own role on
    each for a partner user (``partner_id``)."""
    if partner_id is not None:
        return iter_csv_lines(PARTNER_ACCOUNT_EXPORT_COLUMNS, partner_account_rows(accounts, partner_id))
    return iter_csv_lines(ACCOUNT_EXPORT_COLUMNS, account_rows(accounts))


def assignments_csv(assignments):
    return iter_csv_lines(ASSIGNMENT_EXPORT_COLUMNS, assignment_rows(assignments))


def _yes_no() -> dict:
    return {"true": _("yes"), "false": _("no")}


def _account_columns() -> list[Column]:
    """The columns of ``ACCOUNT_COLUMNS`` for people, in the reader's language."""
    return [
        Column(_("SIREN"), width=12),
        Column(_("Account"), width=36),
        Column(_("Sector"), labels=dict(Sector.choices), width=18),
        Column(_("Region"), labels=dict(Region.choices), width=24),
        Column(_("City"), width=20),
        Column(_("Employees"), "integer", width=12),
        Column(_("Select account"), labels=_yes_no(), width=10),
        Column(_("Vendor awareness"), labels=dict(Awareness.choices), width=12),
    ]


def accounts_xlsx(accounts, *, partner_id: int | None = None) -> bytes:
    """The rows of :func:`accounts_csv` as a spreadsheet: the same rows and scope, codes shown as labels."""
    if partner_id is not None:
        columns = [*_account_columns(), Column(_("Your role"), labels=dict(AssignmentRole.choices), width=12)]
        rows = partner_account_rows(accounts, partner_id)
    else:
        columns = [*_account_columns(), Column(_("Primary partner's SIREN"), width=12), Column(_("Primary partner"))]
        rows = account_rows(accounts)
    return workbook_bytes(columns, rows, title=_("Accounts"))


def assignments_xlsx(assignments) -> bytes:
    """The rows of :func:`assignments_csv` as a spreadsheet (roles as labels, dates as dates)."""
    columns = [
        Column(_("Account's SIREN"), width=12),
        Column(_("Account"), width=36),
        Column(_("Partner's SIREN"), width=12),
        Column(_("Partner")),
        Column(_("Role"), labels=dict(AssignmentRole.choices), width=12),
        Column(_("From"), "date"),
        Column(_("Until"), "date"),
        Column(_("Assigned by"), width=16),
        Column(_("Reason"), width=36),
    ]
    return workbook_bytes(columns, assignment_rows(assignments), title=_("Assignments"))
