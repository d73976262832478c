"""API shapes of programs, rules, settlements, statements, disputes, exceptions and estimates.

Money travels as decimal strings with two decimals (``"1234.50"``); rates as plain decimal
strings (``"0.08"``). Validation of programs and rules is the services' (commissions/rules.py),
so the pages and the API refuse exactly the same things.
"""

from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Account
from ecosystem.api.errors import as_drf_error
from ecosystem.api.fields import ScopedPrimaryKeyRelatedField
from ecosystem.api.serializers import ChoiceListSerializerField, InputModelSerializer, InputSerializer
from ecosystem.choices import ProductLine, Region, Sector
from partners.models import Partner, PartnerKind, PartnerTier

from .. import rules as rule_service
from ..carried import to_be_paid
from ..models import (
    Dispute,
    DisputeMessage,
    DisputeOutcome,
    PayoutLine,
    Program,
    Rule,
    SettlementException,
    SettlementRun,
    Statement,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class PlainDecimalField(serializers.DecimalField):
    """A decimal shown without trailing zeros (``"0.08"``, not ``"0.080000"``)."""

    def to_representation(self, value):
        if value is None:
            return None
        return f"{Decimal(value).normalize():f}"


class MoneyField(serializers.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)


@extend_schema_field(
    {"type": "array", "items": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2}}
)
class BandsField(serializers.Field):
    """``[["0", "0.05"], ["100000", "0.08"]]``: from amount and rate, in increasing order."""

    def to_internal_value(self, data):
        bands, problems = rule_service.parse_bands(data)
        if problems:
            raise serializers.ValidationError(problems)
        return bands

    def to_representation(self, value):
        return [[str(start), str(rate)] for start, rate in (value or [])]


# --- Programs and rules -------------------------------------------------------------------------


class ProgramSerializer(InputModelSerializer):
    rule_count = serializers.IntegerField(read_only=True, default=None, allow_null=True)

    class Meta:
        model = Program
        fields = ["id", "name", "valid_from", "valid_to", "currency", "status", "description", "rule_count"]
        read_only_fields = ["currency"]

    def validate(self, attrs):
        values = (
            {field: getattr(self.instance, field) for field in rule_service.PROGRAM_FIELDS} if self.instance else {}
        )
        values.update(attrs)
        errors = rule_service.program_errors(values, self.instance)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def create(self, validated_data):
        return self._call(rule_service.program_create, **validated_data)

    def update(self, instance, validated_data):
        return self._call(rule_service.program_update, program=instance, **validated_data)

    def _call(self, service, **kwargs):
        try:
            return service(user=self.context["request"].user, **kwargs)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error


class RuleSerializer(InputModelSerializer):
    program = ScopedPrimaryKeyRelatedField(queryset=Program.objects.all())
    program_name = serializers.CharField(source="program.name", read_only=True)
    partner_tiers = ChoiceListSerializerField(choices=PartnerTier.choices, required=False)
    partner_kinds = ChoiceListSerializerField(choices=PartnerKind.choices, required=False)
    product_lines = ChoiceListSerializerField(choices=ProductLine.choices, required=False)
    sectors = ChoiceListSerializerField(choices=Sector.choices, required=False)
    regions = ChoiceListSerializerField(choices=Region.choices, required=False)
    rate = PlainDecimalField(max_digits=7, decimal_places=6, required=False, allow_null=True)
    flat_amount = MoneyField(required=False, allow_null=True)
    bands = BandsField(required=False)
    min_amount = MoneyField(required=False, allow_null=True)
    max_amount = MoneyField(required=False, allow_null=True)
    cap_per_deal = MoneyField(required=False, allow_null=True)
    cap_per_period = MoneyField(required=False, allow_null=True)
    accelerator_threshold = PlainDecimalField(max_digits=6, decimal_places=4, required=False, allow_null=True)
    accelerator_multiplier = PlainDecimalField(max_digits=6, decimal_places=4, required=False, allow_null=True)
    is_locked = serializers.SerializerMethodField(help_text="Paid an approved settlement: revise, do not edit.")
    replaced_by = serializers.IntegerField(source="next_version", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Rule
        fields = [
            "id", "program", "program_name", "name", "priority", "stacking",
            "partner_tiers", "partner_kinds", "product_lines", "sectors", "regions", "select_only",
            "min_amount", "max_amount", "registration_required",
            "calculation", "rate", "flat_amount", "bands", "tier_mode",
            "cap_per_deal", "cap_per_period", "accelerator_threshold", "accelerator_multiplier",
            "valid_from", "valid_to", "replaces", "replaced_by", "is_locked",
        ]  # fmt: skip
        read_only_fields = ["replaces"]
        extra_kwargs = {"calculation": {"required": True}}

    def get_is_locked(self, rule) -> bool:
        locked = getattr(rule, "is_locked", None)
        return rule_service.rule_is_locked(rule) if locked is None else bool(locked)

    def validate(self, attrs):
        values = rule_service.rule_values(self.instance or Rule())
        values.update({field: value for field, value in attrs.items() if field in rule_service.RULE_FIELDS})
        program = attrs.get("program") or getattr(self.instance, "program", None)
        errors = rule_service.rule_errors(values, program)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def create(self, validated_data):
        return self._call(rule_service.rule_create, **validated_data)

    def update(self, instance, validated_data):
        return self._call(rule_service.rule_update, rule=instance, **validated_data)

    def _call(self, service, **kwargs):
        try:
            return service(user=self.context["request"].user, **kwargs)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error


class RuleReviseSerializer(RuleSerializer):
    """The date the new version starts and what changes in it (any rule field but the program)."""

    program = serializers.PrimaryKeyRelatedField(read_only=True)
    valid_from = serializers.DateField(help_text="The first day of the new version; the old one ends the day before.")

    def get_fields(self):
        # Every field but the start date is optional: what is not given is inherited (the schema says so too).
        fields = super().get_fields()
        for name, field in fields.items():
            if name != "valid_from" and not field.read_only:
                field.required = False
        return fields

    def validate(self, attrs):
        # The new version's values are checked by the service, which knows what it inherits.
        if "valid_from" not in attrs:
            raise serializers.ValidationError({"valid_from": ["Give the date the new version starts."]})
        return attrs


class ChangedFieldSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField()
    new = serializers.JSONField()


class RecordedChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateTimeField()
    type = serializers.CharField()
    user = serializers.CharField(allow_null=True)
    reason = serializers.CharField()
    changes = ChangedFieldSerializer(many=True)


# --- Settlements ----------------------------------------------------------------------------------


class SettlementRunSerializer(serializers.ModelSerializer):
    total = MoneyField(read_only=True)
    job_state = serializers.CharField(source="job.state", read_only=True, default=None, allow_null=True)
    progress = serializers.IntegerField(source="job.percent", read_only=True, default=None, allow_null=True)
    run_by = serializers.CharField(source="run_by.username", read_only=True, default=None, allow_null=True)
    approved_by = serializers.CharField(source="approved_by.username", read_only=True, default=None, allow_null=True)
    statements_payable = serializers.IntegerField(
        read_only=True, help_text="Statements with a positive total: those a payment settles."
    )
    statements_paid = serializers.IntegerField(
        read_only=True, help_text="Of those, the statements paid (the run is paid when all are)."
    )

    class Meta:
        model = SettlementRun
        fields = [
            "id", "period", "period_start", "period_end", "status", "preliminary", "figures_through", "job",
            "job_state", "progress", "total", "line_count", "exception_count", "failure_reason", "run_by",
            "created_at", "computed_at", "approved_by", "approved_at", "paid_at", "paid_on", "payment_reference",
            "statements_payable", "statements_paid",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = {
            "preliminary": {"help_text": "Computed before the period ended: it cannot be approved until recomputed "
                            "after its last day."},
            "figures_through": {"help_text": "The last day the figures cover (the day it was computed, if earlier "
                                "than the period's end)."},
        }  # fmt: skip


class SettlementRequestSerializer(InputSerializer):
    period = serializers.CharField(max_length=10, help_text="A quarter (2026-Q3) or a month (2026-07).")

    def validate_period(self, value):
        from ecosystem.periods import parse_period

        try:
            return parse_period(value).label
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from error


class StatementReferenceSerializer(InputSerializer):
    partner_siren = serializers.CharField(max_length=9, help_text="The SIREN of a partner paid in this run.")
    reference = serializers.CharField(max_length=100, help_text="The reference of that partner's transfer.")


class MarkPaidSerializer(InputSerializer):
    paid_on = serializers.DateField(help_text="The day the payment was executed (not in the future).")
    payment_reference = serializers.CharField(
        max_length=100, help_text="The batch's reference: every statement paid gets it unless given its own."
    )
    references = StatementReferenceSerializer(
        many=True, required=False, help_text="Statements paid with their own reference, by partner SIREN."
    )

    def validate_references(self, value):
        sirens = [item["partner_siren"] for item in value]
        if len(set(sirens)) != len(sirens):
            raise serializers.ValidationError("A partner SIREN is given twice.")
        return value


class LeftOutSerializer(serializers.Serializer):
    partner_name = serializers.CharField()
    partner_siren = serializers.CharField()
    reason = serializers.CharField(help_text="Why it was not marked paid, in words.")


class MarkPaidOutcomeSerializer(SettlementRunSerializer):
    """The run after a manual "mark paid", how many statements it paid and those it left out (the shape
    of the answer; the view puts the run's representation and the outcome side by side)."""

    statements_paid = serializers.IntegerField(read_only=True)
    left_out = LeftOutSerializer(many=True, read_only=True)

    class Meta(SettlementRunSerializer.Meta):
        fields = [*SettlementRunSerializer.Meta.fields, "statements_paid", "left_out"]
        read_only_fields = fields


class ApproveSerializer(InputSerializer):
    confirmed_total = MoneyField(help_text="The run's total as the reviewer saw it in the review.")
    review_token = serializers.CharField(
        max_length=64, help_text="The token of the review read (GET …/review/): a run changed since is refused."
    )
    acknowledge_exceptions = serializers.BooleanField(
        default=False, help_text="Required (true) when the run has exceptions: won deals that no rule pays."
    )


class FigureSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    total = MoneyField()


class PartnerChangeSerializer(serializers.Serializer):
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.CharField(source="name")
    partner_siren = serializers.CharField(source="siren")
    total = MoneyField()
    previous = MoneyField()
    change = MoneyField()


class ReviewExceptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.CharField(source="partner.name")
    opportunity = serializers.IntegerField(source="opportunity_id")
    amount = MoneyField(source="opportunity.amount")
    reason = serializers.CharField()


class ReviewDisputeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    partner = serializers.IntegerField(source="line.partner_id")
    partner_name = serializers.CharField(source="line.partner.name")
    period = serializers.CharField(source="line.run.period")
    line = serializers.IntegerField(source="line_id")
    payout = MoneyField(source="line.payout")
    status = serializers.CharField()


class ReviewAdjustmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.CharField(source="partner.name")
    opportunity = serializers.IntegerField(source="opportunity_id")
    line = serializers.IntegerField(source="line_id", allow_null=True)
    amount = MoneyField()
    reason = serializers.CharField()
    dispute = serializers.IntegerField(source="dispute_id", allow_null=True)
    created_by = serializers.CharField(source="created_by.username")


class SettlementReviewSerializer(serializers.Serializer):
    """What a manager reviews before approving (SPEC §4.3)."""

    run = serializers.IntegerField(source="run.pk")
    period = serializers.CharField(source="run.period")
    status = serializers.CharField(source="run.status")
    review_token = serializers.CharField(source="token")
    total = MoneyField()
    previous_period = serializers.CharField(source="previous.period", default=None, allow_null=True)
    previous_status = serializers.CharField(source="previous.status", default=None, allow_null=True)
    previous_total = MoneyField(allow_null=True)
    change = MoneyField(allow_null=True)
    change_ratio = PlainDecimalField(max_digits=20, decimal_places=6, allow_null=True)
    partners = serializers.IntegerField()
    previous_partners = serializers.IntegerField(allow_null=True)
    line_count = serializers.IntegerField(source="run.line_count")
    commission = FigureSerializer()
    adjustments = FigureSerializer(help_text="Positive adjustments of approved periods.")
    clawbacks = FigureSerializer(help_text="Negative adjustments of approved periods.")
    manual = FigureSerializer(help_text="Manual adjustments (by hand, accepted disputes).")
    biggest_changes = PartnerChangeSerializer(many=True)
    exception_count = serializers.IntegerField()
    exceptions = ReviewExceptionSerializer(many=True, help_text="The first few.")
    open_dispute_count = serializers.IntegerField()
    open_disputes = ReviewDisputeSerializer(many=True, help_text="The first few.")
    manual_adjustments = ReviewAdjustmentSerializer(many=True, help_text="The first few, with who added them.")
    quotas_changed = serializers.IntegerField(help_text="Quotas of the period changed after the computation.")
    waiting_adjustments = serializers.IntegerField(
        help_text="Accepted disputes' adjustments that a recomputation would add to this run."
    )
    needs_acknowledgement = serializers.BooleanField()


# --- Statements -----------------------------------------------------------------------------------


SHOWN_DEAL = {"read_only": True, "default": None, "allow_null": True}


class PayoutLineSerializer(serializers.ModelSerializer):
    # What the deal is now; null once it is another partner's (PayoutLine.shown_deal).
    account = serializers.CharField(source="shown_deal.account.name", **SHOWN_DEAL)
    product_line = serializers.CharField(source="shown_deal.product_line", **SHOWN_DEAL)
    closed_on = serializers.DateField(source="shown_deal.closed_on", **SHOWN_DEAL)
    rule_name = serializers.CharField(source="rule.name", read_only=True, default=None, allow_null=True)
    base_amount = MoneyField(read_only=True)
    payout = MoneyField(read_only=True)
    rate = PlainDecimalField(max_digits=7, decimal_places=6, read_only=True)
    accelerator = PlainDecimalField(max_digits=6, decimal_places=4, read_only=True)
    explanation = serializers.CharField(read_only=True, help_text="The line's arithmetic in the request's language.")
    explanation_parts = serializers.JSONField(
        source="parts",
        read_only=True,
        help_text="The same arithmetic as parts: a kind and the figures (amounts and rates as text).",
    )
    open_dispute = serializers.SerializerMethodField()

    class Meta:
        model = PayoutLine
        fields = [
            "id", "kind", "opportunity", "account", "product_line", "closed_on", "deal_period", "rule", "rule_name",
            "base_amount", "rate", "accelerator", "capped", "payout", "explanation", "explanation_parts", "corrects",
            "open_dispute",
        ]  # fmt: skip
        read_only_fields = fields

    def get_open_dispute(self, line) -> int | None:
        disputes = getattr(line, "open_disputes", None)
        return disputes[0].pk if disputes else None


class StatementSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="run.period", read_only=True)
    run_status = serializers.CharField(source="run.status", read_only=True)
    preliminary = serializers.BooleanField(source="run.preliminary", read_only=True)
    figures_through = serializers.DateField(source="run.figures_through", read_only=True, allow_null=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    partner_siren = serializers.CharField(source="partner.siren", read_only=True)
    total = MoneyField(read_only=True)
    carried = MoneyField(
        read_only=True,
        help_text="Carried from earlier runs: their negative totals, taken off this payment (0 or less).",
    )
    to_be_paid = serializers.SerializerMethodField(
        help_text="What is paid: the invoice's total (VAT included) less what is carried; null before the invoice."
    )

    class Meta:
        model = Statement
        fields = [
            "id", "run", "period", "run_status", "preliminary", "figures_through", "partner", "partner_name",
            "partner_siren", "total", "carried", "to_be_paid", "line_count", "paid_on", "payment_reference",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True))
    def get_to_be_paid(self, statement) -> str | None:
        amount = to_be_paid(statement)
        return None if amount is None else f"{amount:.2f}"


class StatementDetailSerializer(StatementSerializer):
    lines = serializers.SerializerMethodField()

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "lines"]
        read_only_fields = fields

    @extend_schema_field(PayoutLineSerializer(many=True))
    def get_lines(self, statement) -> list[dict]:
        return PayoutLineSerializer(self.context["lines"], many=True).data


# --- Disputes -------------------------------------------------------------------------------------


class DisputeMessageSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)
    side = serializers.SerializerMethodField()

    class Meta:
        model = DisputeMessage
        fields = ["id", "author", "side", "body", "created_at"]
        read_only_fields = fields

    def get_side(self, message) -> str:
        return "partner" if message.author.partner_id else "vendor"


class DisputeSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="line.run.period", read_only=True)
    partner = serializers.IntegerField(source="line.partner_id", read_only=True)
    partner_name = serializers.CharField(source="line.partner.name", read_only=True)
    opportunity = serializers.IntegerField(source="line.opportunity_id", read_only=True)
    account = serializers.CharField(source="line.shown_deal.account.name", **SHOWN_DEAL)
    rule_name = serializers.CharField(source="line.rule.name", read_only=True, default=None, allow_null=True)
    payout = MoneyField(source="line.payout", read_only=True)
    explanation = serializers.CharField(source="line.explanation", read_only=True)
    opened_by = serializers.CharField(source="opened_by.username", read_only=True)
    messages = DisputeMessageSerializer(many=True, read_only=True)
    outcome_amount = MoneyField(read_only=True, allow_null=True)
    adjustment_period = serializers.SerializerMethodField(
        help_text="Accepted: the run its adjustment line is in (null while it waits for the partner's next run)."
    )

    class Meta:
        model = Dispute
        fields = [
            "id", "line", "period", "partner", "partner_name", "opportunity", "account", "rule_name", "payout",
            "explanation", "status", "opened_by", "created_at", "resolved_at", "resolution", "outcome",
            "outcome_amount", "adjustment_period", "messages",
        ]  # fmt: skip
        read_only_fields = fields

    def get_adjustment_period(self, dispute) -> str | None:
        try:
            adjustment = dispute.adjustment
        except ObjectDoesNotExist:
            return None
        return adjustment.run.period if adjustment.run_id else None


class DisputeCreateSerializer(InputSerializer):
    line = serializers.PrimaryKeyRelatedField(queryset=PayoutLine.objects.none())
    comment = serializers.CharField(max_length=5000)

    def get_fields(self):
        from ..disputes import disputable_lines

        fields = super().get_fields()
        request = self.context.get("request")
        fields["line"].queryset = disputable_lines(getattr(request, "user", None)).select_related("run")
        return fields


class DisputeMessageCreateSerializer(InputSerializer):
    body = serializers.CharField(max_length=5000)


class DisputeResolveSerializer(InputSerializer):
    outcome = serializers.ChoiceField(choices=DisputeOutcome.choices)
    amount = MoneyField(
        required=False, allow_null=True, help_text="Accepted: the amount granted, paid in the partner's next run."
    )
    resolution = serializers.CharField(max_length=5000, help_text="The answer the partner reads (the reason).")


class EarningsFigureSerializer(serializers.Serializer):
    statement = serializers.IntegerField(source="statement_id")
    period = serializers.CharField()
    status = serializers.CharField()
    total = MoneyField()
    figures_until = serializers.DateField(allow_null=True)
    paid_on = serializers.DateField(allow_null=True)
    payment_reference = serializers.CharField()
    carried = MoneyField(help_text="Taken off the payment: earlier negative totals (0 or negative).")
    to_be_paid = MoneyField(allow_null=True, help_text="The invoice's total less what is carried; null: no invoice.")


class EarningsSerializer(serializers.Serializer):
    """A partner's commissions apart: preliminary (this quarter), approved not paid, paid."""

    quarter = serializers.CharField()
    this_quarter = MoneyField(allow_null=True, help_text="Earned so far this quarter: preliminary figures.")
    this_quarter_until = serializers.DateField(allow_null=True)
    preliminary = EarningsFigureSerializer(many=True)
    approved = EarningsFigureSerializer(many=True)
    approved_total = MoneyField()
    paid = EarningsFigureSerializer(many=True, help_text="The latest payments.")
    paid_this_year = MoneyField()


# --- Exceptions -----------------------------------------------------------------------------------


class SettlementExceptionSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="run.period", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    account = serializers.CharField(source="opportunity.account.name", read_only=True)
    product_line = serializers.CharField(source="opportunity.product_line", read_only=True)
    amount = MoneyField(source="opportunity.amount", read_only=True)
    closed_on = serializers.DateField(source="opportunity.closed_on", read_only=True)
    reason = serializers.CharField(read_only=True, help_text="Why no rule pays the deal, in the request's language.")
    reason_parts = serializers.JSONField(read_only=True, help_text="The same reason as stored: a kind and its figures.")

    class Meta:
        model = SettlementException
        fields = [
            "id", "run", "period", "partner", "partner_name", "opportunity", "account", "product_line", "amount",
            "closed_on", "reason", "reason_parts",
        ]  # fmt: skip
        read_only_fields = fields


# --- Estimator ------------------------------------------------------------------------------------


class EstimateQuerySerializer(serializers.Serializer):
    # A partner may register on any account, so any account may be named; the answer says
    # nothing about the account beyond what the deal would pay.
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.all())
    product_line = serializers.ChoiceField(choices=ProductLine.choices)
    amount = MoneyField(min_value=Decimal("0"))
    expected_close = serializers.DateField(
        required=False, help_text="The day the deal is expected to close (YYYY-MM-DD); today when omitted."
    )
    partner = ScopedPrimaryKeyRelatedField(
        queryset=Partner.objects.all(), required=False, help_text="Internal users: whose commission to estimate."
    )

    def get_fields(self):
        fields = super().get_fields()
        if getattr(self.context["request"].user, "partner_id", None):
            # A partner estimates for itself: a partner id it sends is ignored, never looked up.
            del fields["partner"]
        return fields

    def validate(self, attrs):
        user = self.context["request"].user
        if getattr(user, "partner_id", None):
            attrs["partner"] = user.partner
        elif "partner" not in attrs:
            raise serializers.ValidationError({"partner": ["Give the partner whose commission to estimate."]})
        return attrs


class EstimateLineSerializer(serializers.Serializer):
    rule = serializers.IntegerField(source="rule_id")
    rule_name = serializers.CharField()
    program = serializers.CharField()
    stacking = serializers.CharField()
    payout = MoneyField()
    rate = PlainDecimalField(max_digits=7, decimal_places=6, allow_null=True)
    accelerator = PlainDecimalField(max_digits=6, decimal_places=4, allow_null=True)
    capped = serializers.CharField()
    explanation = serializers.CharField()


class EstimateSerializer(serializers.Serializer):
    partner = serializers.IntegerField(source="partner_id")
    account = serializers.IntegerField(source="account_id")
    product_line = serializers.CharField()
    amount = MoneyField()
    date = serializers.DateField(source="day")
    period = serializers.CharField(source="period.label")
    payout = MoneyField()
    lines = EstimateLineSerializer(many=True)
    other_deals_effect = MoneyField()
    no_rule_reason = serializers.CharField()
    notes = serializers.ListField(child=serializers.CharField())
