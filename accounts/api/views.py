from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from ecosystem.api.errors import as_drf_error
from ecosystem.api.picker import PICK_PARAMETERS, PickResultsSerializer
from ecosystem.api.viewsets import ScopedCreateReadViewSet, ScopedModelViewSet
from ecosystem.picker import pick_limit, pick_results
from ecosystem.roles import ALL_ROLES, CHANNEL_ONLY, partner_id_of
from ecosystem.scoping import NAMEABLE_BY_PARTNERS
from ecosystem.web import csv_response
from ecosystem.xlsx import CONTENT_TYPE as XLSX_CONTENT_TYPE
from ecosystem.xlsx import xlsx_download
from jobs.api.imports import import_accepted
from jobs.api.serializers import JobSerializer

from .. import services
from ..assigning import ASSIGNMENT_COLUMNS, AssignmentRow, apply_assignments
from ..exporting import accounts_csv, accounts_xlsx, assignments_csv, assignments_xlsx
from ..filtersets import COVERAGE_FILTERS, AccountFilterSet, AssignmentFilterSet
from ..importing import ACCOUNT_COLUMNS
from ..models import Account, Assignment
from ..picking import account_label
from ..tasks import import_accounts_task, import_assignments_task
from .serializers import (
    AccountImportSerializer,
    AccountSerializer,
    AssignmentBulkSerializer,
    AssignmentEndSerializer,
    AssignmentImportSerializer,
    AssignmentSerializer,
)

#: The coverage filters' meaning for each kind of caller, in the schema (the list's and the export's).
COVERAGE_PARAMETERS = [
    OpenApiParameter("assigned", OpenApiTypes.BOOL, description=COVERAGE_FILTERS["assigned"]),
    OpenApiParameter("partner", OpenApiTypes.STR, description=COVERAGE_FILTERS["partner"]),
    OpenApiParameter("stale", OpenApiTypes.BOOL, description=COVERAGE_FILTERS["stale"]),
]


@extend_schema_view(list=extend_schema(parameters=COVERAGE_PARAMETERS))
class AccountViewSet(ScopedModelViewSet):
    """``?search=`` (name, SIREN, city; accent- and case-insensitive) is a filter of AccountFilterSet."""

    queryset = Account.objects.all()
    serializer_class = AccountSerializer
    filterset_class = AccountFilterSet
    ordering_fields = ["name", "employees", "region", "sector"]
    action_roles = {"import_file": CHANNEL_ONLY, "export": ALL_ROLES, "export_xlsx": ALL_ROLES, "pick": ALL_ROLES}

    @extend_schema(
        parameters=[
            *PICK_PARAMETERS,
            OpenApiParameter(
                "nameable",
                OpenApiTypes.BOOL,
                description="Any account, as a partner user may name on a registration (id, name, SIREN and city "
                "only); otherwise the accounts the caller sees.",
            ),
        ],
        responses=PickResultsSerializer,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def pick(self, request):
        """Suggestions for the account picker: accounts whose name, SIREN or city holds every word of ``q``,
        names starting with it first (for a partner user, its own accounts first)."""
        params = request.query_params
        nameable = params.get("nameable", "").lower() in ("1", "true") and "accounts.Account" in NAMEABLE_BY_PARTNERS
        queryset = Account.objects.all() if nameable else self.get_queryset()
        prefer = None
        if (partner_id := partner_id_of(request.user)) is not None:
            # Its own accounts first: this tells the caller about its own assignments only.
            prefer = Exists(Assignment.objects.open().filter(account=OuterRef("pk"), partner_id=partner_id))
        yours = _("one of your accounts")
        results = pick_results(
            queryset.only("id", "name", "siren", "city"),
            params.get("q"),
            folded=("name", "city"),
            label=account_label,
            detail=lambda row: yours if getattr(row, "_preferred", False) else "",
            prefer=prefer,
            limit=pick_limit(params.get("limit")),
        )
        return Response({"results": results})

    def scope(self, queryset):
        queryset = super().scope(queryset)
        partner_id = partner_id_of(self.request.user)
        # A partner user reads its own role on each account (``partner_role``), nobody else's.
        return queryset.with_partner_role(partner_id) if partner_id is not None else queryset

    @extend_schema(
        parameters=COVERAGE_PARAMETERS,
        responses={(200, "text/csv"): str},
        description="The accounts the caller may see, filtered like the list, as CSV (formula-safe): "
        "siren,name,sector,region,city,employees,is_select,vendor_awareness, then primary_partner_siren,"
        "primary_partner for internal users, partner_role (their own role on the account) for partner users.",
    )
    @action(detail=False, methods=["get"])
    def export(self, request):
        """The accounts the caller may see, filtered like the list, as CSV (formula-safe)."""
        accounts = self.filter_queryset(self.get_queryset())
        return csv_response(accounts_csv(accounts, partner_id=partner_id_of(request.user)), "accounts", request=request)

    @extend_schema(
        parameters=COVERAGE_PARAMETERS,
        responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY},
        description="The rows of the CSV export as a spreadsheet for people: headers and coded values as labels "
        "in the caller's language, typed cells, a frozen header.",
    )
    @action(detail=False, methods=["get"], url_path="export-xlsx")
    def export_xlsx(self, request):
        """The accounts of the CSV export (same filters, same scope) as a spreadsheet."""
        accounts = self.filter_queryset(self.get_queryset())
        return xlsx_download(
            accounts_xlsx(accounts, partner_id=partner_id_of(request.user)), "accounts", request=request
        )

    @extend_schema(request={"multipart/form-data": AccountImportSerializer}, responses={202: JobSerializer})
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request):
        """Upload the account CSV (SPEC §6). The file is checked at once; its rows are imported by a job."""
        return import_accepted(
            request, AccountImportSerializer, kind="import_accounts", columns=ACCOUNT_COLUMNS, task=import_accounts_task
        )


class AssignmentViewSet(ScopedCreateReadViewSet):
    queryset = Assignment.objects.select_related("account", "partner", "assigned_by")
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilterSet
    ordering_fields = ["valid_from", "valid_to"]
    action_roles = {
        "end": CHANNEL_ONLY,
        "bulk": CHANNEL_ONLY,
        "import_file": CHANNEL_ONLY,
        "export": ALL_ROLES,
        "export_xlsx": ALL_ROLES,
    }

    @extend_schema(responses={(200, "text/csv"): str})
    @action(detail=False, methods=["get"])
    def export(self, request):
        """The assignments the caller may see (open and ended), filtered like the list, as CSV."""
        return csv_response(assignments_csv(self.filter_queryset(self.get_queryset())), "assignments", request=request)

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"], url_path="export-xlsx")
    def export_xlsx(self, request):
        """The assignments of the CSV export (same filters, same scope) as a spreadsheet for people."""
        assignments = self.filter_queryset(self.get_queryset())
        return xlsx_download(assignments_xlsx(assignments), "assignments", request=request)

    def perform_create(self, serializer):
        try:
            serializer.instance = services.assignment_create(
                account=serializer.validated_data["account"],
                partner=serializer.validated_data["partner"],
                role=serializer.validated_data.get("role", "primary"),
                valid_from=serializer.validated_data.get("valid_from"),
                assigned_by=self.request.user,
                reason=serializer.validated_data.get("reason", ""),
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from error

    @extend_schema(request=AssignmentEndSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End an open assignment (it stays in the history)."""
        assignment = self.get_object()
        body = AssignmentEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.assignment_end(assignment=assignment, **body.validated_data)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        assignment.refresh_from_db()
        return Response(AssignmentSerializer(assignment, context=self.get_serializer_context()).data)

    @extend_schema(request=AssignmentBulkSerializer, responses={200: dict})
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Assign many accounts to one partner at once; a new primary ends the current one."""
        body = AssignmentBulkSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        valid_from = data.get("valid_from") or timezone.localdate()
        rows = [
            AssignmentRow(account.pk, data["partner"].pk, data["role"], valid_from, line=index)
            for index, account in enumerate(data["accounts"], 1)
        ]
        result = apply_assignments(rows, user=request.user, reason=data["reason"])
        if not result.written:
            raise ValidationError({"accounts": [f"item {e.line}: {e.message}" for e in result.errors]})
        return Response(result.as_dict())

    @extend_schema(request={"multipart/form-data": AssignmentImportSerializer}, responses={202: JobSerializer})
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request):
        """Upload an assignments CSV (SPEC §6); its rows are applied by a job."""
        return import_accepted(
            request,
            AssignmentImportSerializer,
            kind="import_assignments",
            columns=ASSIGNMENT_COLUMNS,
            task=import_assignments_task,
        )
