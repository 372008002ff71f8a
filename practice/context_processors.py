from practice.models import PracticeSettings


def practice(request):
    user = getattr(request, "user", None)
    role = user.role if user is not None and user.is_authenticated else None
    return {
        "practice_name": PracticeSettings.load().name if role else "",
        "current_role": role,
    }
