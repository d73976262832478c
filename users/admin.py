from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "role", "partner", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["partner"]
    autocomplete_fields = ["partner"]
    search_fields = ["username", "email", "first_name", "last_name", "partner__name"]
    fieldsets = DjangoUserAdmin.fieldsets + (("Ecosystem", {"fields": ("role", "partner")}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (("Ecosystem", {"fields": ("role", "partner")}),)
