from rest_framework import serializers

from ecosystem.api.fields import ScopedPrimaryKeyRelatedField
from ecosystem.api.serializers import InputSerializer
from partners.models import Partner

from ..forms import PARTNER_ROLE_CHOICES
from ..models import User, UserStatus


class UserSerializer(serializers.ModelSerializer):
    username = serializers.CharField(
        read_only=True,
        help_text="The login name: the e-mail address once the invitation is accepted; until then a placeholder "
        "(invited-…), whoever was invited.",
    )
    partner_name = serializers.CharField(source="partner.name", read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=UserStatus.choices, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "role",
            "partner",
            "partner_name",
            "status",
            "is_active",
            "last_login",
            "date_joined",
        ]
        read_only_fields = fields


class InviteSerializer(InputSerializer):
    email = serializers.EmailField(max_length=150)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=PARTNER_ROLE_CHOICES)
    # A partner administrator may leave it out (its own partner) but cannot name another one:
    # another partner's id is "does not exist", like any row outside its scope.
    partner = ScopedPrimaryKeyRelatedField(queryset=Partner.objects.all(), required=False, allow_null=True)


class RoleSerializer(InputSerializer):
    role = serializers.ChoiceField(choices=PARTNER_ROLE_CHOICES)
