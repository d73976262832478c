"""Tables and charts of the managers' dashboards, built from the figures (no HTTP here).

A :class:`Table` is what the page shows beside a chart and what its CSV export writes;
a chart is a small JSON-ready dict read by ``insights/charts.js``.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from ecosystem.periods import period_label
from ecosystem.xlsx import Column as XlsxColumn


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"  # text | money | share | int | link | period (a period code, shown as its label)


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict]
    links: dict = field(default_factory=dict)  # row index → url for the first column

    def csv_rows(self):
        for row in self.rows:
            yield [_plain(row.get(column.key)) for column in self.columns]

    def xlsx_columns(self) -> list:
        """The table's columns for a spreadsheet: labels as headers, typed cells, totals under the amounts
        (periods by their names: a spreadsheet is read by people; the CSV keeps the codes)."""
        kinds = {"money": "money", "share": "percent", "int": "integer"}
        return [
            XlsxColumn(column.label, kinds.get(column.kind, "text"), total=column.kind in ("money", "int"))
            for column in self.columns
        ]

    def xlsx_rows(self):
        for row in self.rows:
            yield [
                period_label(row.get(column.key)) if column.kind == "period" else row.get(column.key)
                for column in self.columns
            ]

    def cells(self):
        for index, row in enumerate(self.rows):
            yield self.links.get(index), [(column, row.get(column.key)) for column in self.columns]


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def share_columns(first_label, first_kind="text") -> list[Column]:
    return [
        Column("key", first_label, first_kind),
        Column("total", _("Won, all routes (€)"), "money"),
        Column("sourced", _("Partner sourced (€)"), "money"),
        Column("influenced", _("Partner influenced (€)"), "money"),
        Column("direct", _("Direct (€)"), "money"),
        Column("share", _("Ecosystem share"), "share"),
        Column("won_count", _("Won deals"), "int"),
    ]


def as_number(value):
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else value


def percent_series(values) -> list:
    return [None if v is None else round(float(v) * 100, 2) for v in values]


def bar_chart(chart_id: str, labels, datasets: list[tuple[str, list]], *, stacked=False, percent=False) -> dict:
    return {
        "id": chart_id,
        "type": "bar",
        "labels": [str(label) for label in labels],
        "datasets": [{"label": str(name), "data": [as_number(v) for v in data]} for name, data in datasets],
        "stacked": stacked,
        "percent": percent,
    }


def line_chart(chart_id: str, labels, datasets: list[tuple[str, list, dict]], *, percent=True) -> dict:
    return {
        "id": chart_id,
        "type": "line",
        "labels": [str(label) for label in labels],
        "datasets": [{"label": str(name), "data": list(data), **options} for name, data, options in datasets],
        "percent": percent,
    }
