from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ecosystem.api.fields import ScopedPrimaryKeyRelatedField
from ecosystem.api.serializers import ChoiceListSerializerField, InputModelSerializer, InputSerializer, SirenField
from ecosystem.choices import ProductLine, Region

from ..models import Partner, Roadshow, Secondment


class PartnerSerializer(InputModelSerializer):
    siren = SirenField()
    regions = ChoiceListSerializerField(choices=Region.choices, required=False)
    specialisations = ChoiceListSerializerField(choices=ProductLine.choices, required=False)

    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "siren",
            "kind",
            "tier",
            "regions",
            "specialisations",
            "status",
            "joined_on",
            "capacity",
        ]

    def validate_siren(self, value):
        others = Partner.objects.filter(siren=value)
        if self.instance:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(_("A partner with this SIREN already exists."))
        return value


class SecondmentSerializer(InputModelSerializer):
    partner = ScopedPrimaryKeyRelatedField(queryset=Partner.objects.all())
    partner_name = serializers.CharField(source="partner.name", read_only=True)

    class Meta:
        model = Secondment
        fields = ["id", "expert_name", "expert_email", "expertise", "partner", "partner_name", "starts_on", "ends_on"]

    def validate(self, attrs):
        starts = attrs.get("starts_on", getattr(self.instance, "starts_on", None))
        ends = attrs.get("ends_on", getattr(self.instance, "ends_on", None))
        if starts and ends and ends < starts:
            raise serializers.ValidationError({"ends_on": [_("A secondment cannot end before it starts.")]})
        return attrs


class RoadshowSerializer(InputModelSerializer):
    partners = ScopedPrimaryKeyRelatedField(queryset=Partner.objects.all(), many=True, required=False)

    class Meta:
        model = Roadshow
        fields = ["id", "title", "city", "region", "date", "partners"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        partner_id = getattr(getattr(request, "user", None), "partner_id", None)
        if partner_id:
            # A partner learns only that it attends, never who else does.
            data["partners"] = [pk for pk in data["partners"] if pk == partner_id]
        return data


class PartnerStatusSerializer(InputSerializer):
    reason = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="", help_text="Kept in the partner's history."
    )


class PartnerSuspendSerializer(PartnerStatusSerializer):
    reason = serializers.CharField(max_length=500, help_text="Why the partner is suspended (required).")


class SecondmentEndSerializer(InputSerializer):
    ends_on = serializers.DateField(required=False, help_text="The new last day, before the planned one (today).")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AttendeeSerializer(InputSerializer):
    partner = ScopedPrimaryKeyRelatedField(queryset=Partner.objects.all())
