from rest_framework import serializers

from ecosystem.api.fields import ScopedPrimaryKeyRelatedField
from ecosystem.api.serializers import InputModelSerializer, InputSerializer, SirenField
from ecosystem.roles import partner_id_of
from partners.models import Partner

from ..models import Account, Assignment, AssignmentRole


class AccountSerializer(InputModelSerializer):
    siren = SirenField()
    partner_role = serializers.ChoiceField(
        choices=AssignmentRole.choices,
        read_only=True,
        allow_null=True,
        help_text="Partner users only: their own partner's role on the account (primary or secondary). "
        "Who else covers the account is never told (internal users read the assignments).",
    )

    class Meta:
        model = Account
        fields = [
            "id", "name", "siren", "sector", "region", "city", "employees", "is_select", "vendor_awareness",
            "partner_role",
        ]  # fmt: skip

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if partner_id_of(getattr(request, "user", None)) is None:
            data.pop("partner_role", None)
        return data

    def validate_siren(self, value):
        others = Account.objects.filter(siren=value)
        if self.instance:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError("An account with this SIREN already exists.")
        return value


class AssignmentSerializer(InputModelSerializer):
    account = ScopedPrimaryKeyRelatedField(queryset=Account.objects.all())
    partner = ScopedPrimaryKeyRelatedField(queryset=Partner.objects.all())
    account_name = serializers.CharField(source="account.name", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    assigned_by = serializers.CharField(source="assigned_by.username", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "account",
            "account_name",
            "partner",
            "partner_name",
            "role",
            "valid_from",
            "valid_to",
            "assigned_by",
            "reason",
        ]
        read_only_fields = ["valid_to"]


class AssignmentEndSerializer(InputSerializer):
    valid_to = serializers.DateField(required=False)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AccountImportSerializer(InputSerializer):
    file = serializers.FileField(help_text="CSV: siren,name,sector,region,city,employees,is_select,vendor_awareness")
    good_rows_only = serializers.BooleanField(default=False, help_text="Import the good rows even if some are bad.")


class AssignmentBulkSerializer(InputSerializer):
    accounts = ScopedPrimaryKeyRelatedField(queryset=Account.objects.all(), many=True, allow_empty=False)
    partner = ScopedPrimaryKeyRelatedField(queryset=Partner.objects.all())
    role = serializers.ChoiceField(choices=AssignmentRole.choices, default=AssignmentRole.PRIMARY)
    valid_from = serializers.DateField(required=False)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate_accounts(self, value):
        if len(value) > 20000:
            raise serializers.ValidationError("At most 20,000 accounts at once.")
        return value


class AssignmentImportSerializer(InputSerializer):
    file = serializers.FileField(help_text="CSV: account_siren,partner_siren,role,valid_from")
    good_rows_only = serializers.BooleanField(default=False)
