"""The Django admin is the operator's tool, not a clinical one: it shows staff
accounts, practice settings and the (read-only) audit trail, and no clinical
model is registered here at all.

Every change made here is in the audit trail, not only in Django's admin log:
``AuditedAdminMixin`` is mixed into every registered ModelAdmin (ours and
third-party ones, see ``audit_every_model_admin``, run from
PracticeConfig.ready()). Role groups and permissions are not editable here
(they come from migrations, practice/roles.py); a user's role is, and each
change of it is audited as a permission change. Nobody's password is set
here: the operator issues a one-time reset code, like a practice admin.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from practice import audit, credentials
from practice.models import AuditAction, AuditEvent, PracticeSettings, User

admin.site.site_header = "Practice EHR operator console"

_ADMIN_ACTIONS = {"add": AuditAction.CREATE, "change": AuditAction.UPDATE}


def _audit_operator_change(request, obj, change: str, message="") -> None:
    audit.record(
        _ADMIN_ACTIONS.get(change, AuditAction.DELETE_ATTEMPT),
        request=request,
        obj=obj,
        detail={
            "via": "operator_console",
            "change": change,
            "model": obj._meta.label_lower,
            # Django's change message lists changed field names, never values.
            "fields": message if isinstance(message, list) else str(message)[:500],
        },
    )


class AuditedAdminMixin:
    """Writes an AuditEvent next to each admin log entry (add, change, delete)."""

    audited_in_trail = True

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        _audit_operator_change(request, obj, "add", message)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        _audit_operator_change(request, obj, "change", message)
        return entry

    def log_deletions(self, request, queryset):
        for obj in queryset:
            _audit_operator_change(request, obj, "delete")
        return super().log_deletions(request, queryset)


def audit_every_model_admin(site=admin.site) -> None:
    """Re-register each ModelAdmin that lacks the mixin with it mixed in."""
    for model, model_admin in list(site._registry.items()):
        if getattr(model_admin, "audited_in_trail", False):
            continue
        cls = type(model_admin)
        site.unregister(model)
        site.register(model, type(f"Audited{cls.__name__}", (AuditedAdminMixin, cls), {}))


class OperatorAddUserForm(forms.ModelForm):
    """A new account has a username and no password: its owner sets one with a
    reset code (the "Issue a one-time sign-in reset code" action)."""

    class Meta:
        model = User
        fields = ("username",)

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


@admin.register(User)
class StaffAdmin(AuditedAdminMixin, UserAdmin):
    add_form = OperatorAddUserForm
    add_fieldsets = ((None, {"fields": ("username",)}),)
    fieldsets = (
        (None, {"fields": ("username",)}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        # A role is a group; groups themselves are not editable here, and no
        # permission is ever given to one user directly.
        ("Role and status", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
        (
            "Clinical",
            {"fields": ("credentials", "license_number", "npi", "requires_cosign", "supervisor")},
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ()
    list_display = ("username", "first_name", "last_name", "credentials", "is_active")
    actions = ["issue_sign_in_reset"]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: audit events point at users

    def user_change_password(self, request, id, form_url=""):
        raise PermissionDenied("Passwords are set by their owners only: issue a reset code.")

    def save_model(self, request, obj, form, change):
        if change:
            before = User.objects.get(pk=obj.pk)
            obj._operator_before = (
                sorted(before.groups.values_list("name", flat=True)),
                before.is_superuser,
                before.is_staff,
            )
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        after = (
            sorted(user.groups.values_list("name", flat=True)),
            user.is_superuser,
            user.is_staff,
        )
        before = getattr(user, "_operator_before", ([], False, False))
        if after != before:
            audit.record(
                AuditAction.PERMISSION_CHANGE,
                request=request,
                obj=user,
                detail={
                    "via": "operator_console",
                    "change": "role",
                    "groups_from": before[0],
                    "groups_to": after[0],
                    "superuser_from": before[1],
                    "superuser_to": after[1],
                    "staff_from": before[2],
                    "staff_to": after[2],
                    "self": user.pk == request.user.pk,
                },
            )

    @admin.action(description="Issue a one-time sign-in reset code")
    def issue_sign_in_reset(self, request, queryset):
        users = list(queryset[:2])
        if len(users) != 1:
            self.message_user(request, "Choose exactly one account.", messages.ERROR)
            return None
        try:
            code, reset = credentials.sign_in_reset_issue(
                user=users[0], actor=request.user, request=request
            )
        except credentials.CredentialError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        return render(
            request,
            "practice/staff_reset_code.html",
            {"staff": users[0], "code": code, "reset": reset, "created": False},
        )


@admin.register(PracticeSettings)
class PracticeSettingsAdmin(AuditedAdminMixin, admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(AuditedAdminMixin, admin.ModelAdmin):
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

# Roles come from migrations (practice/roles.py): no one edits a group here.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)
