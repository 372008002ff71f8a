"""The iCalendar feed carries times and initials only; reminders carry no
clinical content and respect the client's opt-out."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clients.schedule import reminders
from clients.schedule import services as scheduling
from clients.schedule.models import CalendarFeed
from contacts import services as contact_services
from practice.models import AuditAction, AuditEvent
from tests.factories import DiagnosisFactory

pytestmark = pytest.mark.django_db

SECRET_SUMMARY = "Client disclosed panic attacks at work"


@pytest.fixture
def tomorrow_10(client_record, alice, fran):
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    appointment = scheduling.appointment_book(
        client=client_record,
        clinician=alice,
        start=start + timedelta(days=1),
        duration_minutes=50,
        service_type="individual",
        actor=fran,
    )
    DiagnosisFactory(
        client=client_record, code="F41.0", description="Panic disorder", is_primary=False
    )
    contact_services.contact_note_create(
        client=client_record,
        author=alice,
        contact_at=timezone.now() - timedelta(hours=1),
        reason="crisis",
        means=["phone"],
        minutes=10,
        summary=SECRET_SUMMARY,
        sign=True,
    )
    client_record.email = "casey@example.org"
    client_record.save()
    return appointment


def test_feed_parses_and_holds_initials_never_the_name(client_record, alice, tomorrow_10, login):
    http = login(alice)
    http.post(reverse("schedule:feed"), {"action": "new"})
    feed = CalendarFeed.objects.get(user=alice, revoked_at__isnull=True)
    response = http.__class__().get(reverse("schedule:feed_ics", args=[feed.token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["SUMMARY"]) == "Appointment C.Z."
    assert event.decoded("DTSTART") == tomorrow_10.start
    text = response.content.decode()
    for secret in ("Casey", "Zebulon", client_record.mrn, "Panic", "F41", "individual",
                   "psychotherapy", SECRET_SUMMARY):
        assert secret.lower() not in text.lower(), secret
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="schedule.calendarfeed", user=alice
    ).exists()


def test_a_revoked_or_replaced_feed_url_stops_working(alice, login):
    http = login(alice)
    http.post(reverse("schedule:feed"), {"action": "new"})
    old = CalendarFeed.objects.get(user=alice).token
    http.post(reverse("schedule:feed"), {"action": "new"})
    anonymous = http.__class__()
    assert anonymous.get(reverse("schedule:feed_ics", args=[old])).status_code == 404
    new = CalendarFeed.objects.get(user=alice, revoked_at__isnull=True).token
    assert anonymous.get(reverse("schedule:feed_ics", args=[new])).status_code == 200
    http.post(reverse("schedule:feed"), {"action": "off"})
    assert anonymous.get(reverse("schedule:feed_ics", args=[new])).status_code == 404
    assert anonymous.get(reverse("schedule:feed_ics", args=["guess"])).status_code == 404


def test_only_clinicians_have_a_feed(fran, login):
    assert login(fran).get(reverse("schedule:feed")).status_code == 403


def test_reminder_has_no_clinical_content_and_goes_once(client_record, tomorrow_10, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert reminders.reminders_send() == 1
    assert reminders.reminders_send() == 0  # already reminded
    message = mail.outbox[0]
    assert message.to == ["casey@example.org"]
    text = f"{message.subject}\n{message.body}"
    assert "Casey" in text and "Alice Adams" in text
    assert timezone.localtime(tomorrow_10.start).strftime("%H:%M") in text
    for secret in ("Panic", "F41", "disorder", "Individual", "psychotherapy", "crisis",
                   SECRET_SUMMARY, "Zebulon", client_record.mrn):
        assert secret.lower() not in text.lower(), secret


def test_a_client_who_opted_out_gets_no_reminder(client_record, tomorrow_10, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client_record.appointment_reminders = False
    client_record.save()
    assert reminders.reminders_send() == 0 and mail.outbox == []


def test_the_beat_task_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["appointment-reminders"]
    assert entry["task"] == "clients.schedule.tasks.send_appointment_reminders"
