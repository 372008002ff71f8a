"""The Django admin is the operator's tool, not a clinical one: it shows staff
accounts, practice settings and the (read-only) audit trail, and no clinical
model is registered here at all."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from practice.models import AuditEvent, PracticeSettings, User

admin.site.site_header = "Practice EHR operator console"


@admin.register(User)
class StaffAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        (
            "Clinical",
            {"fields": ("credentials", "license_number", "npi", "requires_cosign", "supervisor")},
        ),
    )
    list_display = ("username", "first_name", "last_name", "credentials", "is_active")

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: audit events point at users


@admin.register(PracticeSettings)
class PracticeSettingsAdmin(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "username", "role", "action", "object_type", "object_id")
    list_filter = ("action", "role")
    search_fields = ("username", "object_id", "client_uuid")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Second-factor secrets (TOTP keys, backup codes) are never shown to anyone,
# operators included: django-otp's own admin pages would display them. A lost
# device is reset by a practice admin on the staff page (audited).
def _unregister_otp_devices() -> None:
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (TOTPDevice, StaticDevice):
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_unregister_otp_devices()
