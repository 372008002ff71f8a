from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from practice import audit, credentials, mfa, services
from practice.forms import PracticeSettingsForm, StaffForm
from practice.models import AuditAction, PracticeSettings, User
from practice.permissions import has_role_perm
from practice.refusals import deny
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
        deny(request, permission=perm, not_found=False, reason=reason)


def _managed_staff(request, user_uuid) -> User:
    """The one access helper for staff accounts: a practice admin reaches a
    user below them (never a superuser, never another admin); anything else
    is refused and audited. Superusers are not even found (404)."""
    _require(request, "practice.manage_users", "Only practice admins manage staff accounts.")
    staff = get_object_or_404(User, uuid=user_uuid)
    if not credentials.may_manage(request.user, staff):
        audit.record(
            AuditAction.ACCESS_DENIED,
            request=request,
            obj=staff,
            detail={"permission": "practice.manage_users", "reason": "role_hierarchy"},
        )
        if staff.is_superuser:
            raise Http404("No such staff member.")
        raise PermissionDenied("Practice admins do not manage other practice admins.")
    return staff


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    _require(request, "practice.manage_users", "Only practice admins manage staff accounts.")
    # Superusers are operator accounts, managed in /operator/ only.
    users = (
        User.objects.filter(is_superuser=False)
        .prefetch_related("groups")
        .select_related("supervisor")
        .order_by("-is_active", "last_name", "first_name")
    )
    return render(request, "practice/staff_list.html", {"users": users})


@never_cache
@login_required
def staff_edit(request: HttpRequest, user_uuid=None) -> HttpResponse:
    _require(request, "practice.manage_users", "Only practice admins manage staff accounts.")
    instance = _managed_staff(request, user_uuid) if user_uuid else None
    form = StaffForm(request.POST or None, instance=instance, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_save(form=form, actor=request.user, request=request)
        except credentials.CredentialError as exc:
            form.add_error(None, str(exc))
        else:
            if instance is None:
                # A new account has no password: its owner sets one with this code.
                code, reset = credentials.sign_in_reset_issue(
                    user=user, actor=request.user, request=request
                )
                return _show_reset_code(request, user, code, reset, created=True)
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
    staff = _managed_staff(request, user_uuid)
    services.user_unlock(user=staff, actor=request.user, request=request)
    messages.success(request, f"Sign-in unlocked for {staff.username}.")
    return redirect("staff_edit", user_uuid=staff.uuid)


@login_required
@require_POST
def staff_mfa_reset(request: HttpRequest, user_uuid) -> HttpResponse:
    """Remove a user's authenticator and backup codes (lost phone); audited."""
    staff = _managed_staff(request, user_uuid)
    removed = mfa.mfa_reset(user=staff, actor=request.user, request=request)
    if removed:
        messages.success(
            request,
            f"Two-factor sign-in reset for {staff.username}: they enrol a new app at next sign-in.",
        )
    else:
        messages.info(request, f"{staff.username} had no two-factor device to reset.")
    return redirect("staff_edit", user_uuid=staff.uuid)


def _show_reset_code(request, staff: User, code: str, reset, created: bool) -> HttpResponse:
    return render(
        request,
        "practice/staff_reset_code.html",
        {"staff": staff, "code": code, "reset": reset, "created": created},
    )


@never_cache
@login_required
@require_POST
def staff_sign_in_reset(request: HttpRequest, user_uuid) -> HttpResponse:
    """Issue a one-time reset code (shown once, audited). The admin never
    chooses the password: the user redeems the code, sets their own and
    enrols a new authenticator, and is told at sign-in who reset it."""
    staff = _managed_staff(request, user_uuid)
    try:
        code, reset = credentials.sign_in_reset_issue(
            user=staff, actor=request.user, request=request
        )
    except credentials.CredentialError as exc:
        messages.error(request, str(exc))
        return redirect("staff_edit", user_uuid=staff.uuid)
    return _show_reset_code(request, staff, code, reset, created=False)


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
