"""``/api/v1/quotas/`` and ``/api/v1/manual-adjustments/``: the payment controls of SPEC §4.3.

Quotas: the channel team writes (``POST``, ``PUT``/``PATCH`` the amount, ``POST …/import/`` a CSV),
managers read, a partner's users read their own partner's; ``…/{id}/history/`` lists every change.
Manual adjustments: the channel team adds a line to a run that is not approved; internal users read
them (partners read the lines they become, on their statements).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from ecosystem.api.errors import as_drf_error
from ecosystem.api.fields import ScopedPrimaryKeyRelatedField
from ecosystem.api.serializers import InputSerializer
from ecosystem.api.viewsets import ScopedCreateReadViewSet, ScopedModelViewSet
from ecosystem.roles import ALL_ROLES, CHANNEL_ONLY, INTERNAL_ROLES, role_of
from jobs.api.imports import import_accepted
from jobs.api.serializers import JobSerializer
from opportunities.models import Opportunity
from partners.models import Partner

from .. import adjusting
from .. import quotas as quota_service
from ..filtersets import ManualAdjustmentFilterSet, QuotaFilterSet
from ..models import LOCKED_STATUSES, ManualAdjustment, PayoutLine, Quota, SettlementRun
from ..quota_import import QUOTA_COLUMNS
from ..tasks import import_quotas_task
from .serializers import MoneyField

# --- Quotas --------------------------------------------------------------------------------------


class QuotaSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    partner_siren = serializers.CharField(source="partner.siren", read_only=True)
    amount = MoneyField(read_only=True)
    locked = serializers.BooleanField(
        read_only=True, default=False, help_text="The period's settlement is approved: the quota no longer changes."
    )

    class Meta:
        model = Quota
        fields = ["id", "partner", "partner_name", "partner_siren", "period", "amount", "locked"]
        read_only_fields = fields


class QuotaCreateSerializer(InputSerializer):
    partner = ScopedPrimaryKeyRelatedField(queryset=Partner.objects.all())
    period = serializers.CharField(max_length=10, help_text="A quarter (2026-Q3) or a month (2026-07).")
    amount = MoneyField(help_text="The won amount aimed at, a positive decimal string.")
    reason = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class QuotaUpdateSerializer(InputSerializer):
    """Only the amount changes (a quota of another partner or period is another quota)."""

    amount = MoneyField(help_text="The new quota, a positive decimal string.")
    reason = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class QuotaChangeSerializer(serializers.Serializer):
    date = serializers.DateTimeField()
    type = serializers.ChoiceField(choices=[("+", "entered"), ("~", "changed"), ("-", "deleted")])
    user = serializers.CharField(allow_null=True, help_text="Internal readers only.")
    old = MoneyField(allow_null=True)
    amount = MoneyField()
    reason = serializers.CharField()


class QuotaImportSerializer(InputSerializer):
    file = serializers.FileField(help_text="CSV: partner_siren,period,amount.")
    good_rows_only = serializers.BooleanField(default=False)


def _locked_runs():
    return SettlementRun.objects.filter(period=OuterRef("period"), status__in=LOCKED_STATUSES)


class QuotaViewSet(ScopedModelViewSet):
    """Quotas per partner and period. A quota of a period whose settlement is approved never changes
    (400 naming the run): its payouts were computed against it."""

    queryset = Quota.objects.select_related("partner").annotate(locked=Exists(_locked_runs()))
    serializer_class = QuotaSerializer
    filterset_class = QuotaFilterSet
    ordering_fields = ["period", "amount"]
    ordering = ["-period", "partner__name", "id"]
    read_roles = ALL_ROLES
    write_roles = CHANNEL_ONLY
    action_roles = {"history": ALL_ROLES, "import_file": CHANNEL_ONLY}

    def get_queryset(self):
        return super().get_queryset().order_by(*self.ordering)

    def get_serializer_class(self):
        return {
            "create": QuotaCreateSerializer,
            "update": QuotaUpdateSerializer,
            "partial_update": QuotaUpdateSerializer,
            "import_file": QuotaImportSerializer,
            "history": QuotaChangeSerializer,
        }.get(self.action, QuotaSerializer)

    def _answer(self, quota, code=status.HTTP_200_OK):
        quota = self.get_queryset().get(pk=quota.pk)
        return Response(QuotaSerializer(quota, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=QuotaCreateSerializer, responses={201: QuotaSerializer})
    def create(self, request, *args, **kwargs):
        body = QuotaCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        try:
            quota = quota_service.quota_create(user=request.user, **body.validated_data)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return self._answer(quota, status.HTTP_201_CREATED)

    @extend_schema(request=QuotaUpdateSerializer, responses=QuotaSerializer)
    def update(self, request, *args, **kwargs):
        quota = self.get_object()
        body = QuotaUpdateSerializer(data=request.data, partial=kwargs.get("partial", False))
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            quota = quota_service.quota_update(
                quota=quota, amount=data.get("amount", quota.amount), user=request.user, reason=data.get("reason", "")
            )
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return self._answer(quota)

    @extend_schema(request=QuotaUpdateSerializer, responses=QuotaSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(responses=QuotaChangeSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request, pk=None):
        """Every recorded value of the quota, newest first: when, who (internal readers), old → new, why."""
        entries = quota_service.quota_history(self.get_object(), show_users=role_of(request.user) in INTERNAL_ROLES)
        return Response(QuotaChangeSerializer(entries, many=True).data)

    @extend_schema(request={"multipart/form-data": QuotaImportSerializer}, responses={202: JobSerializer})
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request):
        """Upload quotas as CSV (``partner_siren,period,amount``). The file is checked at once; its rows are
        checked and written by a job: nothing of a file with a bad row unless ``good_rows_only``."""
        return import_accepted(
            request, QuotaImportSerializer, kind="import_quotas", columns=QUOTA_COLUMNS, task=import_quotas_task
        )


# --- Manual adjustments --------------------------------------------------------------------------


class ManualAdjustmentSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="run.period", read_only=True, default=None, allow_null=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    amount = MoneyField(read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = ManualAdjustment
        fields = [
            "id", "run", "period", "partner", "partner_name", "opportunity", "line", "amount", "reason", "dispute",
            "created_by", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class ManualAdjustmentCreateSerializer(InputSerializer):
    run = ScopedPrimaryKeyRelatedField(queryset=SettlementRun.objects.all(), help_text="A run not approved yet.")
    line = ScopedPrimaryKeyRelatedField(
        queryset=PayoutLine.objects.all(),
        required=False,
        allow_null=True,
        help_text="The approved line it corrects; its partner bears the adjustment.",
    )
    opportunity = ScopedPrimaryKeyRelatedField(
        queryset=Opportunity.objects.filter(partner__isnull=False),
        required=False,
        allow_null=True,
        help_text="Without a line: the partner deal it is about (the deal's partner gets it).",
    )
    amount = MoneyField(help_text="Non-zero; negative to deduct.")
    reason = serializers.CharField(max_length=2000, help_text="Shown to the partner on its statement.")

    def validate_line(self, line):
        if line is not None and not adjusting.adjustable_lines().filter(pk=line.pk).exists():
            raise serializers.ValidationError("Only a line of an approved settlement can be named; name the deal.")
        return line


class ManualAdjustmentViewSet(ScopedCreateReadViewSet):
    """Manual adjustments: ``POST`` adds a line to a run that is not approved (audited, explained, in the
    totals; recomputing the run keeps it). Accepted disputes' adjustments are listed too."""

    queryset = ManualAdjustment.objects.select_related("run", "partner", "created_by").order_by("-id")
    serializer_class = ManualAdjustmentSerializer
    filterset_class = ManualAdjustmentFilterSet
    read_roles = INTERNAL_ROLES
    write_roles = CHANNEL_ONLY

    @extend_schema(request=ManualAdjustmentCreateSerializer, responses={201: ManualAdjustmentSerializer})
    def create(self, request, *args, **kwargs):
        body = ManualAdjustmentCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            adjustment = adjusting.adjustment_create(
                run=data["run"], user=request.user, amount=data["amount"], reason=data["reason"],
                line=data.get("line"), opportunity=data.get("opportunity"),
            )  # fmt: skip
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        adjustment = self.get_queryset().get(pk=adjustment.pk)
        return Response(self.get_serializer(adjustment).data, status=status.HTTP_201_CREATED)
