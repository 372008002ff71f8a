"""Keeps the demo's day meaningful when ``seed_demo`` runs again on a later day.

The feature demos seed once (their records are dated from the day they first
ran). This adds only what a role's day is missing *today*: appointments for each
demo clinician, a draft for ``clinician`` to finish, and a supervisee's note for
the supervisor to co-sign (the demo one is used up once co-signed). Idempotent on
any one day.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from clients.models import Appointment, ServiceType
from clients.schedule import services as scheduling
from demo.notes import COMMON, SECTIONS
from notes import services as notes
from notes.formats import NoteFormat
from notes.models import NoteStatus, ProgressNote
from practice.dates import day_bounds


def _caseload(clients, clinician):
    return [c for c in clients if c.care_team.filter(clinician=clinician, role="primary").exists()]


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    return day_bounds(day)


def _appointments(users, clients, *, today: date) -> None:
    lower, upper = _day_bounds(today)
    desk = users["frontdesk"]
    for offset, key in enumerate(("clinician", "clinician2")):
        clinician = users.get(key)
        caseload = _caseload(clients, clinician) if clinician else []
        if not caseload:
            continue
        if Appointment.objects.filter(clinician=clinician, start__gte=lower, start__lt=upper):
            continue
        for i, hour in enumerate((9, 11, 14, 16)):
            start = timezone.make_aware(datetime.combine(today, time(hour, 30 * offset)))
            scheduling.appointment_book(
                client=caseload[(today.toordinal() + i) % len(caseload)],
                clinician=clinician,
                start=start,
                duration_minutes=50,
                service_type=ServiceType.INDIVIDUAL,
                actor=desk,
                now=start - timedelta(days=7),
            )


def _note(client, author, fmt, day, hour):
    note = notes.note_create(
        client=client,
        author=author,
        format=fmt,
        service_date=day,
        start_time=time(hour, 0),
        end_time=time(hour, 53),
        service_type="individual",
    )
    notes.note_update(note=note, actor=author, **{**COMMON, **SECTIONS[fmt]})
    return note


def _notes(users, clients, *, today: date, now: datetime) -> None:
    clinician = users.get("clinician")
    mine = _caseload(clients, clinician) if clinician else []
    if mine and not ProgressNote.objects.filter(author=clinician, status=NoteStatus.DRAFT):
        client = mine[min(1, len(mine) - 1)]  # not the first demo draft's client and hour
        draft = _note(client, clinician, NoteFormat.SOAP, today - timedelta(days=2), 16)
        ProgressNote.objects.filter(pk=draft.pk).update(created_at=now - timedelta(days=2))
    associate = users.get("clinician2")
    if associate is None or not associate.requires_cosign:
        return
    theirs = _caseload(clients, associate)
    awaiting = ProgressNote.objects.filter(
        author=associate,
        status=NoteStatus.SIGNED,
        cosign_required=True,
        cosigned_at__isnull=True,
    )
    if theirs and not awaiting.exists():
        yesterday = today - timedelta(days=1)
        # Another client and hour than the first demo note, which may be the same day.
        client = theirs[min(1, len(theirs) - 1)]
        note = _note(client, associate, NoteFormat.DAP, yesterday, 15)
        signed_at = timezone.make_aware(datetime.combine(yesterday, time(17, 0)))
        notes.note_sign(note=note, actor=associate, now=signed_at)


def seed_day(users: dict, clients: list, *, today: date, now: datetime) -> None:
    _appointments(users, clients, today=today)
    _notes(users, clients, today=today, now=now)


def seed(users: dict, clients: list, rng: random.Random) -> None:
    seed_day(users, clients, today=timezone.localdate(), now=timezone.now())
