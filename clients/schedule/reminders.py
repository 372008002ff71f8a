"""Appointment reminders by e-mail, the day before, through Django's e-mail
backend (SMTP in production, files under var/mail in the try-out).

An e-mail leaves the practice's control, so the message says only when and with
whom: no reason, no service type, no diagnosis, nothing from a note. A client
can opt out (``Client.appointment_reminders``). Each appointment is reminded
at most once (``ReminderSent``), so beat can try every hour.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from clients.models import Appointment, AppointmentStatus, ClientStatus
from clients.schedule.models import ReminderSent
from practice.models import PracticeSettings

log = logging.getLogger(__name__)


def reminder_message(appointment: Appointment, *, practice: PracticeSettings) -> EmailMessage:
    """The reminder for one appointment (not sent)."""
    context = {
        "first_name": appointment.client.preferred_name or appointment.client.legal_first_name,
        "start": timezone.localtime(appointment.start),
        "clinician": appointment.clinician.get_full_name(),
        "practice": practice,
    }
    subject = render_to_string("schedule/email/reminder_subject.txt", context).strip()
    body = render_to_string("schedule/email/reminder.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[appointment.client.email],
    )


def due_for_reminder(*, now: datetime | None = None):
    """Tomorrow's scheduled appointments (practice time) of clients who want
    reminders and have an e-mail address, not yet reminded."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    lower = timezone.make_aware(datetime.combine(tomorrow, time.min))
    upper = timezone.make_aware(datetime.combine(tomorrow + timedelta(days=1), time.min))
    return (
        Appointment.objects.filter(
            start__gte=lower,
            start__lt=upper,
            status=AppointmentStatus.SCHEDULED,
            client__status=ClientStatus.ACTIVE,
            client__appointment_reminders=True,
            reminder_sent__isnull=True,
        )
        .exclude(client__email="")
        .select_related("client", "clinician")
    )


def reminders_send(*, now: datetime | None = None) -> int:
    """Send tomorrow's reminders; returns how many went out."""
    now = now or timezone.now()
    practice = PracticeSettings.load()
    sent = 0
    for appointment in due_for_reminder(now=now):
        try:
            with transaction.atomic():
                # Claim first: two beat runs (or workers) never send one twice.
                ReminderSent.objects.create(appointment=appointment, sent_at=now)
                reminder_message(appointment, practice=practice).send()
        except IntegrityError:
            continue
        except Exception:
            # Ids only in the log (no address, no name).
            log.exception("reminder for appointment %s not sent", appointment.uuid)
            continue
        sent += 1
    return sent
