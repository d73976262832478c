"""Spreadsheet (.xlsx) exports for people, beside the CSV data format (openpyxl, write-only).

Cells are typed: numbers (``Decimal`` stays exact) with two decimals, dates as dates, text as text —
and text that a spreadsheet would run as a formula is prefixed with ``'`` as in the CSV exports
(SPEC §4.1). Headers are the labels given (translated by the caller); a total row can close the
sheet.
"""

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .csvio import starts_like_formula

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"


def _cell(sheet, value, *, bold: bool = False):
    if isinstance(value, str) and starts_like_formula(value):
        value = "'" + value
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, Decimal | float):
        cell.number_format = MONEY_FORMAT
    elif isinstance(value, date | datetime):
        cell.number_format = DATE_FORMAT
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_bytes(
    *, title: str, headers: Sequence[str], rows: Iterable[Sequence], total_row: Sequence | None = None
) -> bytes:
    """One sheet: a bold header row, the rows, and a bold total row when given."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Sheet")
    sheet.append([_cell(sheet, str(h), bold=True) for h in headers])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    if total_row is not None:
        sheet.append([_cell(sheet, value, bold=True) for value in total_row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, name: str, *, request, filename: str | None = None) -> HttpResponse:
    """``content`` as a download, written to the audit trail like every export."""
    import audit
    from audit import kinds

    filename = filename or f"{name}-{timezone.localdate().isoformat()}.xlsx"
    audit.record(
        kinds.EXPORT, actor=request.user, request=request, target_repr=filename,
        detail={"export": name, "format": "xlsx", "query": request.GET.urlencode()[:1000]},
    )  # fmt: skip
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
