"""CSV exports of accounts and assignments: streamed, formula-safe, in the import formats plus context."""

from django.db.models import OuterRef, Subquery

from ecosystem.csvio import iter_csv_lines

from .importing import ACCOUNT_COLUMNS
from .models import Assignment, AssignmentRole

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
