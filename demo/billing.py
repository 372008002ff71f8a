"""Demo billing: signed sessions and billable contact minutes in LAST calendar month
and in this month, so the biller's "export last month" has non-zero totals on any day.

Adds only what is missing: each period gets sessions when it has no billable
session, and contact minutes when it has no billable contact. Runs after the
notes and contacts demos (seed_demo's APP_SEEDERS order), so it fills the gaps
they leave; running it again adds nothing.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from billing import selectors
from contacts import services as contacts
from contacts.models import Means, Reason
from demo.notes import COMMON, SECTIONS
from notes import services as notes
from notes.formats import NoteFormat

# (day offset from the period's first day, start hour, minutes, format)
SESSIONS = [
    (0, 9, 53, NoteFormat.SOAP),
    (3, 11, 45, NoteFormat.DAP),
    (8, 14, 53, NoteFormat.BIRP),
    (10, 10, 30, NoteFormat.SOAP),
    (15, 9, 53, NoteFormat.DAP),
    (22, 13, 45, NoteFormat.SOAP),
]
# (day offset, hour, minutes, reason, means)
CONTACTS = [
    (2, 16, 15, Reason.COORDINATION, [Means.PHONE]),
    (9, 12, 25, Reason.COORDINATION, [Means.PHONE, Means.EMAIL]),
    (16, 15, 10, Reason.TREATMENT_UPDATE, [Means.PHONE]),
]


def _caseload(clients, clinician):
    return [c for c in clients if c.care_team.filter(clinician=clinician, role="primary").exists()]


def _days(start: date, end: date, offsets) -> list[date]:
    """The offsets that fall inside [start, end], moved off weekends where the period
    allows (early in a month the only past days may be a weekend)."""
    out = []
    for offset in offsets:
        day = start + timedelta(days=offset)
        if day > end:
            continue
        weekday = day
        while weekday.weekday() >= 5:
            weekday += timedelta(days=1)
        out.append(weekday if weekday <= end else day)
    return out


def _sessions(period, people, now) -> None:
    days = _days(period.start, period.end, [row[0] for row in SESSIONS])
    for i, ((_, hour, minutes, fmt), day) in enumerate(zip(SESSIONS, days, strict=False)):
        author, client, supervisor = people[i % len(people)]
        start = time(hour, 0)
        end = (datetime.combine(day, start) + timedelta(minutes=minutes)).time()
        note = notes.note_create(
            client=client,
            author=author,
            format=fmt,
            service_date=day,
            start_time=start,
            end_time=end,
            service_type="individual",
        )
        notes.note_update(note=note, actor=author, **{**COMMON, **SECTIONS[fmt]})
        signed_at = timezone.make_aware(datetime.combine(day, time(hour + 2, 0)))
        note = notes.note_sign(note=note, actor=author, now=min(signed_at, now))
        if note.cosign_required and supervisor is not None:
            notes.note_cosign(note=note, actor=supervisor, now=min(signed_at, now))


def _contacts(period, people, now) -> None:
    days = _days(period.start, period.end, [row[0] for row in CONTACTS])
    for i, ((_, hour, minutes, reason, means), day) in enumerate(zip(CONTACTS, days, strict=False)):
        author, client, _supervisor = people[i % len(people)]
        contact_at = timezone.make_aware(datetime.combine(day, time(hour, 0)))
        if contact_at > now:
            continue
        contacts.contact_note_create(
            client=client,
            author=author,
            contact_at=contact_at,
            reason=reason,
            means=means,
            minutes=minutes,
            billable=True,
            summary="Coordinated the treatment plan by phone; agreed next steps. "
            "Follow up at the next session.",
            sign=True,
            now=contact_at + timedelta(minutes=minutes),
        )


def seed(users: dict, clients: list, rng: random.Random) -> None:
    now = timezone.now()
    today = timezone.localdate()
    people = []
    for key in ("clinician", "clinician2"):
        author = users.get(key)
        caseload = _caseload(clients, author) if author else []
        for client in caseload[:3]:
            people.append((author, client, author.supervisor))
    if not people:
        return
    # Interleave the two clinicians' clients: each period has both.
    people = people[::3] + people[1::3] + people[2::3]
    start, end = selectors.last_month(today)
    this_month = today.replace(day=1)
    periods = [selectors.Period(start=start, end=end)]
    if today > this_month:  # this month so far, up to yesterday
        periods.append(selectors.Period(start=this_month, end=today - timedelta(days=1)))
    for period in periods:
        if not selectors.billable_sessions(period, unbilled_only=False).exists():
            _sessions(period, people, now)
        if not selectors.billable_contacts(period, unbilled_only=False).exists():
            _contacts(period, people, now)
