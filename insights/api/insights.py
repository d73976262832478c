"""``/api/v1/insights/…``: the managers' figures as JSON, amounts and shares as decimal strings."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from ecosystem.api.permissions import RolePermission
from ecosystem.roles import CHANNEL_ONLY, INTERNAL_ROLES
from jobs.api.imports import import_accepted
from jobs.api.serializers import JobSerializer
from jobs.services import job_create, job_enqueue

from .. import figures, share
from ..bookings import BOOKING_COLUMNS, OPTIONAL_COLUMNS
from ..models import Target
from ..params import ParamError, parse_query
from ..snapshots import STEPS, jsonable
from ..tasks import import_bookings_task, snapshot_task
from .serializers import BookingImportSerializer

RANGE_PARAMETERS = [
    OpenApiParameter("from", str, description="First quarter, e.g. 2025-Q1"),
    OpenApiParameter("to", str, description="Last quarter, e.g. 2026-Q4"),
    OpenApiParameter("region", str),
    OpenApiParameter("sector", str),
    OpenApiParameter("tier", str),
    OpenApiParameter("product_line", str),
    OpenApiParameter("live", bool, description="Bypass the snapshot and query the live tables"),
]


class InsightsView(APIView):
    permission_classes = [RolePermission]
    read_roles = INTERNAL_ROLES

    def query(self, request, **kwargs):
        try:
            return parse_query(request.query_params, timezone.localdate(), **kwargs)
        except ParamError as error:
            raise ValidationError(error.errors) from error


class EcosystemShareView(InsightsView):
    @extend_schema(
        parameters=[*RANGE_PARAMETERS, OpenApiParameter("group_by", str, enum=list(share.GROUP_BYS))],
        responses={200: dict},
    )
    def get(self, request):
        """Won business, partner sourced, partner influenced and the share, by quarter or a breakdown."""
        query = self.query(request)
        result = figures.ecosystem_share(query)
        return Response(
            jsonable(
                {
                    "from": query.first.label,
                    "to": query.last.label,
                    "group_by": query.group_by,
                    "filters": query.filters,
                    **result,
                }
            )
        )


class TargetProgressView(InsightsView):
    @extend_schema(
        parameters=[OpenApiParameter("target", int, description="One target's id (all targets otherwise)")],
        responses={200: dict},
    )
    def get(self, request):
        """Each target: the quarterly series from its baseline, the trend to its deadline, the verdict."""
        live = (request.query_params.get("live") or "").lower() in ("1", "true", "yes")
        today = timezone.localdate()
        raw = request.query_params.get("target")
        if raw:
            if not raw.isdigit():
                raise ValidationError({"target": [f"'{raw}' is not a target id."]})
            targets = [get_object_or_404(Target, pk=int(raw))]
        else:
            targets = list(Target.objects.all())
        return Response({"results": [figures.target_progress(t, today, live) for t in targets]})


class CoverageView(InsightsView):
    @extend_schema(parameters=RANGE_PARAMETERS, responses={200: dict})
    def get(self, request):
        """Select accounts: assigned, with an open opportunity, with a won deal in the range."""
        query = self.query(request)
        result = figures.coverage(query)
        return Response(jsonable({"from": query.first.label, "to": query.last.label, **result}))


class CommissionCostView(InsightsView):
    @extend_schema(parameters=RANGE_PARAMETERS, responses={200: dict})
    def get(self, request):
        """Per quarter: commission of approved or paid settlements against partner revenue; a quarter whose
        commission is (partly) in a computed run not approved yet counts it and says ``preliminary``."""
        query = self.query(request)
        result = figures.commission_cost(query)
        return Response(jsonable({"from": query.first.label, "to": query.last.label, **result}))


class LeversView(InsightsView):
    @extend_schema(parameters=RANGE_PARAMETERS, responses={200: dict})
    def get(self, request):
        """Secondments (revenue during the days over vs the same length before; ``change_ratio`` null and
        ``baseline`` false while there is nothing to compare) and roadshow-sourced pipeline and wins."""
        query = self.query(request)
        result = figures.levers(query)
        return Response(jsonable({"from": query.first.label, "to": query.last.label, **result}))


class SnapshotView(InsightsView):
    write_roles = INTERNAL_ROLES

    @extend_schema(request=None, responses={202: JobSerializer})
    def post(self, request):
        """Compute a new snapshot now (a background job); the dashboards switch to it when it is done."""
        job = job_create(kind="insights_snapshot", user=request.user, total=STEPS)
        job_enqueue(snapshot_task, job)
        job.refresh_from_db()
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class BookingImportView(APIView):
    permission_classes = [RolePermission]
    write_roles = CHANNEL_ONLY
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": BookingImportSerializer}, responses={202: JobSerializer})
    def post(self, request):
        """Upload the bookings CSV (SPEC §6). The file is checked at once; its rows are imported by a job."""
        return import_accepted(
            request,
            BookingImportSerializer,
            kind="import_bookings",
            columns=BOOKING_COLUMNS,
            task=import_bookings_task,
            optional_columns=OPTIONAL_COLUMNS,
        )
