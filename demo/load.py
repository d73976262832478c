"""Write the demo data: set-based inserts with explicit ids, history in bulk, one transaction.

``load_demo`` is what ``manage.py seed_demo`` runs. Large tables (partners, accounts,
assignments, opportunities) are written with ``executemany`` on SQLite and ``COPY`` on
PostgreSQL, and their django-simple-history rows with one ``INSERT … SELECT`` each; the
few dozen roadshows, secondments, rules and targets go through the ORM (and its history).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from random import Random

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import Account, Assignment
from commissions.models import Dispute, DisputeMessage, PayoutLine, Program, Quota, Rule, RunStatus, SettlementRun
from ecosystem.bulk import copy_insert
from ecosystem.periods import quarter_of
from ecosystem.roles import Role
from insights.models import Target
from jobs.models import Job
from opportunities.models import Opportunity, QueuedBooking
from partners.models import Partner, Roadshow, Secondment

from . import generate as gen

PASSWORD = "demo-pass-2026"
DOMAIN_APPS = ("payments", "commissions", "opportunities", "accounts", "partners", "insights")
CHUNK = 5000

# username, role, first name, last name, belongs to the demo partner, Django admin access
DEMO_USERS = [
    ("channel", Role.CHANNEL, "Camille", "Durand", False, False),
    ("manager", Role.MANAGER, "Sophie", "Martin", False, False),
    ("treasury", Role.CHANNEL, "Karim", "Benali", False, False),
    ("partner.admin", Role.PARTNER_ADMIN, "Julien", "Lefèvre", True, False),
    ("partner.rep", Role.PARTNER_REP, "Léa", "Moreau", True, False),
    ("admin", Role.CHANNEL, "Admin", "Démo", False, True),
]
DEMO_USERNAMES = [u[0] for u in DEMO_USERS]

# How many of each at scale 1 (SPEC §1: 14,500 select accounts).
BASE_COUNTS = {
    "partners": 600,
    "select_accounts": 14_500,
    "other_accounts": 20_000,
    "opportunities": 70_000,
    "roadshows": 30,
    "secondments": 40,
}
MINIMUMS = {"partners": 8, "select_accounts": 20, "other_accounts": 20, "opportunities": 200, "roadshows": 3,
            "secondments": 2}  # fmt: skip

Progress = Callable[..., object]  # progress(desc, total) → a tqdm-like object (update, close)


class _NoBar:
    def update(self, n=1):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def no_progress(desc: str, total: int):
    return _NoBar()


@dataclass
class Summary:
    seed: int
    scale: float
    today: date
    counts: dict = field(default_factory=dict)
    shares: list = field(default_factory=list)  # (quarter, share) oldest first
    settlements: list = field(default_factory=list)  # (period, status, total)
    demo_partner: str = ""
    seconds: float = 0.0


# --- Existing data and reset --------------------------------------------------------------------------


def existing_data() -> dict[str, int]:
    """What is already in the tables the demo fills (empty dict: nothing)."""
    found = {
        "partners": Partner.objects.count(),
        "accounts": Account.objects.count(),
        "opportunities": Opportunity.objects.count(),
        "commission programs": Program.objects.count(),
        "settlement runs": SettlementRun.objects.count(),
        "demo users": get_user_model().objects.filter(username__in=DEMO_USERNAMES).count(),
    }
    return {name: count for name, count in found.items() if count}


def _domain_models() -> list[type[models.Model]]:
    return [m for label in DOMAIN_APPS for m in apps.get_app_config(label).get_models(include_auto_created=True)]


def wipe() -> None:
    """Delete every row of the domain apps (and their history), the demo and partner users, settlement jobs.

    Raw DELETEs: foreign keys are checked at commit, so the order does not matter, and
    no model's delete() guard (approved settlements) stands in the way of a demo reset.
    """
    domain = _domain_models()
    with connection.cursor() as cursor:
        for model in domain:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    get_user_model().objects.filter(Q(partner__isnull=False) | Q(username__in=DEMO_USERNAMES)).delete()
    Job.objects.filter(kind="settlement").delete()
    _restart_ids(domain)


def _restart_ids(domain: list[type[models.Model]]) -> None:
    """Ids start at 1 again in emptied tables, so a reset gives the same ids (and URLs)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            tables = [m._meta.db_table for m in domain]
            cursor.execute(f"DELETE FROM sqlite_sequence WHERE name IN ({', '.join(['%s'] * len(tables))})", tables)
        elif connection.vendor == "postgresql":
            for sql in connection.ops.sequence_reset_sql(no_style(), domain):
                cursor.execute(sql)


# --- Set-based writes ---------------------------------------------------------------------------------


def _converter(field_: models.Field):
    """How a Python value of ``field_`` travels in a raw insert on this database (None: as is)."""
    sqlite = connection.vendor == "sqlite"
    if isinstance(field_, models.JSONField):
        return json.dumps
    if isinstance(field_, models.DateTimeField):
        return (
            (lambda v: (v if v.tzinfo is UTC else v.astimezone(UTC)).replace(tzinfo=None).isoformat(" "))
            if sqlite
            else None
        )
    if isinstance(field_, models.DateField):
        return date.isoformat if sqlite else None
    if isinstance(field_, models.DecimalField):
        return str if sqlite else None
    return None


def _defaults_for_the_rest(model, fields: list[str]) -> tuple[list[str], tuple]:
    """The model's other columns and their Python defaults (columns with only a database default are left out)."""
    given = {model._meta.get_field(name).attname for name in fields}
    rest = [
        f for f in model._meta.concrete_fields
        if f.attname not in given and not (f.has_db_default() and not f.has_default())
    ]  # fmt: skip
    return [f.attname for f in rest], tuple(f.get_default() for f in rest)


def insert_rows(model, fields: list[str], rows: list[tuple], bar=None) -> None:
    """Insert tuples in ``fields`` order, chunk by chunk: executemany on SQLite, COPY on PostgreSQL.

    Columns not in ``fields`` get their model default, so a field added later needs no change here.
    """
    extra_fields, extra_values = _defaults_for_the_rest(model, fields)
    if extra_fields:
        fields = list(fields) + extra_fields
        rows = [tuple(row) + extra_values for row in rows]
    converters = [(i, c) for i, c in enumerate(_converter(model._meta.get_field(name)) for name in fields) if c]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in fields)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        if converters:
            converted = []
            for row in chunk:
                row = list(row)
                for i, convert in converters:
                    if row[i] is not None:
                        row[i] = convert(row[i])
                converted.append(row)
            chunk = converted
        if connection.vendor == "postgresql":
            copy_insert(model, fields, chunk)
        else:
            with connection.cursor() as cursor:
                cursor.executemany(sql, chunk)
        if bar is not None:
            bar.update(len(chunk))


def write_history(model, *, first_id: int, date_column: str | None = None, user_column: str | None = None,
                  user_id: int | None = None) -> int:  # fmt: skip
    """One "+" history row per row of ``model`` from ``first_id`` on, in a single INSERT … SELECT."""
    q = connection.ops.quote_name
    history_table = q(model.history.model._meta.db_table)
    tracked = [q(f.column) for f in model._meta.concrete_fields]
    columns = tracked + [q(c) for c in ("history_date", "history_type", "history_user_id", "history_change_reason")]
    params: list = []
    if date_column:
        date_sql = q(date_column)
    else:
        date_sql = "%s"
        params.append(connection.ops.adapt_datetimefield_value(timezone.now()))
    if user_column:
        user_sql = q(user_column)
    else:
        user_sql = "%s"
        params.append(user_id)
    params.append(first_id)
    sql = (
        f"INSERT INTO {history_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(tracked)}, {date_sql}, '+', {user_sql}, NULL "
        f"FROM {q(model._meta.db_table)} WHERE {q('id')} >= %s ORDER BY {q('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@contextmanager
def indexes_built_after(*models_):
    """On SQLite, drop the tables' secondary indexes and build them again once the rows are in.

    Building an index over sorted keys is several times cheaper than maintaining a dozen of
    them row by row. DDL is transactional on SQLite: a failure restores them with the rest.
    """
    if connection.vendor != "sqlite":
        yield
        return
    tables = [m._meta.db_table for m in models_]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({', '.join(['%s'] * len(tables))}) ORDER BY name",
            tables,
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for _, sql in indexes:
            cursor.execute(sql)


def _first_free_id(model) -> int:
    return (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1


# --- The stages ---------------------------------------------------------------------------------------


PARTNER_FIELDS = ["id", "name", "siren", "kind", "tier", "regions", "specialisations", "status", "joined_on",
                  "capacity"]  # fmt: skip
ACCOUNT_FIELDS = ["id", "name", "siren", "sector", "region", "city", "employees", "is_select", "vendor_awareness",
                  "created_at", "updated_at"]  # fmt: skip
ASSIGNMENT_FIELDS = ["id", "account_id", "partner_id", "role", "valid_from", "valid_to", "assigned_by_id", "reason",
                     "created_at"]  # fmt: skip
OPPORTUNITY_FIELDS = [
    "id", "account_id", "partner_id", "route", "product_line", "amount", "stage", "expected_close", "closed_on",
    "roadshow_id", "external_id", "description", "registration_status", "registered_by_id", "decided_by_id",
    "decided_at", "decision_reason", "protected_until", "has_conflict", "created_at", "updated_at",
    "awaiting_confirmation", "claimed_amount", "claimed_closed_on", "claimed_at", "confirmed_at", "confirmed_via",
]  # fmt: skip
QUEUED_BOOKING_FIELDS = [
    "id", "external_id", "account_id", "partner_id", "route", "product_line", "amount", "closed_on", "registration",
    "reason", "candidates", "created_at", "updated_at",
]  # fmt: skip


def create_users(demo_partner_id: int) -> dict[str, object]:
    """One user per role (and a Django admin); the partner users belong to the demo partner."""
    user_model = get_user_model()
    password = make_password(PASSWORD)  # hashed once: the hasher is deliberately slow
    users = {}
    for username, role, first, last, on_partner, admin in DEMO_USERS:
        users[username] = user_model.objects.create(
            username=username,
            email=f"{username}@demo.example",
            first_name=first,
            last_name=last,
            role=role,
            partner_id=demo_partner_id if on_partner else None,
            password=password,
            is_staff=admin,
            is_superuser=admin,
        )
    return users


def write_partners(rows: list[gen.PartnerRow], channel_id: int | None, progress: Progress) -> None:
    with progress("partners", len(rows)) as bar:
        insert_rows(Partner, PARTNER_FIELDS, [tuple(getattr(r, f) for f in PARTNER_FIELDS) for r in rows], bar)
        write_history(Partner, first_id=rows[0].id, user_id=channel_id)


def write_accounts(rows: list[gen.AccountRow], channel_id: int | None, progress: Progress) -> None:
    data = [
        (r.id, r.name, r.siren, r.sector, r.region, r.city, r.employees, r.is_select, r.vendor_awareness,
         r.created_at, r.created_at)
        for r in rows
    ]  # fmt: skip
    with progress("accounts", len(rows)) as bar, indexes_built_after(Account, Account.history.model):
        insert_rows(Account, ACCOUNT_FIELDS, data, bar)
        write_history(Account, first_id=rows[0].id, date_column="created_at", user_id=channel_id)


def write_assignments(rows: list[gen.AssignmentRow], channel_id: int | None, progress: Progress) -> None:
    if not rows:
        return
    data = [
        (r.id, r.account_id, r.partner_id, r.role, r.valid_from, r.valid_to, channel_id, r.reason, r.created_at)
        for r in rows
    ]
    with progress("assignments", len(rows)) as bar:
        insert_rows(Assignment, ASSIGNMENT_FIELDS, data, bar)
        write_history(Assignment, first_id=rows[0].id, date_column="created_at", user_column="assigned_by_id")


def write_levers(roadshows: list[gen.RoadshowRow], secondments: list[gen.SecondmentRow], progress: Progress) -> None:
    """A few dozen rows: through the ORM, so their history (and the roadshows' m2m history) is the library's."""
    with progress("roadshows and secondments", len(roadshows) + len(secondments)) as bar:
        for row in roadshows:
            show = Roadshow.objects.create(title=row.title, city=row.city, region=row.region, date=row.date)
            show.partners.set(row.partner_ids)
            row.id = show.pk
            bar.update(1)
        for row in secondments:
            Secondment.objects.create(
                expert_name=row.expert_name, expert_email=row.expert_email, expertise=row.expertise,
                partner_id=row.partner_id, starts_on=row.starts_on, ends_on=row.ends_on,
            )  # fmt: skip
            bar.update(1)


def write_opportunities(rows: list[gen.OpportunityRow], progress: Progress) -> None:
    data = [tuple(getattr(r, f) for f in OPPORTUNITY_FIELDS) for r in rows]
    with progress("opportunities", len(rows)) as bar, indexes_built_after(Opportunity, Opportunity.history.model):
        insert_rows(Opportunity, OPPORTUNITY_FIELDS, data, bar)
        write_history(Opportunity, first_id=rows[0].id, date_column="created_at", user_column="registered_by_id")


def write_commissions(window: gen.Window, quotas: list[tuple], progress: Progress) -> tuple[Program, list[Rule]]:
    specs = gen.rule_specs()
    with progress("program, rules, quotas, targets", 1 + len(specs) + len(quotas)) as bar:
        program = Program.objects.create(**gen.program_spec(window))
        rules = [Rule.objects.create(program=program, **spec) for spec in specs]
        bar.update(1 + len(rules))
        bulk_create_with_history(
            [Quota(partner_id=p, period=period, amount=amount) for p, period, amount in quotas], Quota,
            batch_size=2000, default_change_reason="Demo data",
        )  # fmt: skip
        bar.update(len(quotas))
        for spec in gen.target_specs(window):
            Target.objects.create(**spec)
    return program, rules


def write_billing_details(rows: list[gen.BillingRow], users: dict, today: date, progress: Progress) -> None:
    """Every partner's billing details, confirmed by the channel team long ago (the demo partner's admin
    enters a new IBAN later: :func:`change_demo_iban`, once the older quarters are paid).

    The payments app is above this loader's other imports: its model is looked up by name, and its
    invoices are issued by the approvals of ``settle_quarters`` (commissions' approval signal)."""
    from simple_history.utils import bulk_create_with_history

    BillingDetails = apps.get_model("payments", "BillingDetails")
    channel = users["channel"]
    confirmed_at = timezone.make_aware(datetime.combine(today - timedelta(days=400), clock(10)))
    with progress("billing details", len(rows)) as bar:
        details = [
            BillingDetails(
                partner_id=r.partner_id, legal_name=r.legal_name, address_line=r.address_line,
                postal_code=r.postal_code, city=r.city, country="FR", vat_number=r.vat_number,
                vat_exempt=r.vat_exempt, vat_exemption_mention=r.vat_exemption_mention, iban=r.iban, bic=r.bic,
                iban_changed_at=confirmed_at, iban_confirmed_at=confirmed_at, iban_confirmed_by=channel,
                updated_by=channel,
            )
            for r in rows
        ]  # fmt: skip
        bulk_create_with_history(details, BillingDetails, batch_size=2000, default_user=channel)
        bar.update(len(rows))


def change_demo_iban(rows: list[gen.BillingRow], users: dict) -> None:
    """The demo partner's admin has just entered a new IBAN: it holds the partner's payments until a
    channel user confirms it (the latest quarter's payment file leaves the partner out and lists it)."""
    BillingDetails = apps.get_model("payments", "BillingDetails")
    for row in rows:
        if row.new_iban:
            changed = BillingDetails.objects.get(partner_id=row.partner_id)
            admin = users["partner.admin"]
            changed.iban, changed.bic = row.new_iban, row.new_bic
            changed.iban_changed_at, changed.iban_changed_by = timezone.now() - timedelta(days=2), admin
            changed.iban_confirmed_at = changed.iban_confirmed_by = None
            changed.updated_by, changed._history_user = admin, admin
            changed.save()


def settle_quarters(window: gen.Window, users: dict, demo_partner_id: int, progress: Progress) -> list[tuple]:
    """Settle every closed quarter as the channel team; the manager approves all but the latest.

    The older ones are also marked paid, and the demo partner's admin disputes a line of the
    latest approved statement, so every state of SPEC §4 shows in the demo.
    """
    from commissions.settlement import settle_now, settlement_approve, settlement_request

    # As a channel team would: the channel user requests each run (recorded as its requester, with its
    # job), the manager — another person, four eyes — approves it; the quarters do not overlap.
    channel, manager = users["channel"], users["manager"]
    periods = window.closed_quarters
    runs = []
    with progress("settlements", len(periods)) as bar:
        for index, period in enumerate(periods):
            if index == len(periods) - 1 and index > 0:
                late_changes(periods[index - 1], demo_partner_id, channel)
            run = settlement_request(period=period.label, user=channel, enqueue=False)
            settle_now(run.pk)
            run.refresh_from_db()
            if run.status != RunStatus.COMPUTED:
                raise RuntimeError(f"settlement {period.label} ended {run.status}: {run.failure_reason}")
            if index < len(periods) - 1:
                run = settlement_approve(run=run, user=manager)
            runs.append(run)
            bar.update(1)
    approved = [run for run in runs if run.status == RunStatus.APPROVED]
    for run in approved[:-1]:
        pay_by_payment_file(run, users)
    if approved:
        line = (
            PayoutLine.objects.current()
            .filter(run=approved[-1], partner_id=demo_partner_id, kind="commission")
            .order_by("-payout", "id")
            .first()
        )
        if line is not None:
            admin = users["partner.admin"]
            dispute = Dispute.objects.create(line=line, opened_by=admin)
            DisputeMessage.objects.create(
                dispute=dispute,
                author=admin,
                body=(
                    "Cette affaire a été enregistrée et approuvée avant la signature : nous attendions le taux "
                    "des comptes select. Pouvez-vous vérifier la règle appliquée ?"
                ),
            )
    return [(run.period, SettlementRun.objects.get(pk=run.pk).status, run.total) for run in runs]


def pay_by_payment_file(run, users: dict) -> None:
    """An older quarter paid as a finance team pays: the channel user makes the SEPA file, the treasury
    user (another channel user: four eyes) releases it, the bank executes it. A statement an earlier
    negative total leaves nothing to pay is in no file: it is marked paid by hand, to close the run."""
    from commissions.paying import payment_progress, settlement_mark_paid
    from payments.payment_files import payment_file_create
    from payments.releasing import payment_file_execute, payment_file_release

    today = timezone.localdate()
    payment_file = payment_file_create(run=run, user=users["channel"], execution_date=today)
    payment_file_release(payment_file=payment_file, user=users["treasury"])
    payment_file_execute(
        payment_file=payment_file, user=users["treasury"], executed_on=today, bank_reference=f"BQ-{run.period}"
    )
    progress = payment_progress(run)
    if progress.paid < progress.payable:
        settlement_mark_paid(run=run, user=users["manager"], paid_on=today, reference=f"COMPENSATION-{run.period}")


def payment_file_awaiting_release(users: dict) -> None:
    """The latest approved quarter's payment file, made by the channel user: it waits for another channel
    user's release (the treasury user's to-do list), and lists the demo partner, whose new IBAN is held."""
    from payments.payment_files import default_execution_date, payment_file_create

    latest = SettlementRun.objects.filter(status=RunStatus.APPROVED).order_by("-period_start").first()
    if latest is not None:
        payment_file_create(run=latest, user=users["channel"], execution_date=default_execution_date())


def late_changes(period, partner_id: int, user) -> None:
    """After a period is approved, one of its deals is corrected and one falls through: the next run adjusts."""
    won = list(
        Opportunity.objects.filter(
            partner_id=partner_id, stage="won", awaiting_confirmation=False, closed_on__range=(period.start, period.end)
        ).order_by("-amount", "id")[:2]
    )
    if len(won) < 2:
        return
    corrected, cancelled = won
    corrected.amount = (corrected.amount * Decimal("0.9")).quantize(Decimal("0.01"))
    corrected._change_reason = "Montant corrigé d'après la facture"
    corrected.description = f"{corrected.description} (montant corrigé)"[:300]
    cancelled.stage = "lost"
    cancelled._change_reason = "Commande annulée par le client"
    for opportunity in (corrected, cancelled):
        opportunity._history_user = user
        opportunity.save()


def quarterly_shares(window: gen.Window, rows: list[gen.OpportunityRow]) -> list[tuple[str, float | None]]:
    won_total, won_partner = Counter(), Counter()
    for r in rows:
        if r.stage == "won" and not r.awaiting_confirmation:
            label = quarter_of(r.closed_on).label
            won_total[label] += float(r.amount)
            if r.partner_id is not None:
                won_partner[label] += float(r.amount)
    return [
        (q.label, (won_partner[q.label] / won_total[q.label]) if won_total[q.label] else None) for q in window.quarters
    ]


# --- Everything, in one transaction -------------------------------------------------------------------


@contextmanager
def _big_page_cache():
    """On SQLite, a page cache big enough for the indexes being filled (this connection only, restored after)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def load_demo(
    *,
    seed: int = 2026,
    scale: float = 1.0,
    today: date | None = None,
    reset: bool = False,
    settle: bool = False,
    progress: Progress = no_progress,
) -> Summary:
    """Load the demo data. With ``reset``, whatever is there goes first; any failure writes nothing."""
    started = time.monotonic()
    today = today or timezone.localdate()
    window = gen.Window.ending(
        today, review_days=settings.REGISTRATION_REVIEW_DAYS, protection_days=settings.REGISTRATION_PROTECTION_DAYS
    )
    counts = {name: gen.scaled(base, scale, MINIMUMS[name]) for name, base in BASE_COUNTS.items()}

    def rng(concern: str) -> Random:  # one stream per concern: changing one leaves the others alone
        return Random(f"{seed}:{concern}")

    summary = Summary(seed=seed, scale=scale, today=today)
    with _big_page_cache(), transaction.atomic():
        if reset:
            with progress("reset", 1) as bar:
                wipe()
                bar.update(1)
        sirens = gen.make_sirens(
            rng("sirens"), counts["partners"] + counts["select_accounts"] + counts["other_accounts"]
        )
        partners = gen.make_partners(
            rng("partners"), window, counts["partners"], _first_free_id(Partner), sirens[: counts["partners"]]
        )
        demo = partners[0]
        users = create_users(demo.id)
        channel_id = users["channel"].pk
        write_partners(partners, channel_id, progress)

        accounts = gen.make_accounts(
            rng("accounts"), window, counts["select_accounts"], counts["other_accounts"], _first_free_id(Account),
            sirens[counts["partners"] :],
        )  # fmt: skip
        write_accounts(accounts, channel_id, progress)

        assignments = gen.make_assignments(rng("assignments"), window, partners, accounts, _first_free_id(Assignment))
        write_assignments(assignments, channel_id, progress)

        roadshows = gen.make_roadshows(rng("roadshows"), window, partners, counts["roadshows"])
        secondments = gen.make_secondments(rng("secondments"), window, partners, counts["secondments"])
        write_levers(roadshows, secondments, progress)

        with progress("generating opportunities", 1) as bar:
            opportunities = gen.make_opportunities(
                rng("opportunities"), window, partners, accounts, assignments, roadshows, secondments,
                gen.DemoUsers(channel_id, users["partner.admin"].pk, users["partner.rep"].pk),
                counts["opportunities"], _first_free_id(Opportunity),
            )  # fmt: skip
            bar.update(1)
        # The queue's look-alike claims move an opportunity onto another's account: before writing them.
        queued = gen.queue_bookings(rng("bookings"), window, opportunities, _first_free_id(QueuedBooking))
        write_opportunities(opportunities, progress)
        insert_rows(QueuedBooking, QUEUED_BOOKING_FIELDS, [tuple(getattr(q, f) for f in QUEUED_BOOKING_FIELDS)
                                                           for q in queued])  # fmt: skip

        quotas = gen.make_quotas(rng("quotas"), window, partners, opportunities)
        _, rules = write_commissions(window, quotas, progress)
        billing_rows = gen.make_billing_details(rng("billing"), partners)
        write_billing_details(billing_rows, users, today, progress)

        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # explicit ids: move the sequences past them
                models_ = [Partner, Account, Assignment, Opportunity, QueuedBooking]
                for sql in connection.ops.sequence_reset_sql(no_style(), models_):
                    cursor.execute(sql)
            # Fresh statistics: without them the planner picks poor indexes on the tables just filled
            # (SQLite's coverage figures take minutes instead of milliseconds).
            cursor.execute("ANALYZE")

        if settle:
            summary.settlements = settle_quarters(window, users, demo.id, progress)
        change_demo_iban(billing_rows, users)
        if settle:
            payment_file_awaiting_release(users)

        with progress("dashboard snapshot", 1) as bar:  # what the managers' dashboards read
            from insights.snapshots import take_snapshot

            take_snapshot()
            bar.update(1)

    stages = Counter(r.stage for r in opportunities)
    registrations = Counter(r.registration_status for r in opportunities if r.registration_status)
    summary.counts = {
        "partners": len(partners),
        "select accounts": counts["select_accounts"],
        "other accounts": counts["other_accounts"],
        "assignments": len(assignments),
        "open primary assignments": sum(1 for a in assignments if a.valid_to is None and a.role == "primary"),
        "opportunities": len(opportunities),
        "won": stages["won"],
        "claims awaiting confirmation": sum(1 for r in opportunities if r.awaiting_confirmation),
        "claims confirmed with another amount": sum(
            1
            for r in opportunities
            if r.claimed_amount is not None and not r.awaiting_confirmation and r.claimed_amount != r.amount
        ),
        "bookings to reconcile": len(queued),
        "lost": stages["lost"],
        "open": stages["registered"] + stages["qualified"] + stages["proposal"],
        "direct": sum(1 for r in opportunities if r.partner_id is None),
        "registrations approved": registrations["approved"],
        "registrations pending": registrations["pending"],
        "pending in conflict": sum(1 for r in opportunities if r.has_conflict),
        "registrations rejected": registrations["rejected"],
        "registrations expired": registrations["expired"],
        "linked to a roadshow": sum(1 for r in opportunities if r.roadshow_id),
        "roadshows": len(roadshows),
        "secondments": len(secondments),
        "commission rules": len(rules),
        "quotas": len(quotas),
        "targets": Target.objects.count(),
        "billing details": apps.get_model("payments", "BillingDetails").objects.count(),
        "invoices and credit notes": apps.get_model("payments", "Invoice").objects.count(),
    }
    summary.shares = quarterly_shares(window, opportunities)
    summary.demo_partner = demo.name
    summary.seconds = time.monotonic() - started
    return summary
