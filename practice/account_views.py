"""Sign-in security pages: MFA enrolment and verification, backup codes, and
the session endpoints the idle-time-out script talks to."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_POST

from practice import audit, credentials, mfa
from practice.middleware import SESSION_LAST_SEEN_KEY, SESSION_STARTED_KEY
from practice.models import AuditAction, SignInResetKind
from practice.refusals import Refused


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text="Enter the 6-digit code the app shows now.",
    )


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


@login_required
@sensitive_post_parameters("code")
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """The second sign-in step."""
    if request.user.is_verified():
        return redirect(_safe_next(request))
    if not mfa.has_confirmed_device(request.user):
        return redirect("mfa_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if mfa.mfa_verify(request=request, token=form.cleaned_data["code"]):
                left = mfa.backup_codes_left(request.user)
                if left <= 3:
                    messages.warning(
                        request,
                        f"You have {left} backup codes left. Make new ones under Sign-in security.",
                    )
                return redirect(_safe_next(request))
            form.add_error("code", "That code did not match. Try the newest code in the app.")
        except Refused as exc:
            form.add_error("code", str(exc))
    return render(
        request, "registration/mfa_verify.html", {"form": form, "next": _safe_next(request)}
    )


@login_required
@sensitive_post_parameters("code")
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app; shows the backup codes once on success.

    Someone already enrolled sees their status here (after verifying) and can
    make new backup codes; changing the app itself goes through an admin reset,
    so a stolen password and an open session cannot swap the second factor.
    """
    user = request.user
    if mfa.has_confirmed_device(user):
        if not user.is_verified():
            return redirect("mfa_verify")
        return render(
            request,
            "registration/mfa_status.html",
            {
                "backup_left": mfa.backup_codes_left(user),
                "resets": [credentials.reset_notice(r) for r in credentials.recent_resets(user)],
            },
        )
    device = mfa.pending_totp_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.mfa_enrol_confirm(
                request=request, device=device, token=form.cleaned_data["code"]
            )
            return render(
                request,
                "registration/mfa_backup_codes.html",
                {"codes": codes, "next": _safe_next(request), "first_time": True},
            )
        except Refused as exc:
            form.add_error("code", str(exc))
    return render(
        request,
        "registration/mfa_setup.html",
        {
            "form": form,
            "qr_svg": mfa.qr_svg(device),
            "secret": mfa.secret_for_manual_entry(device),
            "next": _safe_next(request),
        },
    )


@login_required
@require_POST
def mfa_backup_codes(request: HttpRequest) -> HttpResponse:
    codes = mfa.mfa_backup_codes_regenerate(request=request)
    return render(
        request,
        "registration/mfa_backup_codes.html",
        {"codes": codes, "next": settings.LOGIN_REDIRECT_URL, "first_time": False},
    )


def _remaining(request) -> int:
    now = int(time.time())
    session = request.session
    idle_left = settings.SESSION_IDLE_SECONDS - (now - session.get(SESSION_LAST_SEEN_KEY, now))
    absolute_left = settings.SESSION_ABSOLUTE_SECONDS - (
        now - session.get(SESSION_STARTED_KEY, now)
    )
    return max(0, min(idle_left, absolute_left))


@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """Seconds left before the server ends this session; reading it is not activity
    (another tab may have kept the session alive)."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False, "remaining": 0}, status=401)
    return JsonResponse({"signed_in": True, "remaining": _remaining(request)})


@require_POST
def session_keepalive(request: HttpRequest) -> JsonResponse:
    """'Stay signed in': the request itself is the activity the middleware records."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False, "remaining": 0}, status=401)
    return JsonResponse({"signed_in": True, "remaining": _remaining(request)})


@require_POST
def session_timeout(request: HttpRequest) -> HttpResponse:
    """The browser's idle timer ran out (drafts were asked to save first): end
    the session now, audited as a time-out, and go to the sign-in page."""
    if request.user.is_authenticated:
        request.ehr_logout_reason = "timeout"
        logout(request)
        minutes = settings.SESSION_IDLE_SECONDS // 60
        messages.warning(request, f"You were signed out after {minutes} minutes without activity.")
    target = resolve_url(settings.LOGIN_URL)
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target += "?" + urlencode({"next": next_url})
    return redirect(target)


# --- Sign-in and credentials ------------------------------------------------
# Only these views of django.contrib.auth are mounted (practice/urls.py): the
# sign-in, sign-out and the user's own password change, each audited. The
# e-mail password reset is mounted only when e-mail is configured
# (PASSWORD_RESET_BY_EMAIL); otherwise a reset goes through a one-time code an
# admin issues (practice/credentials.py).


class SignInView(auth_views.LoginView):
    """Django's sign-in, which also hands the checked password to the features
    that keep secrets under it (credentials.password_verified) and tells the
    user who reset their sign-in lately."""

    @method_decorator(sensitive_post_parameters("password"))
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    @method_decorator(sensitive_variables("password"))
    def form_valid(self, form):
        response = super().form_valid(form)
        password = form.cleaned_data.get("password", "")
        for notice in credentials.signed_in_with_password(
            request=self.request, user=form.get_user(), password=password
        ):
            messages.warning(self.request, notice)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """The user's own password change: proves the old password, audited, and
    re-wraps what is kept under it."""

    template_name = "registration/password_change.html"

    @method_decorator(sensitive_variables("old_password", "new_password"))
    def form_valid(self, form):
        old_password = form.cleaned_data["old_password"]
        new_password = form.cleaned_data["new_password1"]
        response = super().form_valid(form)
        credentials.password_changed_by_user(
            request=self.request,
            user=self.request.user,
            old_password=old_password,
            new_password=new_password,
        )
        messages.success(self.request, "Your password was changed.")
        return response

    def form_invalid(self, form):
        if "old_password" in form.errors:
            audit.record(
                AuditAction.LOGIN_FAILED,
                request=self.request,
                object_type=credentials.OBJECT_TYPE,
                detail={"step": "password_change_old_password"},
            )
        return super().form_invalid(form)


class ResetCodeForm(forms.Form):
    username = forms.CharField(max_length=150, widget=forms.TextInput(attrs={"autofocus": True}))
    code = forms.CharField(
        label="Reset code",
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="The one-time code your practice admin gave you.",
    )
    new_password1 = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters; not a common password.",
    )
    new_password2 = forms.CharField(
        label="New password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", "The two passwords differ.")
        return data


@never_cache
@sensitive_post_parameters("code", "new_password1", "new_password2")
@sensitive_variables()
def reset_with_code(request: HttpRequest) -> HttpResponse:
    """Redeem a one-time reset code: the user chooses their own password, then
    signs in and enrols a new authenticator."""
    if request.user.is_authenticated:
        return redirect("password_change")
    form = ResetCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            credentials.sign_in_reset_redeem(
                username=form.cleaned_data["username"],
                code=form.cleaned_data["code"],
                new_password=form.cleaned_data["new_password1"],
                request=request,
            )
        except credentials.CredentialError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, "Your new password is set. Sign in with it, then enrol your authenticator."
            )
            return redirect("login")
    # PasswordInput never renders a typed password back into the page.
    return render(request, "registration/reset_with_code.html", {"form": form})


class EmailPasswordResetView(auth_views.PasswordResetView):
    """Only mounted when e-mail is configured. Audited without saying whether
    the address belongs to anyone."""

    def form_valid(self, form):
        audit.record(
            AuditAction.UPDATE,
            request=self.request,
            object_type=credentials.OBJECT_TYPE,
            detail={"change": "password_reset_email_requested"},
        )
        return super().form_valid(form)


class EmailPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a password from an e-mailed link is a reset: the user is told at
    sign-in, and what was kept under the old password stays sealed."""

    @method_decorator(sensitive_variables("new_password"))
    def form_valid(self, form):
        new_password = form.cleaned_data["new_password1"]
        response = super().form_valid(form)
        user = form.user
        credentials.record_reset(user=user, actor=None, kind=SignInResetKind.EMAIL)
        audit.record(
            AuditAction.PERMISSION_CHANGE,
            request=self.request,
            user=user,
            obj=user,
            detail={"change": "password_set_with_email_link"},
        )
        credentials.password_changed.send(
            sender=type(user),
            request=self.request,
            user=user,
            old_password=None,
            new_password=new_password,
            by_reset=True,
        )
        return response
