import django_filters
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ecosystem.filtering import FilterSet
from ecosystem.roles import Role, is_internal
from partners.models import Partner
from partners.picking import PartnerPickFilter

from .forms import PARTNER_ROLE_CHOICES
from .models import User, UserStatus


def _partners(request):
    return Partner.objects.for_user(getattr(request, "user", None)).order_by("name")


class UserFilterSet(FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=UserStatus.choices, method="filter_status")
    partner = PartnerPickFilter(label=_("Partner"), queryset=_partners)

    class Meta:
        model = User
        fields = ["q", "role", "status", "partner"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if not is_internal(getattr(request, "user", None)):
            # A partner user sees its own partner's colleagues only: nothing to choose.
            self.filters.pop("partner")
            self.filters["role"].extra["choices"] = PARTNER_ROLE_CHOICES

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__icontains=value)
            | Q(email__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
        )

    def filter_status(self, queryset, name, value):
        unusable = Q(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        if value == UserStatus.ACTIVE:
            return queryset.filter(is_active=True)
        if value == UserStatus.INVITED:
            return queryset.filter(unusable, is_active=False)
        if value == UserStatus.DEACTIVATED:
            return queryset.filter(~unusable, is_active=False)
        return queryset
