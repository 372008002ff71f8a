"""A locked session: the device is handed to someone else (a client filling in
a questionnaire on a tablet) while the staff member stays signed in.

While a session is locked, only the URL names given to ``lock`` (plus the
session time-out endpoints) answer; every other request is refused, audited
as ``access_denied`` and sent back to the locked page, whatever URL is typed.
Only the signed-in user's password unlocks it (``unlock``): a success is
audited as ``login`` (the password was entered again), a failure as
``login_failed``; after ``MAX_UNLOCK_FAILURES`` wrong passwords the session is
ended, so guessing at the tablet leads nowhere.

The lock lives in the server-side session (never in a cookie the holder could
drop): a new tab, the back button or a typed URL meet the same lock. Features
lock with their own page names; this module knows none of them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from practice import audit
from practice.models import AuditAction

SESSION_KEY = "ehr_kiosk"
MAX_UNLOCK_FAILURES = 5
# Always open, so the idle time-out still ends a forgotten locked session.
ALWAYS_OPEN = frozenset({"session_status", "session_keepalive", "session_timeout"})


def current(request: HttpRequest) -> dict | None:
    """The lock of this session ({"purpose", "allowed", "home", "data", ...}) or None."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    return session.get(SESSION_KEY)


def lock(
    request: HttpRequest, *, purpose: str, allowed: Iterable[str], home: str, data: dict
) -> None:
    """Lock the session to the URL names in ``allowed``; ``home`` is the path
    refused requests are sent to. ``data`` (ids only) is for the feature."""
    request.session[SESSION_KEY] = {
        "purpose": purpose,
        "allowed": sorted(set(allowed)),
        "home": home,
        "data": dict(data),
        "user": request.user.pk,
        "failures": 0,
    }


def update_data(request: HttpRequest, **data) -> None:
    state = current(request)
    if state is None:
        return
    state["data"].update(data)
    request.session[SESSION_KEY] = state


def unlock(request: HttpRequest, password: str) -> bool:
    """Leave the lock with the signed-in user's password. Returns True when
    unlocked; False on a wrong password (the session ends after too many)."""
    state = current(request)
    if state is None:
        return True
    user = request.user
    if user.is_authenticated and user.pk == state["user"] and user.check_password(password or ""):
        del request.session[SESSION_KEY]
        audit.record(
            AuditAction.LOGIN,
            request=request,
            detail={"kiosk_unlock": state["purpose"]},
        )
        return True
    state["failures"] += 1
    request.session[SESSION_KEY] = state
    audit.record(
        AuditAction.LOGIN_FAILED,
        request=request,
        detail={"kiosk_unlock": state["purpose"], "failures": state["failures"]},
    )
    if state["failures"] >= MAX_UNLOCK_FAILURES:
        request.ehr_logout_reason = "kiosk_unlock_failures"
        logout(request)
    return False


def _url_name(request) -> str | None:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


class KioskMiddleware:
    """Refuses everything but the locked pages while the session is locked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = current(request)
        user = getattr(request, "user", None)
        if state is None or user is None or not user.is_authenticated:
            return self.get_response(request)
        if request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        name = _url_name(request)
        if name in ALWAYS_OPEN or name in state["allowed"]:
            return self.get_response(request)
        audit.record(
            AuditAction.ACCESS_DENIED,
            request=request,
            object_type="practice.session",
            detail={"kiosk": state["purpose"], "path": request.path[:200]},
        )
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"locked": True}, status=423)
        return redirect(state["home"])
