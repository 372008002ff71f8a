"""Sign-in security pages: MFA enrolment and verification, backup codes, and
the session endpoints the idle-time-out script talks to."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from practice import mfa
from practice.middleware import SESSION_LAST_SEEN_KEY, SESSION_STARTED_KEY
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
            {"backup_left": mfa.backup_codes_left(user)},
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
