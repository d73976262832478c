"""A partner's own figures by quarter for its portal home: nobody else's, never the whole ecosystem's."""

from datetime import date

from django.utils.translation import gettext_lazy as _

from ecosystem.periods import to_date_label

from .dashboards import Column, Table, bar_chart
from .figures import default_range
from .share import partner_quarterly


def partner_figures_by_quarter(partner_id: int, today: date) -> dict:
    first, last = default_range(today)
    rows = partner_quarterly(partner_id, first, last)
    chart = bar_chart(
        "chart-partner-quarters",
        [to_date_label(r["period"], today) for r in rows],
        [
            (_("Won (€)"), [r["won"] for r in rows]),
            (_("Open pipeline by expected close (€)"), [r["pipeline"] for r in rows]),
            (_("Commission, approved (€)"), [r["commission"] for r in rows]),
        ],
    )
    columns = [
        Column("period", _("Quarter"), "period"),
        Column("won", _("Won (€)"), "money"),
        Column("pipeline", _("Open pipeline by expected close (€)"), "money"),
        Column("commission", _("Commission, approved (€)"), "money"),
    ]
    return {"quarter_table": Table("my-quarters", _("My figures by quarter"), columns, rows), "charts": [chart]}
