from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "role", "email", "is_staff", "is_active"]
    list_filter = ["role", "is_staff", "is_active"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Groundwork"), {"fields": ["role", "language", "time_zone"]}),
    ]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    search_fields = ["name", "user__username", "prefix"]
