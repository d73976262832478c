"""API shapes of billing details, invoices, payment files and payment plans.

Money travels as decimal strings with two decimals; the IBAN is never sent back in full (write it,
read ``iban_masked``). Validation is the services' (billing.py, payment_files.py), so the pages and
the API refuse exactly the same things.
"""

from rest_framework import serializers

from ecosystem.api.fields import ScopedPrimaryKeyRelatedField
from ecosystem.api.serializers import InputModelSerializer, InputSerializer
from ecosystem.roles import Role, role_of
from partners.models import Partner

from ..models import BillingDetails, HoldReason, Invoice, PaymentFile, PaymentTransfer

MONEY = {"max_digits": 14, "decimal_places": 2}


class BillingDetailsSerializer(InputModelSerializer):
    """Billing details as read and changed: their partner never changes."""

    partner = serializers.PrimaryKeyRelatedField(read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    iban = serializers.CharField(write_only=True, max_length=50, help_text="Written only; read iban_masked.")
    iban_masked = serializers.CharField(source="masked_iban", read_only=True)
    iban_status = serializers.SerializerMethodField()
    iban_changed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    iban_confirmed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    vat_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")

    class Meta:
        model = BillingDetails
        fields = [
            "id", "partner", "partner_name", "legal_name", "address_line", "address_line_2", "postal_code", "city",
            "country", "vat_number", "vat_exempt", "vat_exemption_mention", "iban", "iban_masked", "bic",
            "iban_status", "iban_changed_at", "iban_changed_by", "iban_confirmed_at", "iban_confirmed_by",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = ["iban_changed_at", "iban_confirmed_at", "updated_at"]
        # The services check the values (billing.py): the model's validators would answer first, and
        # differently for a value with spaces ("FR76 3000 …") that the service accepts.
        extra_kwargs = {
            "bic": {"validators": [], "max_length": 20},
            "country": {"validators": [], "max_length": 2},
            "vat_exempt": {"default": False},
            "vat_exemption_mention": {"default": ""},
            "address_line_2": {"default": ""},
        }

    def get_iban_status(self, obj) -> str:
        return "awaiting_confirmation" if obj.is_held else "confirmed"


class BillingDetailsCreateSerializer(BillingDetailsSerializer):
    """New billing details: the channel team names the partner; a partner admin's are its own partner's."""

    partner = ScopedPrimaryKeyRelatedField(queryset=Partner.objects.all())

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if role_of(getattr(request, "user", None)) == Role.PARTNER_ADMIN:
            fields["partner"] = serializers.PrimaryKeyRelatedField(read_only=True)
        return fields


class InvoiceSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    run = serializers.PrimaryKeyRelatedField(read_only=True)
    statement = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id", "number", "year", "kind", "partner", "partner_name", "run", "statement", "issued_on", "period",
            "period_start", "period_end", "line_count", "net", "vat_rate", "vat", "gross", "vat_exemption_mention",
            "supplier_name", "supplier_address", "supplier_siren", "supplier_vat_number", "customer_name",
            "customer_address", "customer_siren", "customer_vat_number", "corrects_numbers",
        ]  # fmt: skip
        read_only_fields = fields


class PaymentTransferSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    iban_masked = serializers.SerializerMethodField()

    class Meta:
        model = PaymentTransfer
        fields = ["id", "invoice", "invoice_number", "partner", "partner_name", "amount", "carried", "creditor_name",
                  "iban_masked", "bic", "end_to_end_id"]  # fmt: skip
        read_only_fields = fields

    def get_iban_masked(self, obj) -> str:
        return obj.masked_iban


class HeldPartnerSerializer(serializers.Serializer):
    partner = serializers.IntegerField()
    name = serializers.CharField()
    siren = serializers.CharField()
    reason = serializers.ChoiceField(choices=HoldReason.choices)
    amount = serializers.DecimalField(**MONEY)


class PaymentFileSerializer(serializers.ModelSerializer):
    run = serializers.PrimaryKeyRelatedField(read_only=True)
    period = serializers.CharField(source="run.period", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    released_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    executed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    cancelled_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    held = HeldPartnerSerializer(many=True, read_only=True)
    transfers = PaymentTransferSerializer(many=True, read_only=True)

    class Meta:
        model = PaymentFile
        fields = ["id", "run", "period", "message_id", "execution_date", "status", "created_by", "created_at",
                  "released_by", "released_at", "executed_on", "bank_reference", "executed_by", "executed_at",
                  "cancelled_by", "cancelled_at", "cancel_reason", "transfer_count", "total", "held",
                  "transfers"]  # fmt: skip
        read_only_fields = fields


class PaymentFileCancelSerializer(InputSerializer):
    reason = serializers.CharField(
        max_length=500, help_text="Why the file is cancelled (its invoices can be paid again)."
    )


class PaymentFileExecuteSerializer(InputSerializer):
    executed_on = serializers.DateField(help_text="The day the bank executed the transfers (not in the future).")
    bank_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class PaymentFileCreateSerializer(InputSerializer):
    run = ScopedPrimaryKeyRelatedField(queryset=PaymentFile._meta.get_field("run").related_model.objects.all())
    execution_date = serializers.DateField()


class PlannedTransferSerializer(serializers.Serializer):
    invoice = serializers.IntegerField(source="invoice_id")
    invoice_number = serializers.CharField()
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    carried = serializers.DecimalField(**MONEY)


class PaymentPlanSerializer(serializers.Serializer):
    """What the next payment file of the run would pay, and whom it would leave out (and why)."""

    total = serializers.DecimalField(**MONEY)
    transfers = PlannedTransferSerializer(many=True)
    held = HeldPartnerSerializer(many=True)
