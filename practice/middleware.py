import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers

from practice import mfa
from practice.models import request_scope


class RequestScopeMiddleware:
    """Opens ``practice.models.request_scope`` for one request, so practice-wide
    values (the practice settings) are read once per request, never shared
    between requests or users."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request_scope.set({})
        try:
            return self.get_response(request)
        finally:
            request_scope.reset(token)


class NoStoreMiddleware:
    """Pages can carry PHI: no browser or proxy may keep a copy.
    Static files (served by WhiteNoise before this runs) stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


# Session keys of the time-out policy (epoch seconds).
SESSION_STARTED_KEY = "ehr_session_started"
SESSION_LAST_SEEN_KEY = "ehr_last_activity"
# Reading the remaining time must not itself count as activity.
_PASSIVE_URL_NAMES = frozenset({"session_status"})


def _url_name(request) -> str | None:
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


class SessionTimeoutMiddleware:
    """Ends a session after SESSION_IDLE_SECONDS without a request and
    SESSION_ABSOLUTE_SECONDS after sign-in (HIPAA automatic log-off).

    The browser warns first (static/js/session.js), but the server decides:
    a stale session is logged out here, audited as ``logout`` with the reason,
    whatever the page or the script did.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.setdefault(SESSION_STARTED_KEY, now)
            last_seen = session.get(SESSION_LAST_SEEN_KEY, now)
            reason = None
            if now - started >= settings.SESSION_ABSOLUTE_SECONDS:
                reason = "absolute_limit"
            elif now - last_seen >= settings.SESSION_IDLE_SECONDS:
                reason = "timeout"
            if reason:
                return self._end(request, reason)
            if _url_name(request) not in _PASSIVE_URL_NAMES:
                session[SESSION_LAST_SEEN_KEY] = now
        return self.get_response(request)

    def _end(self, request, reason: str):
        minutes = settings.SESSION_IDLE_SECONDS // 60
        # Read by practice.signals, so the one logout event carries the reason.
        request.ehr_logout_reason = reason
        logout(request)
        if reason == "timeout":
            text = f"You were signed out after {minutes} minutes without activity."
        else:
            text = "Your session reached its time limit. Please sign in again."
        if _wants_json(request) or request.method not in ("GET", "HEAD"):
            if _wants_json(request):
                return JsonResponse({"signed_in": False, "reason": reason}, status=401)
            messages.warning(request, text)
            return redirect_to_login(reverse("home"))
        messages.warning(request, text)
        return redirect_to_login(request.get_full_path())


class MfaRequiredMiddleware:
    """A session that has only passed the password step reaches nothing but
    the MFA pages (and sign-out) until a code is verified. See practice.mfa."""

    OPEN_URL_NAMES = frozenset(
        {
            "login",
            "logout",
            "mfa_verify",
            "mfa_setup",
            "session_status",
            "session_keepalive",
            "session_timeout",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(settings.STATIC_URL)
            and _url_name(request) not in self.OPEN_URL_NAMES
            and mfa.mfa_required_for(user)
        ):
            target = "mfa_verify" if mfa.has_confirmed_device(user) else "mfa_setup"
            if _wants_json(request):
                return JsonResponse({"mfa_required": True}, status=401)
            url = reverse(target)
            if request.method == "GET":
                url += "?" + urlencode({"next": request.get_full_path()})
            return redirect(url)
        return self.get_response(request)
