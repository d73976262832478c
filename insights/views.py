from django import forms
from django.http import Http404
from django.shortcuts import redirect
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from ecosystem.choices import ProductLine, Region, Sector
from ecosystem.csvio import iter_csv_lines
from ecosystem.periods import to_date_label
from ecosystem.roles import CHANNEL_ONLY, INTERNAL_ROLES, Role, role_of
from ecosystem.web import RoleRequiredMixin, csv_response
from ecosystem.worklist import work_for
from ecosystem.xlsx import xlsx_response
from jobs.import_views import CsvImportView
from jobs.services import job_create, job_enqueue
from partners.models import Partner, PartnerTier

from . import figures, share
from .bookings import BOOKING_COLUMNS, OPTIONAL_COLUMNS
from .dashboards import Column, Table, bar_chart, line_chart, percent_series, share_columns
from .models import Target
from .params import ParamError, parse_query
from .snapshots import STEPS
from .tasks import import_bookings_task, snapshot_task


class WorkspaceHomeView(RoleRequiredMixin, TemplateView):
    """The channel team's start page: its to-do list (each kind of waiting work with its count, its oldest
    item and a link to the filtered list), then the coverage figures."""

    allowed_roles = CHANNEL_ONLY
    template_name = "insights/workspace_home.html"

    def get_context_data(self, **kwargs):
        live = (self.request.GET.get("live") or "").lower() in ("1", "true", "yes")
        found = figures.channel_figures(live)
        return super().get_context_data(
            work=work_for(self.request.user), figures=found, source=found["coverage"], live_requested=live, **kwargs
        )


GROUP_LABELS = {
    "quarter": _("Quarter"),
    "region": _("Region"),
    "sector": _("Sector"),
    "product_line": _("Product line"),
    "tier": _("Partner tier"),
    "select": _("Select accounts"),
}


class FilterForm(forms.Form):
    """The dashboards' filters (checked again by :func:`insights.params.parse_query`)."""

    def __init__(self, *args, group_by=True, **kwargs):
        super().__init__(*args, **kwargs)
        blank = [("", _("All"))]
        self.fields["from"] = forms.CharField(label=_("From (quarter)"), required=False)
        self.fields["to"] = forms.CharField(label=_("To (quarter)"), required=False)
        self.fields["region"] = forms.ChoiceField(label=_("Region"), choices=blank + Region.choices, required=False)
        self.fields["sector"] = forms.ChoiceField(label=_("Sector"), choices=blank + Sector.choices, required=False)
        self.fields["tier"] = forms.ChoiceField(label=_("Tier"), choices=blank + PartnerTier.choices, required=False)
        self.fields["product_line"] = forms.ChoiceField(
            label=_("Product line"), choices=blank + ProductLine.choices, required=False
        )
        if group_by:
            self.fields["group_by"] = forms.ChoiceField(
                label=_("Breakdown"), choices=list(GROUP_LABELS.items()), required=False
            )


class DashboardView(RoleRequiredMixin, TemplateView):
    """A dashboard page: filters, then sections of a chart with its table; ``?export=<table>`` → CSV."""

    allowed_roles = INTERNAL_ROLES
    template_name = "insights/dashboard.html"
    title = ""
    show_filters = True
    show_group_by = False
    source = None  # where the figures come from: ``figures.source_info`` of the build

    def get(self, request, *args, **kwargs):
        self.errors = {}
        try:
            self.query = parse_query(request.GET, timezone.localdate())
        except ParamError as error:
            self.errors = error.errors
            self.query = parse_query({}, timezone.localdate())
        self.sections = self.build()
        export = request.GET.get("export")
        if export:
            for _chart, table in self.sections:
                if table.name == export and request.GET.get("format") == "xlsx":
                    return xlsx_response(
                        table.xlsx_columns(), table.xlsx_rows(), table.name, request=request, title=str(table.title)
                    )
                if table.name == export:
                    return csv_response(
                        iter_csv_lines([column.key for column in table.columns], table.csv_rows()),
                        table.name,
                        request=request,
                    )
            raise Http404("No such table.")
        return super().get(request, *args, **kwargs)

    def build(self) -> list:
        return []

    def extra(self) -> dict:
        return {}

    def get_context_data(self, **kwargs):
        query_string = self.request.GET.copy()
        query_string.pop("export", None)
        charts = [chart for chart, _table in self.sections if chart]
        return super().get_context_data(
            title=self.title,
            sections=self.sections,
            charts=charts,
            form=FilterForm(self.request.GET or None, group_by=self.show_group_by) if self.show_filters else None,
            param_errors=self.errors,
            query=self.query,
            query_string=query_string.urlencode(),
            source=self.source,
            live_requested=self.query.live,
            **self.extra(),
            **kwargs,
        )


class ManagerHomeView(DashboardView):
    """Where the ecosystem stands against its target: series, trend to the deadline, verdict."""

    title = _("Ecosystem share and target")
    show_filters = False
    template_name = "insights/manager_home.html"

    def build(self):
        targets = list(Target.objects.all())
        wanted = self.request.GET.get("target")
        self.target = next((t for t in targets if str(t.pk) == wanted), targets[0] if targets else None)
        self.targets = targets
        self.progress = None
        today = timezone.localdate()
        if self.target is None:
            result = figures.ecosystem_share(self.query)
            rows = result["rows"]
            chart = bar_chart(
                "chart-share",
                [to_date_label(r["key"], today) for r in rows],
                [(_("Ecosystem share (%)"), percent_series(r["share"] for r in rows))],
                percent=True,
            )
            return [(chart, Table("share", _("Share by quarter"), share_columns(_("Quarter"), "period"), rows))]
        progress = figures.target_progress(self.target, today)
        self.progress = progress
        labels = progress["labels"]
        target_line = [round(float(progress["target"]) * 100, 2)] * len(labels)
        chart = line_chart(
            "chart-target",
            [to_date_label(label, today) for label in labels],
            [
                (_("Ecosystem share (%)"), percent_series(progress["actual"]), {"color": "#1f6feb"}),
                (_("Trend (%)"), percent_series(progress["trend"]), {"color": "#6e7781", "borderDash": [6, 4]}),
                (_("Target (%)"), target_line, {"color": "#cf222e", "pointRadius": 0}),
            ],
        )
        trend_by_label = dict(zip(labels, progress["trend"], strict=True))
        rows = [{**row, "trend": trend_by_label.get(row["period"])} for row in progress["series"]]
        columns = [
            Column("period", _("Quarter"), "period"),
            Column("total", _("Won, all routes (€)"), "money"),
            Column("sourced", _("Partner sourced (€)"), "money"),
            Column("influenced", _("Partner influenced (€)"), "money"),
            Column("share", _("Ecosystem share"), "share"),
            Column("trend", _("Trend"), "share"),
        ]
        return [(chart, Table("target-series", _("Quarterly series since the baseline"), columns, rows))]

    def extra(self):
        work = work_for(self.request.user) if role_of(self.request.user) == Role.MANAGER else []
        return {
            "target": self.target,
            "targets": self.targets,
            "progress": self.progress,
            "work": work,
            "today": timezone.localdate(),
        }


class ShareDashboardView(DashboardView):
    title = _("Ecosystem share by breakdown")
    show_group_by = True

    def build(self):
        result = figures.ecosystem_share(self.query)
        self.source = result
        rows = result["rows"]
        group_by = self.query.group_by
        for row in rows:
            row["label"] = _label(group_by, row["key"])
        chart = bar_chart(
            "chart-breakdown",
            [r["label"] for r in rows],
            [
                (_("Partner sourced (€)"), [r["sourced"] for r in rows]),
                (_("Partner influenced (€)"), [r["influenced"] for r in rows]),
                (_("Direct (€)"), [r["direct"] for r in rows]),
            ],
            stacked=True,
        )
        share_chart = bar_chart(
            "chart-breakdown-share",
            [r["label"] for r in rows],
            [(_("Ecosystem share (%)"), percent_series(r["share"] for r in rows))],
            percent=True,
        )
        columns = share_columns(GROUP_LABELS[group_by])
        columns[0] = Column("label", GROUP_LABELS[group_by])
        links = {}
        if group_by == "region":
            base = self.request.GET.copy()
            base.pop("export", None)
            suffix = ("?" + base.urlencode()) if base else ""
            links = {i: f"{_region_url(r['key'])}{suffix}" for i, r in enumerate(rows)}
        table = Table(f"share-by-{group_by}", _("Won business and share"), columns, rows, links)
        return [(chart, table), (share_chart, None)] if rows else [(None, table)]


def _label(group_by, key):
    choices = {"region": Region, "sector": Sector, "product_line": ProductLine, "tier": PartnerTier}.get(group_by)
    if choices is not None:
        if key == "direct":
            return _("Direct")
        try:
            return choices(key).label
        except ValueError:
            return key
    if group_by == "select":
        return _("Select accounts") if key == "select" else _("Other accounts")
    if group_by == "quarter":
        return to_date_label(key, timezone.localdate())
    return key


def _region_url(region):
    from django.urls import reverse

    return reverse("insights-region", args=[region])


class RegionDrillView(DashboardView):
    """Drill-down: the partners of one region, then the accounts of one partner there."""

    def extra(self):
        return {"region_label": self.region_label}

    def build(self):
        region = self.kwargs["region"]
        if region not in Region.values:
            raise Http404("Unknown region.")
        self.region_label = Region(region).label
        partner_id = self.request.GET.get("partner")
        if not partner_id or not partner_id.isdigit():
            self.title = _("Partners of the region")
            rows = share.partners_of_region(self.query.start, self.query.end, region, self.query.filters)
            base = self.request.GET.copy()
            base.pop("export", None)
            links = {}
            for index, row in enumerate(rows):
                base["partner"] = str(row["partner_id"])
                links[index] = "?" + base.urlencode()
            columns = [
                Column("partner", _("Partner")),
                Column("tier", _("Tier")),
                Column("sourced", _("Partner sourced (€)"), "money"),
                Column("influenced", _("Partner influenced (€)"), "money"),
                Column("partner_total", _("Partner revenue (€)"), "money"),
                Column("won_count", _("Won deals"), "int"),
            ]
            chart = bar_chart(
                "chart-region-partners",
                [r["partner"] for r in rows],
                [
                    (_("Partner sourced (€)"), [r["sourced"] for r in rows]),
                    (_("Partner influenced (€)"), [r["influenced"] for r in rows]),
                ],
                stacked=True,
            )
            return [(chart if rows else None, Table(f"partners-{region}", self.region_label, columns, rows, links))]
        partner = Partner.objects.filter(pk=partner_id).first()
        if partner is None:
            raise Http404("Unknown partner.")
        self.title = _("Accounts won by the partner in the region")
        rows = share.accounts_of_partner(self.query.start, self.query.end, region, partner.pk, self.query.filters)
        columns = [
            Column("account", _("Account")),
            Column("siren", _("SIREN")),
            Column("is_select", _("Select")),
            Column("amount", _("Won (€)"), "money"),
            Column("won_count", _("Won deals"), "int"),
        ]
        chart = bar_chart(
            "chart-partner-accounts", [r["account"] for r in rows], [(_("Won (€)"), [r["amount"] for r in rows])]
        )
        table = Table(f"accounts-{region}-{partner.pk}", f"{partner.name} · {self.region_label}", columns, rows)
        return [(chart if rows else None, table)]


class CoverageDashboardView(DashboardView):
    title = _("Coverage of the select accounts")

    def build(self):
        coverage = self.source = figures.coverage(self.query)
        keys = [
            ("assigned", _("Assigned")),
            ("with_open_opportunity", _("With an open opportunity")),
            ("with_won_deal", _("With a won deal in the range")),
        ]
        rows = [{"measure": label, "accounts": coverage[key], "ratio": coverage[f"{key}_ratio"]} for key, label in keys]
        rows.insert(0, {"measure": _("Select accounts"), "accounts": coverage["total"], "ratio": None})
        chart = bar_chart(
            "chart-coverage", [r["measure"] for r in rows], [(_("Accounts"), [r["accounts"] for r in rows])]
        )
        columns = [
            Column("measure", _("Measure")),
            Column("accounts", _("Accounts"), "int"),
            Column("ratio", _("Of select accounts"), "share"),
        ]
        return [(chart, Table("coverage", _("Select accounts"), columns, rows))]


class CommissionDashboardView(DashboardView):
    title = _("Commission cost against partner revenue")

    def build(self):
        self.source = figures.commission_cost(self.query)
        rows = self.source["rows"]
        chart = bar_chart(
            "chart-commission",
            [to_date_label(r["period"], timezone.localdate()) for r in rows],
            [
                (_("Commission (€)"), [r["commission"] for r in rows]),
                (_("Partner revenue (€)"), [r["partner_revenue"] for r in rows]),
            ],
        )
        columns = [
            Column("period", _("Quarter"), "period"),
            Column("commission", _("Commission (€)"), "money"),
            Column("basis", _("Commission figures")),
            Column("partner_revenue", _("Partner revenue (€)"), "money"),
            Column("cost_ratio", _("Cost / revenue"), "share"),
        ]
        for row in rows:
            # A computed run not approved yet: its figure, said to be preliminary (not a 0 % cost).
            row["basis"] = _("preliminary (run not approved yet)") if row.get("preliminary") else _("approved or paid")
        return [(chart, Table("commission-cost", _("By quarter of the deals"), columns, rows))]


class LeversDashboardView(DashboardView):
    title = _("Levers: secondments and roadshows")

    def build(self):
        levers = self.source = figures.levers(self.query)
        secondments, roadshows = levers["secondments"], levers["roadshows"]
        for row in secondments:
            row["label"] = f"{row['partner']} ({formats.date_format(row['starts_on'], 'DATE_FORMAT')})"
        s_chart = bar_chart(
            "chart-secondments",
            [r["label"] for r in secondments],
            [
                (_("Before (€)"), [r["before"] for r in secondments]),
                (_("During (€)"), [r["during"] for r in secondments]),
            ],
        )
        s_columns = [
            Column("partner", _("Partner")),
            Column("expert", _("Expert")),
            Column("starts_on", _("Starts on")),
            Column("ends_on", _("Ends on")),
            Column("before", _("Won before, same length (€)"), "money"),
            Column("during", _("Won during (€)"), "money"),
            Column("change", _("Change (€)"), "money"),
            Column("change_ratio", _("Change"), "share"),
        ]
        for row in secondments:
            if not row.get("baseline", row.get("change_ratio") is not None):
                # Nothing to compare yet (started today, or nothing won in the days before): no percentage.
                row["change_ratio"] = None
                row["change_note"] = _("no baseline yet")
            else:
                row["change_note"] = ""
        s_columns.append(Column("change_note", _("Note")))
        r_chart = bar_chart(
            "chart-roadshows",
            [r["roadshow"] for r in roadshows],
            [
                (_("Open pipeline (€)"), [r["pipeline"] for r in roadshows]),
                (_("Won (€)"), [r["won"] for r in roadshows]),
            ],
        )
        r_columns = [
            Column("roadshow", _("Roadshow")),
            Column("city", _("City")),
            Column("date", _("Date")),
            Column("pipeline", _("Open pipeline (€)"), "money"),
            Column("pipeline_count", _("Open deals"), "int"),
            Column("won", _("Won (€)"), "money"),
            Column("won_count", _("Won deals"), "int"),
        ]
        return [
            (s_chart if secondments else None, Table("secondments", _("Secondments"), s_columns, secondments)),
            (r_chart if roadshows else None, Table("roadshows", _("Roadshow-sourced business"), r_columns, roadshows)),
        ]


class SnapshotNowView(RoleRequiredMixin, View):
    """The on-demand button: compute a new snapshot as a job, then follow its progress."""

    allowed_roles = INTERNAL_ROLES

    def post(self, request):
        job = job_create(kind="insights_snapshot", user=request.user, total=STEPS)
        job_enqueue(snapshot_task, job)
        return redirect("job-detail", pk=job.pk)


class BookingImportForm(forms.Form):
    file = forms.FileField(
        label=_("Bookings file (CSV)"),
        help_text=_(
            "Columns: external_id,account_siren,partner_siren,route,product_line,amount,closed_on, and optionally "
            "registration (the opportunity's id or registration number). A booking confirms the claim it matches; "
            "the others wait in the reconciliation queue."
        ),
    )
    good_rows_only = forms.BooleanField(
        label=_("Import the good rows even if some rows are bad"), required=False, initial=False
    )


class BookingImportView(CsvImportView):
    """Upload the order system's bookings; the import runs as a job whose progress page follows."""

    form_class = BookingImportForm
    template_name = "insights/booking_import.html"
    kind, columns, task = "import_bookings", BOOKING_COLUMNS, import_bookings_task
    optional_columns = OPTIONAL_COLUMNS


