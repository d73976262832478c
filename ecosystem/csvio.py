"""CSV in and out, as SPEC §6 wants it.

Reading: UTF-8 with or without BOM, ``,`` or ``;`` as French spreadsheets write,
exact columns, a size limit; file-level problems raise :class:`CsvFileError` with a
message a person can act on. Row-level checks belong to each importer, which reports
:class:`RowError` with the line number and column.

Writing: text cells that a spreadsheet would run as a formula are neutralised; numbers stay numbers.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class CsvFileError(ValueError):
    """The file as a whole cannot be read: encoding, size, emptiness, header."""


@dataclass(frozen=True)
class RowError:
    line: int  # the line number in the file, the header being line 1
    column: str  # "" when the problem is the whole row
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("line %(line)s, column %(column)s: %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}

    def as_dict(self) -> dict:
        return asdict(self)


#: An import's result lists at most this many bad rows (the count says how many there were).
MAX_REPORTED_ERRORS = 1000


@dataclass
class ImportReport:
    """What an import did: rows read, created, updated, unchanged, skipped, whether anything was written, and
    the bad rows. An importer with counts of its own subclasses it and names them in ``extra_counts``."""

    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    written: bool = False
    errors: list[RowError] = field(default_factory=list)
    extra_counts = ()

    def as_dict(self) -> dict:
        return {
            "total_rows": self.total_rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            **{name: getattr(self, name) for name in self.extra_counts},
            "written": self.written,
            "error_count": len(self.errors),
            "errors": [error.as_dict() for error in self.errors[:MAX_REPORTED_ERRORS]],
        }


@dataclass
class CsvTable:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (line number, values by column)
    delimiter: str


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CsvFileError(
            _(
                "The file is not UTF-8 (byte 0x%(byte)02x on line %(line)s). "
                "Save it as 'CSV UTF-8' in your spreadsheet and try again."
            )
            % {"byte": data[error.start], "line": line}
        ) from error


def read_table(
    data: bytes, expected_columns: list[str], *, max_bytes: int, optional_columns: Sequence[str] = ()
) -> CsvTable:
    """Parse a whole CSV file and check its header against ``expected_columns``.

    ``optional_columns`` may be present or not; when absent, each row holds them as ``""``.
    """
    if len(data) > max_bytes:
        raise CsvFileError(
            _("The file is %(size).1f MB; the limit is %(limit).0f MB.")
            % {"size": len(data) / 1e6, "limit": max_bytes / 1e6}
        )
    text = decode(data)
    if not text.strip():
        raise CsvFileError(_("The file is empty."))
    if "\x00" in text:
        raise CsvFileError(_("The file holds binary data (NUL bytes); it is not a CSV file."))
    header_line = text.split("\n", 1)[0]  # not splitlines(): a large file would be split whole for one line
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except csv.Error as error:
        raise CsvFileError(_("Line 1: the header cannot be read (%(error)s).") % {"error": error}) from error
    missing = [name for name in expected_columns if name not in header]
    extra = [name for name in header if name not in expected_columns and name not in optional_columns]
    if missing or extra:
        parts = []
        if missing:
            parts.append(_("missing column(s): %(columns)s") % {"columns": ", ".join(missing)})
        if extra:
            unexpected = ", ".join(name or _("(empty)") for name in extra)
            parts.append(_("unexpected column(s): %(columns)s") % {"columns": unexpected})
        problems = "; ".join(parts)
        expected = delimiter.join(expected_columns)
        if optional_columns:
            raise CsvFileError(
                _("Line 1: %(problems)s. Expected exactly: %(expected)s (optional: %(optional)s).")
                % {"problems": problems, "expected": expected, "optional": delimiter.join(optional_columns)}
            )
        raise CsvFileError(
            _("Line 1: %(problems)s. Expected exactly: %(expected)s.") % {"problems": problems, "expected": expected}
        )
    if repeated := sorted({name for name in header if header.count(name) > 1}):
        raise CsvFileError(_("Line 1: %(columns)s appears twice in the header.") % {"columns": ", ".join(repeated)})
    absent = [name for name in optional_columns if name not in header]
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for values in reader:
            line = reader.line_num
            if not values or not "".join(values).strip():
                continue  # blank lines are ignored
            if len(values) != len(header):
                rows.append(
                    (
                        line,
                        {
                            "__error__": _("%(found)s fields where %(expected)s were expected")
                            % {"found": len(values), "expected": len(header)}
                        },
                    )
                )
                continue
            row = {name: value.strip() for name, value in zip(header, values, strict=True)}
            for name in absent:
                row[name] = ""
            rows.append((line, row))
    except csv.Error as error:
        raise CsvFileError(
            _("Line %(line)s: the file cannot be read as CSV (%(error)s).") % {"line": reader.line_num, "error": error}
        ) from error
    if not rows:
        raise CsvFileError(_("The file has a header but no rows."))
    return CsvTable(columns=header, rows=rows, delimiter=delimiter)


def starts_like_formula(value: str) -> bool:
    return bool(value) and value.startswith(FORMULA_PREFIXES)


#: What the product writes itself as a number or a date: never prefixed (SPEC §4.1, "amounts stay
#: numbers": an adjustment's ``-5000.00`` must stay a negative number in the spreadsheet).
NUMBER_TYPES = (int, float, Decimal, date)


def safe_cell(value) -> str:
    """A cell a spreadsheet will show as text, never run: text that starts with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return gets a ``'`` prefix. Numbers and dates the product writes
    (``Decimal("-5000.00")``) are written as they are; anything else — ``str``, a lazy translation, a
    choice label — counts as text, so what is not known to be a number is never left unguarded."""
    if value is None:
        return ""
    text = str(value)
    if not isinstance(value, NUMBER_TYPES) and starts_like_formula(text):
        return "'" + text
    return text


def iter_csv_lines(columns: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """CSV text line by line (for streaming responses), every text cell made formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(value) for value in row])
        yield buffer.getvalue()


PARSE_TRUE = {"true", "1", "yes", "y", "oui", "o", "vrai", "x"}
PARSE_FALSE = {"false", "0", "no", "n", "non", "faux", ""}


def parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in PARSE_TRUE:
        return True
    if lowered in PARSE_FALSE:
        return False
    raise ValueError(_("'%(value)s' is not yes/no (use true/false, 1/0, oui/non)") % {"value": value})
