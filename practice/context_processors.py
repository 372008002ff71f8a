from django.conf import settings

from practice.models import PracticeSettings


def practice(request):
    user = getattr(request, "user", None)
    role = user.role if user is not None and user.is_authenticated else None
    return {
        "practice_name": PracticeSettings.load().name if role else "",
        "current_role": role,
        "session_idle_seconds": settings.SESSION_IDLE_SECONDS,
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
        # Set by clients.access when a chart is open through emergency access.
        "emergency_access": getattr(request, "emergency_access", None),
    }
