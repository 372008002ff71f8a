from django.conf import settings

from practice import kiosk, mfa
from practice.models import PracticeSettings


def practice(request):
    user = getattr(request, "user", None)
    role = user.role if user is not None and user.is_authenticated else None
    # Until the second factor is passed, pages show no navigation (it would only
    # lead back to the MFA step) and no practice details.
    # A locked session (a questionnaire handed to a client) shows no navigation either.
    show_nav = _second_factor_done(user) and kiosk.current(request) is None
    return {
        "show_nav": show_nav,
        "practice_name": PracticeSettings.load().name if role and show_nav else "",
        "current_role": role,
        "session_idle_seconds": settings.SESSION_IDLE_SECONDS,
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
        # Set by clients.access when a chart is open through emergency access.
        "emergency_access": getattr(request, "emergency_access", None),
    }


def _second_factor_done(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return True
    return not mfa.mfa_required_for(user)
