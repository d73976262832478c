from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Account
from ecosystem.api.fields import ScopedPrimaryKeyRelatedField
from ecosystem.api.serializers import InputModelSerializer, InputSerializer
from ecosystem.choices import ProductLine
from ecosystem.roles import is_internal
from partners.models import Partner, Roadshow

from .. import validation
from ..models import Opportunity, Route, Stage
from ..services import MAX_BULK

# What a partner user never reads: the channel team's triage marker and internal keys.
HIDDEN_FROM_PARTNERS = ("has_conflict", "idempotency_key")


class AmountField(serializers.DecimalField):
    """Euros as a decimal string; NaN, infinities and more than 14 digits or 2 decimals are refused."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", validation.MAX_DIGITS)
        kwargs.setdefault("decimal_places", validation.DECIMAL_PLACES)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if message := validation.amount_error(value):
            raise serializers.ValidationError(message)
        return value


class OpportunitySerializer(InputModelSerializer):
    # A partner may register on any account (the conflict check weighs it): the account is
    # any account, by id or by SIREN; what comes back about it is its name only.
    account = serializers.PrimaryKeyRelatedField(
        queryset=Account.objects.all(),
        required=False,
        error_messages={"does_not_exist": _("No account has the id {pk_value}.")},
    )
    account_siren = serializers.CharField(
        write_only=True, required=False, max_length=9, help_text="The account's SIREN, instead of its id."
    )
    account_name = serializers.CharField(source="account.name", read_only=True)
    partner = ScopedPrimaryKeyRelatedField(queryset=Partner.objects.all(), required=False, allow_null=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True, default=None, allow_null=True)
    product_line = serializers.ChoiceField(
        choices=ProductLine.choices, error_messages={"invalid_choice": _('"{input}" is not a product line.')}
    )
    roadshow = ScopedPrimaryKeyRelatedField(
        queryset=Roadshow.objects.all(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": _("Choose a roadshow your partner attended.")},
    )
    amount = AmountField()
    expected_close = serializers.DateField(required=False, allow_null=True)
    closed_on = serializers.DateField(required=False, allow_null=True)
    route = serializers.ChoiceField(choices=Route.choices, required=False)
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    registration_number = serializers.CharField(
        read_only=True, help_text="What the order system's booking names in its registration column (SPEC §4.2)."
    )
    claim_difference = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, allow_null=True,
        help_text="Confirmed amount minus the amount the partner claimed, when they differ.",
    )  # fmt: skip

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "account",
            "account_siren",
            "account_name",
            "partner",
            "partner_name",
            "route",
            "product_line",
            "amount",
            "stage",
            "expected_close",
            "closed_on",
            "roadshow",
            "external_id",
            "description",
            "registration_status",
            "has_conflict",
            "decided_at",
            "decision_reason",
            "protected_until",
            "extension_status",
            "extension_reason",
            "extension_requested_at",
            "extension_decided_at",
            "extension_decision_reason",
            "registration_number",
            "awaiting_confirmation",
            "claimed_amount",
            "claimed_closed_on",
            "claimed_at",
            "claim_difference",
            "confirmed_at",
            "confirmed_via",
            "confirmation_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "registration_status",
            "has_conflict",
            "decided_at",
            "decision_reason",
            "protected_until",
            "extension_status",
            "extension_reason",
            "extension_requested_at",
            "extension_decided_at",
            "extension_decision_reason",
            "awaiting_confirmation",
            "claimed_amount",
            "claimed_closed_on",
            "claimed_at",
            "confirmed_at",
            "confirmed_via",
            "confirmation_reason",
            "created_at",
            "updated_at",
        ]

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def get_fields(self):
        fields = super().get_fields()
        user = self._user()
        if not is_internal(user):
            # A partner user's opportunities are always its own partner's; external ids are the
            # order system's keys (a partner's CRM retries with the Idempotency-Key header instead).
            fields["partner"].read_only = True
            fields["external_id"].read_only = True
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            # The registration is for this account and product line: they do not change afterwards.
            for name in ("account", "account_siren", "partner", "product_line"):
                fields[name].read_only = True
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not is_internal(self._user()):
            for name in HIDDEN_FROM_PARTNERS:
                data.pop(name, None)
        return data

    def validate_expected_close(self, value):
        today = timezone.localdate()
        if message := validation.expected_close_error(value, today, registering=self.instance is None):
            raise serializers.ValidationError(message)
        return value

    def validate_closed_on(self, value):
        if message := validation.closed_on_error(value, timezone.localdate()):
            raise serializers.ValidationError(message)
        return value

    def validate(self, attrs):
        if self.instance is None:
            siren = attrs.pop("account_siren", None)
            if siren and attrs.get("account") is None:
                account = Account.objects.filter(siren=siren.strip()).first()
                if account is None:
                    raise serializers.ValidationError({"account_siren": ["No account has this SIREN."]})
                attrs["account"] = account
            if attrs.get("account") is None:
                raise serializers.ValidationError({"account": ["Give the account (its id, or account_siren)."]})
        return attrs


class DecisionSerializer(InputSerializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    acknowledge_conflict = serializers.BooleanField(
        default=False,
        help_text="Approve although the registration conflicts with another partner's (a reason is then required).",
    )


class BulkDecisionSerializer(InputSerializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=MAX_BULK)
    decision = serializers.ChoiceField(choices=["approve", "reject"])
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    acknowledge_conflicts = serializers.BooleanField(
        default=False,
        help_text="Also approve the registrations that conflict (a reason is then required); otherwise they are "
        "skipped, saying with what they conflict.",
    )


class BulkDecisionResultSerializer(serializers.Serializer):
    decision = serializers.CharField()
    decided = serializers.ListField(child=serializers.IntegerField())
    skipped = serializers.DictField(child=serializers.CharField(), help_text="id → why it was not decided")
    conflicting = serializers.ListField(
        child=serializers.IntegerField(), help_text="Skipped because they conflict: approve with acknowledge_conflicts"
    )


class StageChangeSerializer(InputSerializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    closed_on = serializers.DateField(
        required=False, allow_null=True, help_text="Needed for won; lost: today if empty."
    )
    amount = AmountField(required=False, allow_null=True, help_text="The final amount, needed for won.")


class ConfirmClaimSerializer(InputSerializer):
    reason = serializers.CharField(
        max_length=500, help_text="Why the channel team confirms this win by hand (audited).",
        error_messages={"blank": _("Say why this win is confirmed by hand.")},
    )  # fmt: skip


class ExtensionRequestSerializer(InputSerializer):
    reason = serializers.CharField(max_length=500, error_messages={"blank": "Say why you need more time."})


class ExtensionDecisionSerializer(InputSerializer):
    decision = serializers.ChoiceField(choices=["grant", "refuse"])
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AccountLookupSerializer(serializers.Serializer):
    """What an account search tells: the company, not who covers it."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    siren = serializers.CharField()
    city = serializers.CharField()


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="when")
    by = serializers.CharField(source="who")
    kind = serializers.CharField()
    stage = serializers.CharField()
    registration = serializers.CharField()
    changes = HistoryChangeSerializer(many=True)


class ConflictRegistrationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.CharField(source="partner.name")
    registration_status = serializers.CharField()
    stage = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    protected_until = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()


class QueueEntrySerializer(OpportunitySerializer):
    """A pending registration in the channel team's queue, with what it conflicts with."""

    conflicts = serializers.SerializerMethodField()

    class Meta(OpportunitySerializer.Meta):
        fields = [*OpportunitySerializer.Meta.fields, "conflicts"]

    def get_conflicts(self, obj) -> dict:
        found = self.context.get("conflicts", {}).get(obj.pk) or {"registrations": [], "assignment": None}
        assignment = found["assignment"]
        return {
            "registrations": ConflictRegistrationSerializer(found["registrations"], many=True).data,
            "primary_assignment": None
            if assignment is None
            else {"partner": assignment.partner_id, "partner_name": assignment.partner.name,
                  "valid_from": assignment.valid_from.isoformat()},
        }  # fmt: skip
