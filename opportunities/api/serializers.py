from datetime import date

from rest_framework import serializers

from accounts.models import Account
from ecosystem.api.fields import ScopedPrimaryKeyRelatedField
from partners.models import Partner, Roadshow

from ..models import Opportunity, Route

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def validate_business_date(value: date | None) -> date | None:
    if value is not None and not (EARLIEST_DATE <= value <= LATEST_DATE):
        raise serializers.ValidationError("Give a date between 2000-01-01 and 2100-12-31.")
    return value


class OpportunitySerializer(serializers.ModelSerializer):
    # A partner may register on any account (the conflict check weighs it), so the
    # account choice is every account; it reveals nothing of other partners.
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.all())
    account_name = serializers.CharField(source="account.name", read_only=True)
    partner = ScopedPrimaryKeyRelatedField(queryset=Partner.objects.all(), required=False, allow_null=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True, default=None)
    roadshow = ScopedPrimaryKeyRelatedField(queryset=Roadshow.objects.all(), required=False, allow_null=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    expected_close = serializers.DateField(required=False, allow_null=True, validators=[validate_business_date])
    closed_on = serializers.DateField(required=False, allow_null=True, validators=[validate_business_date])
    route = serializers.ChoiceField(choices=Route.choices, required=False)

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "account",
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
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "registration_status",
            "has_conflict",
            "decided_at",
            "decision_reason",
            "protected_until",
            "created_at",
            "updated_at",
        ]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if getattr(user, "partner_id", None):
            # A partner user's opportunities are always its own partner's.
            fields["partner"].read_only = True
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["account"].read_only = True
            fields["partner"].read_only = True
        return fields


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
