"""Bad CSV files, one table, every importer through every entry point (SPEC §6).

Importers: accounts, assignments, bookings, quotas. Entry points: the management command, the upload
page, the API endpoint. A file-level problem (encoding, size, header, emptiness) is refused at
once: the command exits with the message, the page shows it on the file field, the API answers
400 ``{"file": [...]}`` and no job is created. A row-level problem is found by the job (or the
command) checking every row: it names the line and the column, the job ends failed with the
problems listed, and nothing is written. In every case, no project table changes (except the
job's own row).
"""

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from jobs.models import Job

from ..factories import AccountFactory, PartnerFactory, UserFactory, next_siren

BOM = b"\xef\xbb\xbf"
SIZE_LIMIT = 1_000_000


@dataclass(frozen=True)
class Importer:
    name: str
    columns: tuple[str, ...]
    command: str
    page: str
    api: str
    key_column: str  # the column a duplicate is reported on

    def good(self, parties: dict, **overrides) -> dict:
        return {**GOOD_ROWS[self.name](parties), **overrides}


IMPORTERS = {
    "accounts": Importer(
        "accounts",
        ("siren", "name", "sector", "region", "city", "employees", "is_select", "vendor_awareness"),
        "import_accounts",
        "/accounts/import/",
        "/api/v1/accounts/import/",
        "siren",
    ),
    "assignments": Importer(
        "assignments",
        ("account_siren", "partner_siren", "role", "valid_from"),
        "import_assignments",
        "/accounts/assignments/import/",
        "/api/v1/assignments/import/",
        "account_siren",
    ),
    "bookings": Importer(
        "bookings",
        ("external_id", "account_siren", "partner_siren", "route", "product_line", "amount", "closed_on"),
        "import_bookings",
        "/bookings/import/",
        "/api/v1/bookings/import/",
        "external_id",
    ),
    "quotas": Importer(
        "quotas",
        ("partner_siren", "period", "amount"),
        "import_quotas",
        "/commissions/quotas/import/",
        "/api/v1/quotas/import/",
        "period",  # the same partner twice for one period
    ),
}

_booking_ids = iter(range(1, 10**6))
_quota_periods = iter(range(0, 10**6))

GOOD_ROWS: dict[str, Callable[[dict], dict]] = {
    "accounts": lambda p: {
        "siren": next_siren(),
        "name": "Maison Dupont",
        "sector": "luxury",
        "region": "ile_de_france",
        "city": "Paris",
        "employees": "1200",
        "is_select": "true",
        "vendor_awareness": "low",
    },
    "assignments": lambda p: {
        "account_siren": p["accounts"].pop(0).siren,
        "partner_siren": p["partner"].siren,
        "role": "primary",
        "valid_from": "2025-01-01",
    },
    "bookings": lambda p: {
        "external_id": f"ORD-{next(_booking_ids)}",
        "account_siren": p["accounts"][0].siren,
        "partner_siren": p["partner"].siren,
        "route": "partner_sourced",
        "product_line": "ai",
        "amount": "12500.00",
        "closed_on": "2025-03-01",
    },
    "quotas": lambda p: {
        "partner_siren": p["partner"].siren,
        "period": (lambda i: f"{2030 + i // 4}-Q{i % 4 + 1}")(next(_quota_periods)),
        "amount": "150000.00",
    },
}


def csv_text(columns, rows: list[dict], delimiter: str = ",") -> str:
    lines = [delimiter.join(columns)] + [delimiter.join(row[c] for c in columns) for row in rows]
    return "\n".join(lines) + "\n"


def wrong_check_digit(siren: str) -> str:
    return siren[:8] + str((int(siren[8]) + 1) % 10)


# --- The table --------------------------------------------------------------------------------------
#
# ``build(importer, parties) -> bytes``; ``expect`` is ("file", [fragments of the message]),
# ("rows", [(line, column), ...]) or ("accepted", created_count).


@dataclass(frozen=True)
class Case:
    id: str
    importers: tuple[str, ...]
    build: Callable[[Importer, dict], bytes]
    expect: tuple


ALL = ("accounts", "assignments", "bookings", "quotas")


def _approved_period(p) -> str:
    """The period of an approved settlement: its quotas no longer change."""
    from commissions.models import SettlementRun

    run = SettlementRun.objects.create(
        period="2025-Q2", period_start=date(2025, 4, 1), period_end=date(2025, 6, 30), status="computed",
        run_by=UserFactory(role="channel"),
    )  # fmt: skip
    SettlementRun.objects.filter(pk=run.pk).update(
        status="approved", approved_by=UserFactory(role="manager"), approved_at=timezone.now()
    )
    return run.period


def _good_file(imp, p, n=2, **kwargs):
    return csv_text(imp.columns, [imp.good(p) for _ in range(n)], **kwargs).encode()


def _with_bad_row(column: str, value: str | Callable[[dict], str]):
    """A good row on line 2, then on line 3 a good row whose ``column`` holds ``value``."""

    def build(imp, p):
        first = imp.good(p)
        bad = imp.good(p)
        bad[column] = value(p) if callable(value) else value
        return csv_text(imp.columns, [first, bad]).encode()

    return build


def _with_registration(value: str, *, direct: bool = False):
    """Bookings with the optional ``registration`` column: a good row on line 2, ``value`` on line 3."""

    def build(imp, p):
        columns = [*imp.columns, "registration"]
        bad = {**imp.good(p), "registration": value}
        if direct:
            bad.update(partner_siren="", route="direct")
        return csv_text(columns, [{**imp.good(p), "registration": ""}, bad]).encode()

    return build


def _duplicate_key(imp, p):
    first = imp.good(p)
    second = imp.good(p)
    second[imp.key_column] = first[imp.key_column]
    return csv_text(imp.columns, [first, imp.good(p), second]).encode()


def _header(transform: Callable[[list[str]], list[str]]):
    def build(imp, p):
        rows = [imp.good(p)]
        columns = transform(list(imp.columns))
        values = [",".join(row.get(c, "x") for c in columns) for row in rows]
        return ("\n".join([",".join(columns), *values]) + "\n").encode()

    return build


def _too_big(imp, p):
    row = csv_text(imp.columns, [imp.good(p)]).encode()
    header, line = row.split(b"\n", 1)
    return header + b"\n" + line * (SIZE_LIMIT // len(line) + 10)


CASES = [
    # Encoding and the file as a whole.
    Case(
        "latin-1 bytes",
        ALL,
        lambda imp, p: _good_file(imp, p).replace(b"\n", "\nCafé;".encode("latin-1"), 1),
        ("file", ["not UTF-8", "byte 0xe9 on line 2"]),
    ),
    Case("UTF-16", ALL, lambda imp, p: _good_file(imp, p).decode().encode("utf-16"), ("file", ["not UTF-8"])),
    Case(
        "an Excel workbook",
        ALL,
        lambda imp, p: b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb1" * 20,
        ("file", ["not UTF-8"]),
    ),
    Case("NUL bytes", ALL, lambda imp, p: _good_file(imp, p).replace(b"\n", b"\x00\n"), ("file", ["binary"])),
    Case("empty file", ALL, lambda imp, p: b"", ("file", ["empty"])),
    Case("blank lines only", ALL, lambda imp, p: b"\n \n\n", ("file", ["empty"])),
    Case("header only", ALL, lambda imp, p: (",".join(imp.columns) + "\n").encode(), ("file", ["no rows"])),
    Case("over the size limit", ALL, _too_big, ("file", ["1 MB"])),
    Case(
        "unterminated quote",
        ALL,
        lambda imp, p: _good_file(imp, p) + b'"never closed,' + b"x," * (len(imp.columns) - 1) + b"\n",
        ("file", ["Line 4", "cannot be read as CSV"]),
    ),
    # The header.
    Case("missing required column", ALL, _header(lambda cols: cols[1:]), ("file", ["Line 1", "missing column(s)"])),
    Case(
        "unknown column",
        ALL,
        _header(lambda cols: [*cols, "comment"]),
        ("file", ["Line 1", "unexpected column(s): comment"]),
    ),
    Case(
        "duplicated column",
        ALL,
        _header(lambda cols: [*cols, cols[0]]),
        ("file", ["Line 1: {first} appears twice"]),
    ),
    Case(
        "typo in a column name",
        ALL,
        _header(lambda cols: [cols[0] + "x", *cols[1:]]),
        ("file", ["missing column(s)", "unexpected column(s)"]),
    ),
    # Rows.
    Case(
        "too few fields on a row",
        ALL,
        lambda imp, p: _good_file(imp, p) + b"only,two\n",
        ("rows", [(4, "")]),
    ),
    Case("duplicate key in the file", ALL, _duplicate_key, ("rows", [(4, None)])),  # None: the key column
    Case(
        "formula in a text cell (=)",
        ("accounts",),
        _with_bad_row("name", '=HYPERLINK("http://evil.example")'),
        ("rows", [(3, "name")]),
    ),
    Case("formula in a text cell (@)", ("accounts",), _with_bad_row("city", "@SUM(A1:A9)"), ("rows", [(3, "city")])),
    Case(
        "formula in a text cell (+)",
        ("bookings",),
        _with_bad_row("external_id", "+1+1"),
        ("rows", [(3, "external_id")]),
    ),
    Case(
        "formula in a text cell (-)",
        ("bookings",),
        _with_bad_row("external_id", "-2+3"),
        ("rows", [(3, "external_id")]),
    ),
    Case(
        "formula in a SIREN cell",
        ("assignments",),
        _with_bad_row("account_siren", "=1+1"),
        ("rows", [(3, "account_siren")]),
    ),
    Case(
        "bad SIREN check digit",
        ("accounts",),
        _with_bad_row("siren", lambda p: wrong_check_digit(next_siren())),
        ("rows", [(3, "siren")]),
    ),
    Case(
        "bad SIREN check digit",
        ("assignments", "bookings"),
        _with_bad_row("account_siren", lambda p: wrong_check_digit(p["spare"].siren)),
        ("rows", [(3, "account_siren")]),
    ),
    Case("SIREN too short", ("accounts",), _with_bad_row("siren", "12345"), ("rows", [(3, "siren")])),
    Case(
        "unknown partner SIREN",
        ("assignments", "bookings"),
        _with_bad_row("partner_siren", lambda p: next_siren()),
        ("rows", [(3, "partner_siren")]),
    ),
    Case("bad date", ("assignments",), _with_bad_row("valid_from", "31/02/2025"), ("rows", [(3, "valid_from")])),
    Case(
        "date in the future", ("assignments",), _with_bad_row("valid_from", "2999-01-01"), ("rows", [(3, "valid_from")])
    ),
    Case("bad date", ("bookings",), _with_bad_row("closed_on", "2025-13-01"), ("rows", [(3, "closed_on")])),
    Case("date in the future", ("bookings",), _with_bad_row("closed_on", "2999-01-01"), ("rows", [(3, "closed_on")])),
    Case("negative amount", ("bookings",), _with_bad_row("amount", "-500"), ("rows", [(3, "amount")])),
    Case("huge amount (1e30)", ("bookings",), _with_bad_row("amount", "1e30"), ("rows", [(3, "amount")])),
    Case("amount with 3 decimals", ("bookings",), _with_bad_row("amount", "10.125"), ("rows", [(3, "amount")])),
    Case("amount NaN", ("bookings",), _with_bad_row("amount", "NaN"), ("rows", [(3, "amount")])),
    Case("amount not a number", ("bookings",), _with_bad_row("amount", "douze"), ("rows", [(3, "amount")])),
    Case("unknown choice", ("accounts",), _with_bad_row("sector", "aerospace"), ("rows", [(3, "sector")])),
    Case("unknown choice", ("assignments",), _with_bad_row("role", "owner"), ("rows", [(3, "role")])),
    Case("unknown choice", ("bookings",), _with_bad_row("route", "retail"), ("rows", [(3, "route")])),
    Case("unknown choice (2)", ("bookings",), _with_bad_row("product_line", "cheese"), ("rows", [(3, "product_line")])),
    Case("bad yes/no", ("accounts",), _with_bad_row("is_select", "maybe"), ("rows", [(3, "is_select")])),
    Case("headcount not a number", ("accounts",), _with_bad_row("employees", "many"), ("rows", [(3, "employees")])),
    Case("headcount huge", ("accounts",), _with_bad_row("employees", "10" * 20), ("rows", [(3, "employees")])),
    Case(
        "headcount in superscript digits", ("accounts",), _with_bad_row("employees", "²³"), ("rows", [(3, "employees")])
    ),
    Case("name too long", ("accounts",), _with_bad_row("name", "x" * 201), ("rows", [(3, "name")])),
    Case("required cell empty", ("accounts",), _with_bad_row("name", ""), ("rows", [(3, "name")])),
    Case("required cell empty", ("bookings",), _with_bad_row("external_id", ""), ("rows", [(3, "external_id")])),
    Case("direct route with a partner", ("bookings",), _with_bad_row("route", "direct"), ("rows", [(3, "route")])),
    Case("registration not a number", ("bookings",), _with_registration("REG-12x"), ("rows", [(3, "registration")])),
    Case("registration is a formula", ("bookings",), _with_registration("=1+1"), ("rows", [(3, "registration")])),
    Case(
        "registration on direct business",
        ("bookings",),
        _with_registration("REG-000012", direct=True),
        ("rows", [(3, "registration")]),
    ),
    Case(
        "bad SIREN check digit",
        ("quotas",),
        _with_bad_row("partner_siren", lambda p: wrong_check_digit(p["partner"].siren)),
        ("rows", [(3, "partner_siren")]),
    ),
    Case(
        "unknown partner SIREN",
        ("quotas",),
        _with_bad_row("partner_siren", lambda p: next_siren()),
        ("rows", [(3, "partner_siren")]),
    ),
    Case(
        "formula in a SIREN cell", ("quotas",), _with_bad_row("partner_siren", "=1+1"), ("rows", [(3, "partner_siren")])
    ),
    Case("bad period", ("quotas",), _with_bad_row("period", "2026-Q5"), ("rows", [(3, "period")])),
    Case("blank period", ("quotas",), _with_bad_row("period", ""), ("rows", [(3, "period")])),
    Case(
        "period of an approved settlement",
        ("quotas",),
        _with_bad_row("period", _approved_period),
        ("rows", [(3, "period")]),
    ),
    Case("negative amount", ("quotas",), _with_bad_row("amount", "-500"), ("rows", [(3, "amount")])),
    Case("zero amount", ("quotas",), _with_bad_row("amount", "0"), ("rows", [(3, "amount")])),
    Case("huge amount (1e30)", ("quotas",), _with_bad_row("amount", "1e30"), ("rows", [(3, "amount")])),
    Case("amount with 3 decimals", ("quotas",), _with_bad_row("amount", "10.125"), ("rows", [(3, "amount")])),
    Case("amount NaN", ("quotas",), _with_bad_row("amount", "NaN"), ("rows", [(3, "amount")])),
    Case("amount not a number", ("quotas",), _with_bad_row("amount", "douze"), ("rows", [(3, "amount")])),
    # What must be accepted.
    Case("registration column (accepted)", ("bookings",), _with_registration("REG-000012"), ("accepted", 2)),
    Case("UTF-8 with BOM (accepted)", ALL, lambda imp, p: BOM + _good_file(imp, p), ("accepted", 2)),
    Case("semicolons and BOM (accepted)", ALL, lambda imp, p: BOM + _good_file(imp, p, delimiter=";"), ("accepted", 2)),
]

ENTRY_POINTS = ("command", "page", "api")

TABLE = [
    pytest.param(case, importer, entry, id=f"{importer}-{entry}-{case.id}")
    for case in CASES
    for importer in case.importers
    for entry in ENTRY_POINTS
]


# --- Running one case -------------------------------------------------------------------------------


@dataclass
class Outcome:
    kind: str  # "file", "rows" or "accepted"
    text: str  # every message shown, joined
    errors: list[tuple[int, str]]  # (line, column) of each row problem


def run_command(imp: Importer, data: bytes, tmp_path) -> Outcome:
    path = tmp_path / f"{imp.name}.csv"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(imp.command, str(path), stdout=out, stderr=err, verbosity=0)
    except CommandError as error:
        text = f"{error}\n{err.getvalue()}"
        rows = [line for line in err.getvalue().splitlines() if ": line " in line]
        errors = []
        for line in rows:
            where = line.split(": line ", 1)[1].split(":", 1)[0]  # "3, column siren" or "4"
            number, _sep, column = where.partition(", column ")
            errors.append((int(number), column))
        return Outcome("rows" if "nothing was written" in str(error) else "file", text, errors)
    return Outcome("accepted", out.getvalue(), [])


def _upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def _job_outcome(job: Job, shown: str = "") -> Outcome:
    if job.state == "succeeded":
        return Outcome("accepted", job.message, [])
    assert job.state == "failed", job.state
    errors = [(e["line"], e["column"]) for e in (job.result or {}).get("errors", [])]
    return Outcome("rows", f"{job.error}\n{shown}", errors)


def run_page(imp: Importer, data: bytes, client, user, capture) -> Outcome:
    before = set(Job.objects.values_list("pk", flat=True))
    with capture(execute=True):
        response = client.post(imp.page, {"file": _upload(data, f"{imp.name}.csv")})
    if response.status_code == 200:
        form = response.context["form"]
        assert not set(Job.objects.values_list("pk", flat=True)) - before, "a refused file created a job"
        assert "file" in form.errors, form.errors
        return Outcome("file", " ".join(form.errors["file"]), [])
    assert response.status_code == 302, response.status_code
    job = Job.objects.exclude(pk__in=before).get()
    page = client.get(response["Location"])
    assert page.status_code == 200
    return _job_outcome(job, page.content.decode())


def run_api(imp: Importer, data: bytes, api, user, capture) -> Outcome:
    before = set(Job.objects.values_list("pk", flat=True))
    with capture(execute=True):
        response = api(user).post(imp.api, {"file": _upload(data, f"{imp.name}.csv")}, format="multipart")
    if response.status_code == 400:
        body = response.json()
        assert set(body) == {"file"}, body
        assert not set(Job.objects.values_list("pk", flat=True)) - before, "a refused file created a job"
        return Outcome("file", " ".join(body["file"]), [])
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["id"])
    shown = api(user).get(f"/api/v1/jobs/{job.pk}/").content.decode()
    return _job_outcome(job, shown)


@pytest.fixture
def parties(db):
    """Known accounts and a partner for the rows that name them; ``spare`` is never assigned."""
    return {
        "accounts": [AccountFactory() for _ in range(4)],
        "partner": PartnerFactory(),
        "spare": AccountFactory(),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "importer", "entry"), TABLE)
def test_bad_csv(
    case,
    importer,
    entry,
    parties,
    channel_user,
    client,
    api,
    census,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.IMPORT_MAX_BYTES = SIZE_LIMIT
    imp = IMPORTERS[importer]
    data = case.build(imp, parties)
    client.force_login(channel_user)  # before the census: a login is audited
    kind, *expected = case.expect
    if kind == "accepted":
        outcome = _run(entry, imp, data, tmp_path, client, api, channel_user, django_capture_on_commit_callbacks)
        assert outcome.kind == "accepted", outcome.text
        return
    with census(exclude=["jobs.Job"]):
        outcome = _run(entry, imp, data, tmp_path, client, api, channel_user, django_capture_on_commit_callbacks)
    assert outcome.kind == kind, outcome.text
    if kind == "file":
        for fragment in expected[0]:
            fragment = fragment.format(first=imp.columns[0])
            assert fragment in outcome.text, f"{fragment!r} not in {outcome.text!r}"
    else:
        assert "nothing was written" in outcome.text
        for line, column in expected[0]:
            column = imp.key_column if column is None else column
            found = [(n, c) for n, c in outcome.errors if n == line]
            assert found, f"line {line} not reported: {outcome.errors}"
            assert (line, column) in found, f"line {line} column {column!r} not reported: {outcome.errors}"
            if entry == "page":
                # The job page lists the problem's line and column.
                assert f"<td>{line}</td><td>{found[0][1]}</td>" in outcome.text


def _run(entry, imp, data, tmp_path, client, api, user, capture) -> Outcome:
    if entry == "command":
        return run_command(imp, data, tmp_path)
    if entry == "page":
        return run_page(imp, data, client, user, capture)
    return run_api(imp, data, api, user, capture)


def test_every_importer_and_entry_point_is_in_the_table():
    """A new importer (a command named import_*) must be added to IMPORTERS."""
    from django.core.management import get_commands

    commands = {name for name in get_commands() if name.startswith("import_")}
    assert commands == {imp.command for imp in IMPORTERS.values()}
    covered = {(importer, entry) for case in CASES for importer in case.importers for entry in ENTRY_POINTS}
    assert covered == {(importer, entry) for importer in IMPORTERS for entry in ENTRY_POINTS}
