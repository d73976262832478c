"""``/api/v1/coverage/``: covered, uncovered and stale select accounts by region or sector.

Read from the dashboards' snapshot when there is one (``source``, ``computed_at`` say so);
``?live=1`` counts them now.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.coverage import GROUPS, STALE_DAYS, coverage_totals
from ecosystem.api.permissions import RolePermission
from ecosystem.roles import INTERNAL_ROLES

from ..coverage import coverage_tables


class CoverageView(APIView):
    permission_classes = [RolePermission]
    read_roles = INTERNAL_ROLES

    @extend_schema(
        parameters=[
            OpenApiParameter("group_by", str, enum=list(GROUPS), default="region"),
            OpenApiParameter("live", bool, description="Count now instead of reading the dashboards' snapshot"),
        ],
        responses={200: dict},
    )
    def get(self, request):
        group_by = request.query_params.get("group_by", "region")
        if group_by not in GROUPS:
            raise ValidationError({"group_by": [f"'{group_by}' is not one of: {', '.join(GROUPS)}"]})
        live = (request.query_params.get("live") or "").lower() in ("1", "true", "yes")
        tables, source = coverage_tables(request.user, (group_by,), live)
        rows = tables[group_by]
        return Response(
            {"group_by": group_by, "stale_days": STALE_DAYS, "totals": coverage_totals(rows), "rows": rows, **source}
        )
