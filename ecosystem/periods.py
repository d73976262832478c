"""Settlement and reporting periods: a quarter (``2026-Q3``) or a month (``2026-07``)."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import dates, formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # inclusive
    label: str

    def __str__(self) -> str:
        return self.label

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def is_quarter(self) -> bool:
        return "Q" in self.label

    def _same_kind_holding(self, day: date) -> "Period":
        return quarter_of(day) if self.is_quarter else parse_period(f"{day.year}-{day.month:02d}")

    def next(self) -> "Period":
        return self._same_kind_holding(self.end + timedelta(days=1))

    def previous(self) -> "Period":
        return self._same_kind_holding(self.start - timedelta(days=1))


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def parse_period(text: str) -> Period:
    """Parse ``2026-Q3`` or ``2026-07``; raise ValueError with a readable message otherwise."""
    text = (text or "").strip().upper()
    if match := _QUARTER.match(text):
        year, quarter = int(match[1]), int(match[2])
        first_month = 3 * (quarter - 1) + 1
        return Period(date(year, first_month, 1), _month_end(year, first_month + 2), f"{year}-Q{quarter}")
    if match := _MONTH.match(text):
        year, month = int(match[1]), int(match[2])
        return Period(date(year, month, 1), _month_end(year, month), f"{year}-{month:02d}")
    raise ValueError(f"'{text}' is not a period: use a quarter like 2026-Q3 or a month like 2026-07.")


def quarter_of(day: date) -> Period:
    return parse_period(f"{day.year}-Q{(day.month - 1) // 3 + 1}")


def quarters_between(first: Period, last: Period) -> list[Period]:
    """Every quarter from the one holding ``first.start`` to the one holding ``last.end``."""
    result, current = [], quarter_of(first.start)
    while current.start <= last.end:
        result.append(current)
        current = current.next()
    return result


def period_label(value) -> str:
    """A period as people say it: ``2026-Q4`` → "Q4 2026" ("T4 2026" in French), ``2026-10`` → "October 2026"
    ("octobre 2026"), anything else (a year) as it came (``""`` for ``None``).

    Codes stay in the API and the data CSVs; pages, PDFs, e-mails, spreadsheet titles and messages show this.
    """
    if value is None:
        return ""
    text = str(value.label if isinstance(value, Period) else value).strip()
    if match := _QUARTER.match(text.upper()):
        return pgettext("quarter of a year", "Q%(quarter)s %(year)s") % {"quarter": match[2], "year": match[1]}
    if match := _MONTH.match(text):
        month = str(dates.MONTHS[int(match[2])])
        return pgettext("month of a year", "%(month)s %(year)s") % {"month": month, "year": match[1]}
    return text


_CODE_IN_TEXT = re.compile(r"(?<![\w-])\d{4}-(?:Q[1-4]|0[1-9]|1[0-2])(?![\w-])")


def name_periods(text: str) -> str:
    """Every period code in a text written earlier (a history line's target, "2026-Q1 (approved)") as its
    label in the reader's language: "Q1 2026 (approved)"."""
    return _CODE_IN_TEXT.sub(lambda match: period_label(match[0]), text or "")


def is_under_way(period: Period, today: date) -> bool:
    """Has ``period`` begun and not ended on ``today``?"""
    return period.start <= today < period.end


def to_date_label(value, today: date) -> str:
    """``period_label`` of a period under way marked as such: "Q4 2026 to date (through 2 Dec)"; a period
    over (or not begun) is its plain label."""
    label = period_label(value)
    try:
        period = value if isinstance(value, Period) else parse_period(str(value))
    except ValueError:
        return label
    if not is_under_way(period, today):
        return label
    day = formats.date_format(today, pgettext("a day and its month, short", "j M"))
    return _("%(period)s to date (through %(day)s)") % {"period": label, "day": day}
