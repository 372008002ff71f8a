"""A clinician's appointments as an iCalendar (RFC 5545) feed.

The feed is read by calendar apps that cannot sign in, through a secret,
revocable URL, and ends up on phones and third-party calendar services. So it
carries what a clinician needs to plan the day and nothing of the record:
start, end, status and the client's initials. Never a name, a reason, a
diagnosis or a note.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar, Event

from clients.models import Appointment, AppointmentStatus

# How far back and ahead the feed reaches.
PAST_DAYS = 14
AHEAD_DAYS = 120


def initials(client) -> str:
    first = (client.preferred_name or client.legal_first_name or "?")[:1]
    last = (client.legal_last_name or "?")[:1]
    return f"{first}.{last}.".upper()


def feed_appointments(clinician, *, now=None):
    now = now or timezone.now()
    return (
        Appointment.objects.filter(
            clinician=clinician,
            start__gte=now - timedelta(days=PAST_DAYS),
            start__lt=now + timedelta(days=AHEAD_DAYS),
        )
        .exclude(status=AppointmentStatus.RESCHEDULED)
        .select_related("client")
        .order_by("start")
    )


def render_feed(clinician, *, practice_name: str, domain: str, now=None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Practice EHR//Schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{practice_name}: appointments")
    stamp = now or timezone.now()
    for appointment in feed_appointments(clinician, now=now):
        event = Event()
        # The appointment's public uuid: stable across refreshes, no meaning.
        event.add("uid", f"{appointment.uuid}@{domain}")
        event.add("dtstamp", stamp)
        event.add("dtstart", appointment.start)
        event.add("dtend", appointment.end)
        summary = f"Appointment {initials(appointment.client)}"
        if appointment.status != AppointmentStatus.SCHEDULED:
            summary += f" ({appointment.get_status_display().lower()})"
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
        event.add("summary", summary)
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return calendar.to_ical()
