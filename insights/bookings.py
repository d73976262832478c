"""Import of bookings, the won business of the order system (SPEC §4.2, §6), direct or through partners.

Columns ``external_id,account_siren,partner_siren,route,product_line,amount,closed_on`` and an
optional ``registration`` (the id or registration number of the opportunity the booking is for).
Every row is checked first (line and column of each problem); nothing is written when a row is
bad unless the caller asks for the good rows only. Then, in one transaction:

- a row whose ``external_id`` is known updates that opportunity (importing the same file again
  changes nothing; a booking may move a won deal to another partner);
- direct business (no partner) becomes a won, confirmed opportunity, as before;
- a partner booking confirms the opportunity it matches (:mod:`opportunities.reconciliation`):
  the claim is not doubled by a second won opportunity, so each euro is counted once;
- a partner booking that matches none, or several, waits in the reconciliation queue for the
  channel team (a waiting one is matched again on the next import).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account
from ecosystem.bulk import filter_any, insert_history, update_objects, update_rows
from ecosystem.choices import ProductLine
from ecosystem.csvio import ImportReport, RowError, read_table, starts_like_formula
from ecosystem.validators import siren_error
from opportunities.models import (
    Confirmation,
    Opportunity,
    QueuedBooking,
    QueuedBookingStatus,
    Route,
    Stage,
    parse_registration,
)
from opportunities.reconciliation import (
    CONFIRMED_FIELDS,
    WRITTEN_FIELDS,
    apply_booking,
    confirmation_row,
    match_bookings,
)
from partners.models import Partner

BOOKING_COLUMNS = ["external_id", "account_siren", "partner_siren", "route", "product_line", "amount", "closed_on"]
OPTIONAL_COLUMNS = ["registration"]
QUEUED_FIELDS = ["account_id", "partner_id", "route", "product_line", "amount", "closed_on", "registration"]
ROUTES = tuple(Route.values)
PRODUCT_LINES = tuple(ProductLine.values)
PARTNER_ROUTES = (Route.PARTNER_SOURCED, Route.PARTNER_INFLUENCED)


MAX_AMOUNT = Decimal("999999999999.99")
BATCH = 2000


@dataclass
class BookingReport(ImportReport):
    confirmed: int = 0  # claimed or open opportunities a booking confirmed (SPEC §4.2)
    queued: int = 0  # partner bookings waiting in the reconciliation queue
    extra_counts = ("confirmed", "queued")


def parse_amount(text: str) -> Decimal:
    """``12500``, ``12500.50``, ``12 500,50`` (French) → Decimal; ValueError otherwise."""
    cleaned = text.replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError(_("'%(value)s' is not an amount") % {"value": text}) from error
    if not value.is_finite():
        raise ValueError(_("'%(value)s' is not an amount") % {"value": text})
    if value < 0:
        raise ValueError(_("%(value)s is negative") % {"value": text})
    if value > MAX_AMOUNT:
        raise ValueError(_("%(value)s is too large") % {"value": text})
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(_("%(value)s has more than two decimals") % {"value": text})
    return value.quantize(Decimal("0.01"))


def parse_day(text: str) -> date:
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:  # the common case, without strptime's cost (a bookings file has hundreds of thousands of rows)
            return date.fromisoformat(text)
        except ValueError:
            pass
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("'%(value)s' is not a date (use 2026-03-31 or 31/03/2026)") % {"value": text})


def parse_booking_row(
    line: int, values: dict, accounts: dict, partners: dict, today: date, checked: dict | None = None
) -> tuple[dict | None, list]:
    """One row's values, or its errors. ``checked`` keeps each SIREN's verdict for the rest of the file."""
    checked = {} if checked is None else checked

    def siren_problem(siren: str) -> str | None:
        if siren not in checked:
            checked[siren] = siren_error(siren)
        return checked[siren]

    errors: list[RowError] = []
    external_id = values["external_id"]
    if not external_id:
        errors.append(RowError(line, "external_id", _("is empty")))
    elif len(external_id) > 64:
        errors.append(RowError(line, "external_id", _("is longer than %(max)s characters") % {"max": 64}))
    elif starts_like_formula(external_id):
        errors.append(
            RowError(
                line, "external_id", _("starts with '%(char)s': formulas are not accepted") % {"char": external_id[0]}
            )
        )
    account_siren = values["account_siren"].replace(" ", "")
    account_id = None
    if problem := siren_problem(account_siren):
        errors.append(
            RowError(
                line,
                "account_siren",
                _("'%(value)s': %(problem)s") % {"value": values["account_siren"], "problem": problem},
            )
        )
    elif (account_id := accounts.get(account_siren)) is None:
        errors.append(RowError(line, "account_siren", _("no account has SIREN %(siren)s") % {"siren": account_siren}))
    partner_siren = values["partner_siren"].replace(" ", "")
    partner_id = None
    if partner_siren:
        if problem := siren_problem(partner_siren):
            errors.append(
                RowError(
                    line,
                    "partner_siren",
                    _("'%(value)s': %(problem)s") % {"value": values["partner_siren"], "problem": problem},
                )
            )
        elif (partner_id := partners.get(partner_siren)) is None:
            errors.append(
                RowError(line, "partner_siren", _("no partner has SIREN %(siren)s") % {"siren": partner_siren})
            )
    route = values["route"].strip().lower()
    if route not in ROUTES:
        errors.append(
            RowError(
                line,
                "route",
                _("'%(value)s' is not one of: %(allowed)s") % {"value": values["route"], "allowed": ", ".join(ROUTES)},
            )
        )
    elif route == Route.DIRECT and partner_siren:
        errors.append(RowError(line, "route", _("is direct but a partner_siren is given")))
    elif route in PARTNER_ROUTES and not partner_siren:
        errors.append(RowError(line, "partner_siren", _("is empty but the route is %(route)s") % {"route": route}))
    product_line = values["product_line"].strip().lower()
    if product_line not in PRODUCT_LINES:
        errors.append(
            RowError(
                line,
                "product_line",
                _("'%(value)s' is not one of: %(allowed)s")
                % {"value": values["product_line"], "allowed": ", ".join(PRODUCT_LINES)},
            )
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
            errors.append(RowError(line, "closed_on", _("%(date)s is in the future") % {"date": closed_on}))
        elif closed_on.year < 2000:
            errors.append(RowError(line, "closed_on", _("%(date)s is before 2000") % {"date": closed_on}))
    except ValueError as error:
        errors.append(RowError(line, "closed_on", str(error)))
    registration = values.get("registration", "").strip()
    registration_id = None
    if registration:
        registration_id = parse_registration(registration)
        if registration_id is None:
            errors.append(
                RowError(
                    line,
                    "registration",
                    _("'%(value)s' is not an opportunity id or registration number") % {"value": registration[:70]},
                )
            )
        elif not partner_siren:
            errors.append(
                RowError(line, "registration", _("is given but the booking has no partner (direct business)"))
            )
    if errors:
        return None, errors
    return {
        "external_id": external_id,
        "account_id": account_id,
        "partner_id": partner_id,
        "route": route,
        "product_line": product_line,
        "amount": amount,
        "closed_on": closed_on,
        "registration": registration,
        "registration_id": registration_id,
    }, []


def _lookup(model, sirens: set[str]) -> dict[str, int]:
    return dict(pair for queryset in filter_any(model.objects.all(), "siren", sirens)
                for pair in queryset.values_list("siren", "pk"))  # fmt: skip


def check_bookings_file(data: bytes, report: Callable | None = None) -> tuple[list[dict], list[RowError], int]:
    table = read_table(data, BOOKING_COLUMNS, max_bytes=settings.IMPORT_MAX_BYTES, optional_columns=OPTIONAL_COLUMNS)
    rows = table.rows
    accounts = _lookup(Account, {v["account_siren"].replace(" ", "") for _, v in rows if "__error__" not in v})
    partners = _lookup(
        Partner, {v["partner_siren"].replace(" ", "") for _, v in rows if "__error__" not in v and v["partner_siren"]}
    )
    today = timezone.localdate()
    good, errors, first_line, checked = [], [], {}, {}
    total = len(rows)
    for index, (line, values) in enumerate(rows, start=1):
        if "__error__" in values:
            errors.append(RowError(line, "", values["__error__"]))
            continue
        parsed, row_errors = parse_booking_row(line, values, accounts, partners, today, checked)
        if row_errors:
            errors.extend(row_errors)
        elif parsed["external_id"] in first_line:
            errors.append(
                RowError(
                    line,
                    "external_id",
                    _("%(value)s already appears on line %(line)s")
                    % {"value": parsed["external_id"], "line": first_line[parsed["external_id"]]},
                )
            )
        else:
            first_line[parsed["external_id"]] = line
            good.append(parsed)
        if report and index % 1000 == 0:
            report(index, total * 2, "Checking rows")
    return good, errors, total


def _known(model, external_ids: list[str]) -> dict:
    """``model``'s rows with one of these external ids, by external id (ids first: usually few are known)."""
    pks = [pk for queryset in filter_any(model.objects.all(), "external_id", external_ids)
           for pk in queryset.values_list("pk", flat=True)]  # fmt: skip
    return {row.external_id: row for queryset in filter_any(model.objects.all(), "pk", pks) for row in queryset}


def _booked(row: dict) -> dict:
    """The opportunity's values a booking row sets."""
    return {name: row[name] for name in ("account_id", "partner_id", "route", "product_line", "amount", "closed_on",
                                         "external_id")}  # fmt: skip


def import_bookings(
    data: bytes, *, good_rows_only: bool = False, user=None, report: Callable | None = None
) -> BookingReport:
    """Check the file, then upsert, confirm or queue every booking in one transaction (see the module)."""
    rows, errors, total = check_bookings_file(data, report)
    result = BookingReport(total_rows=total, errors=errors)
    if errors and not good_rows_only:
        return result
    result.skipped = total - len(rows)
    with transaction.atomic():
        ids = [row["external_id"] for row in rows]
        existing: dict[str, Opportunity] = _known(Opportunity, ids)
        waiting: dict[str, QueuedBooking] = _known(QueuedBooking, ids) if QueuedBooking.objects.exists() else {}
        now = timezone.now()
        to_create, to_update, to_match = [], [], []
        for row in rows:
            opportunity = existing.get(row["external_id"])
            if opportunity is not None:
                if apply_booking(opportunity, _booked(row), now):
                    to_update.append(opportunity)
                else:
                    result.unchanged += 1
            elif row["partner_id"] is None:
                to_create.append(
                    Opportunity(**_booked(row), stage=Stage.WON, confirmed_at=now, confirmed_via=Confirmation.BOOKING,
                                created_at=now, updated_at=now)
                )  # fmt: skip
            elif (
                queued := waiting.get(row["external_id"])
            ) is not None and queued.status != QueuedBookingStatus.WAITING:
                result.unchanged += 1  # reconciled by hand; its opportunity carries the external id now
            else:
                to_match.append(row)
        matching = match_bookings(to_match)
        confirmations, to_queue, queue_changed = [], [], []
        for index, row in enumerate(to_match):
            queued = waiting.get(row["external_id"])
            if (candidate := matching.confirms.get(index)) is not None:
                confirmations.append(confirmation_row(candidate, _booked(row), now))
                if queued is not None:
                    # Waiting since an earlier import; the claim it books exists now.
                    queued.status, queued.opportunity_id, queued.resolved_at = (
                        QueuedBookingStatus.LINKED, candidate.pk, now
                    )  # fmt: skip
                    queued.resolved_by = user if getattr(user, "is_authenticated", False) else None
                    queued.resolution_reason = "Matched by a later bookings import."
                    queue_changed.append(queued)
                continue
            reason, candidates = matching.waits[index]
            if queued is None:
                to_queue.append(
                    QueuedBooking(**{name: row[name] for name in QUEUED_FIELDS}, external_id=row["external_id"],
                                  reason=reason, candidates=candidates, created_at=now, updated_at=now)
                )  # fmt: skip
                continue
            changed = [name for name in QUEUED_FIELDS if getattr(queued, name) != row[name]]
            if changed or queued.reason != reason or queued.candidates != candidates:
                for name in QUEUED_FIELDS:
                    setattr(queued, name, row[name])
                queued.reason, queued.candidates, queued.updated_at = reason, candidates, now
                queue_changed.append(queued)
            else:
                result.unchanged += 1
        if report:
            report(total, total * 2, "Writing")
        if to_create:
            Opportunity.objects.bulk_create(to_create, batch_size=BATCH)
            insert_history(Opportunity, key_field="external_id", keys=[o.external_id for o in to_create],
                           history_type="+", user=user, reason="booking")  # fmt: skip
        if to_update:
            update_objects(Opportunity, to_update, WRITTEN_FIELDS, batch_size=BATCH)
        if confirmations:
            update_rows(Opportunity, CONFIRMED_FIELDS, confirmations)
        if to_update or confirmations:
            insert_history(Opportunity, key_field="id", keys=[o.pk for o in to_update] + [r[0] for r in confirmations],
                           history_type="~", user=user, reason="booking")  # fmt: skip
        if to_queue:
            QueuedBooking.objects.bulk_create(to_queue, batch_size=BATCH)
        if queue_changed:
            QueuedBooking.objects.bulk_update(
                queue_changed,
                [*QUEUED_FIELDS, "reason", "candidates", "status", "opportunity", "resolved_at", "resolved_by",
                 "resolution_reason", "updated_at"],
                batch_size=200,
            )  # fmt: skip
        result.created, result.updated = len(to_create), len(to_update)
        result.confirmed, result.queued = (
            len(confirmations),
            len(to_queue) + sum(1 for q in queue_changed if q.status == QueuedBookingStatus.WAITING),
        )
    result.written = True
    if report:
        report(total * 2, total * 2, "Done")
    return result
