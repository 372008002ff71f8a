"""Chart section: the client's upcoming and recent appointments."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from clients import access
from clients.models import Appointment
from clients.schedule.access import can_change_schedule


def appointments_section(request, client):
    if not access.can(request.user, access.VIEW, client):
        return None
    now = timezone.now()
    base = Appointment.objects.filter(client=client).select_related(
        "clinician", "rescheduled_from", "rescheduled_to"
    )
    upcoming = list(base.filter(start__gte=now).order_by("start")[:10])
    recent = list(
        base.filter(start__lt=now, start__gte=now - timedelta(days=90)).order_by("-start")[:10]
    )
    return {
        "template": "schedule/_appointments_section.html",
        "upcoming": upcoming,
        "recent": recent,
        "can_schedule": can_change_schedule(request.user, client),
        "now": now,
    }
