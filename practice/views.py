from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from practice import audit, mfa, services
from practice.forms import PracticeSettingsForm, StaffForm
from practice.models import AuditAction, PracticeSettings, User
from practice.permissions import has_role_perm
from practice.roles import Role

HOME_BY_ROLE = {
    Role.CLINICIAN: "clients:caseload",
    Role.SUPERVISOR: "clients:caseload",
    Role.FRONT_DESK: "clients:list",
    Role.BILLER: "clients:list",
    Role.AUDITOR: "clients:list",
    Role.PRACTICE_ADMIN: "staff_list",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = request.user.role
    if role is None:
        return render(request, "practice/no_role.html", status=403)
    return redirect(HOME_BY_ROLE[role])


def _require(request, perm: str, reason: str) -> None:
    if not has_role_perm(request.user, perm):
        audit.record(
            AuditAction.ACCESS_DENIED,
            request=request,
            detail={"permission": perm, "path": request.path[:200]},
        )
        raise PermissionDenied(reason)


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    _require(request, "practice.manage_users", "Only practice admins manage staff accounts.")
    users = (
        User.objects.prefetch_related("groups")
        .select_related("supervisor")
        .order_by("-is_active", "last_name", "first_name")
    )
    return render(request, "practice/staff_list.html", {"users": users})


@login_required
def staff_edit(request: HttpRequest, user_uuid=None) -> HttpResponse:
    _require(request, "practice.manage_users", "Only practice admins manage staff accounts.")
    instance = get_object_or_404(User, uuid=user_uuid) if user_uuid else None
    form = StaffForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        user = services.user_save(form=form, actor=request.user, request=request)
        messages.success(request, f"Saved {user.username} ({user.role_label}).")
        return redirect("staff_list")
    title = f"Edit {instance.username}" if instance else "Add a staff member"
    mfa_enrolled = bool(instance and mfa.has_confirmed_device(instance))
    return render(
        request,
        "practice/staff_form.html",
        {
            "form": form,
            "title": title,
            "staff": instance,
            "mfa_enrolled": mfa_enrolled,
            "locked_out": bool(instance and services.is_locked_out(instance)),
        },
    )


@login_required
@require_POST
def staff_unlock(request: HttpRequest, user_uuid) -> HttpResponse:
    """Lift a failed-sign-in lockout before it expires; audited."""
    _require(request, "practice.manage_users", "Only practice admins unlock sign-in.")
    staff = get_object_or_404(User, uuid=user_uuid)
    services.user_unlock(user=staff, actor=request.user, request=request)
    messages.success(request, f"Sign-in unlocked for {staff.username}.")
    return redirect("staff_edit", user_uuid=staff.uuid)


@login_required
@require_POST
def staff_mfa_reset(request: HttpRequest, user_uuid) -> HttpResponse:
    """Remove a user's authenticator and backup codes (lost phone); audited."""
    _require(request, "practice.manage_users", "Only practice admins reset two-factor sign-in.")
    staff = get_object_or_404(User, uuid=user_uuid)
    removed = mfa.mfa_reset(user=staff, actor=request.user, request=request)
    if removed:
        messages.success(
            request,
            f"Two-factor sign-in reset for {staff.username}: they enrol a new app at next sign-in.",
        )
    else:
        messages.info(request, f"{staff.username} had no two-factor device to reset.")
    return redirect("staff_edit", user_uuid=staff.uuid)


@login_required
def practice_settings(request: HttpRequest) -> HttpResponse:
    _require(
        request,
        "practice.change_practicesettings",
        "Only practice admins change practice settings.",
    )
    form = PracticeSettingsForm(request.POST or None, instance=PracticeSettings.load_fresh())
    if request.method == "POST" and form.is_valid():
        form.save()
        audit.record(
            AuditAction.UPDATE,
            request=request,
            obj=form.instance,
            detail={"fields": sorted(form.changed_data)},
        )
        messages.success(request, "Practice settings saved.")
        return redirect("practice_settings")
    return render(request, "practice/settings_form.html", {"form": form})
