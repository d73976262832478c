from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

import audit
from audit import kinds

from .models import Invitation, User
from .services import revoke_tokens


class InvitationInline(admin.TabularInline):
    model = Invitation
    fk_name = "user"
    extra = 0
    can_delete = False
    fields = ["created_at", "invited_by", "expires_at", "accepted_at", "revoked_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "role", "partner", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["partner"]
    autocomplete_fields = ["partner"]
    search_fields = ["username", "email", "first_name", "last_name", "partner__name"]
    fieldsets = DjangoUserAdmin.fieldsets + (("Ecosystem", {"fields": ("role", "partner", "language")}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (("Ecosystem", {"fields": ("role", "partner")}),)
    inlines = [InvitationInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = [name for name in form.changed_data if name not in {"password", "password1", "password2"}]
        detail = {"fields": changed, "created": not change}
        if change and "is_active" in changed and not obj.is_active:
            detail["tokens_revoked"] = revoke_tokens(obj)
        if changed or not change:
            audit.record(kinds.USER_CHANGED, actor=request.user, target=obj, request=request, detail=detail)
