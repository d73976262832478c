"""Spreadsheets people open: ``.xlsx`` downloads beside the data CSVs.

The CSV stays the data format (codes, dots, one line per row, what imports read back). The
``.xlsx`` is for people: a header row of labels in the reader's language, coded values shown as
their labels, typed cells (numbers and amounts as numbers with their format, dates as dates) so
a spreadsheet sorts and sums them, and a total row under the amounts. Text cells are written as
text, never as formulas; one that starts like a formula is prefixed with ``'`` as in the CSV exports
(SPEC §4.1). Headers carry the unit (``Amount (€)``); amounts are plain numbers with two decimals.

Written with openpyxl's write-only mode: rows stream into the file without building the sheet
in memory.
"""

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .csvio import starts_like_formula
from .signals import export_served

MONEY_FORMAT = "#,##0.00"
NUMBER_FORMAT = "#,##0.##"
INTEGER_FORMAT = "#,##0"
PERCENT_FORMAT = "0.00%"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """One column of a sheet: the value's ``kind`` (``text``, ``money``, ``number``, ``integer``,
    ``percent`` for a fraction such as 0.4215, ``date``), the ``labels`` of a coded column, and whether
    the total row sums it."""

    label: str
    kind: str = "text"
    labels: Mapping = field(default_factory=dict)
    total: bool = False
    width: int = 0  # characters; 0: from the kind


WIDTHS = {"text": 28, "money": 16, "number": 14, "integer": 10, "percent": 10, "date": 12}
FORMATS = {
    "money": MONEY_FORMAT,
    "number": NUMBER_FORMAT,
    "integer": INTEGER_FORMAT,
    "percent": PERCENT_FORMAT,
    "date": DATE_FORMAT,
}


def _number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def _typed(value, column: Column):
    """The cell value of ``value`` in ``column``: a number, a date or text."""
    if value is None or value == "":
        return None
    if column.labels and not isinstance(value, list | tuple):
        return str(column.labels.get(value, value))
    if isinstance(value, list | tuple):
        return ", ".join(str(column.labels.get(item, item)) for item in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if column.kind in ("money", "number", "integer", "percent"):
        number = _number(value)
        return number if number is not None else str(value)
    if column.kind == "date":
        if isinstance(value, datetime):
            return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    return str(value)


def _cell(sheet, value, column: Column | None = None, *, bold: bool = False):
    if isinstance(value, str) and starts_like_formula(value):
        value = "'" + value
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text stays text, never a formula
    elif column is not None and value is not None:
        cell.number_format = DATETIME_FORMAT if isinstance(value, datetime) else FORMATS.get(column.kind, "General")
    if bold:
        cell.font = Font(bold=True)
    return cell


def workbook_bytes(columns: list[Column], rows: Iterable[Iterable], *, title: str) -> bytes:
    """The .xlsx file of ``rows`` (values in the order of ``columns``), with a total row if a column asks."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "Sheet")
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width or WIDTHS.get(column.kind, 20)
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, str(column.label), bold=True) for column in columns])
    totals = [Decimal("0") if column.total else None for column in columns]
    for row in rows:
        values = [_typed(value, column) for value, column in zip(row, columns, strict=True)]
        for index, value in enumerate(values):
            if totals[index] is not None and isinstance(value, int | float | Decimal):
                totals[index] += Decimal(str(value))
        sheet.append([_cell(sheet, value, column) for value, column in zip(values, columns, strict=True)])
    if any(total is not None for total in totals):
        first = [_cell(sheet, _("Total"), bold=True)]
        rest = [
            _cell(sheet, total, column, bold=True) if total is not None else _cell(sheet, None)
            for total, column in zip(totals[1:], columns[1:], strict=True)
        ]
        sheet.append(first + rest)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_download(content: bytes, name: str, *, request, filename: str | None = None) -> HttpResponse:
    """``content`` (an .xlsx file) as the download ``<name>-<today>.xlsx``, announced like every export
    (the audit trail records it)."""
    filename = filename or f"{name}-{timezone.localdate().isoformat()}.xlsx"
    export_served.send(sender=xlsx_download, request=request, name=name, filename=filename)
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(
    columns: list[Column], rows: Iterable[Iterable], name: str, *, request, title: str = ""
) -> HttpResponse:
    """The sheet of ``rows`` as a download (see :func:`xlsx_download`)."""
    return xlsx_download(workbook_bytes(columns, rows, title=title or name), name, request=request)
