"""Demo progress notes: signed notes in each format, an amended one, a draft
older than 24 hours and a pre-licensed clinician's note awaiting co-signature.
Idempotent: seeds only when no progress note exists yet.
"""

from __future__ import annotations

import random
from datetime import time, timedelta

from django.utils import timezone

from notes import services
from notes.formats import NoteFormat
from notes.models import ProgressNote

COMMON = {
    "symptoms": "Low mood most days, early waking, poor concentration (PHQ-9 14).",
    "functional_impairment": "Missed three workdays this month; withdrawn from friends.",
    "progress": "Completed two of three planned activities; mood rating up from 3 to 5 of 10.",
    "next_appointment": "Weekly, same time next week",
    "interventions": ["cbt", "psychoeducation"],
    "risk_level": "low",
    "cssrs_result": "negative",
    "protective_factors": "Supportive partner, engaged in treatment, future-oriented.",
    "place_of_service": "11",
}
SECTIONS = {
    NoteFormat.SOAP: {
        "subjective": "Reports a hard week at work; 'I felt flat most days'. "
        "Slept about six hours.",
        "objective": "Casually dressed, soft speech, restricted affect, good eye contact. "
        "Thought process linear.",
        "assessment": "Depressive symptoms persist with slight improvement in activation.",
        "plan": "Continue weekly CBT; schedule two pleasant activities; review sleep diary.",
    },
    NoteFormat.DAP: {
        "data": "Client described conflict with a sibling and rumination at night. Practised "
        "thought records in session.",
        "assessment": "Rumination is the main maintaining factor; insight is good.",
        "plan": "Thought record three times this week; next session on worry time.",
    },
    NoteFormat.BIRP: {
        "behavior": "Arrived on time, fidgety, reported urges to avoid the supermarket.",
        "intervention": "Built an exposure hierarchy; paced breathing practice.",
        "response": "Engaged; rated first exposure step 40/100 distress, willing to try.",
        "plan": "Complete step one twice before the next session.",
    },
}


def _note(client, author, fmt, day, hour, service_type="individual", **extra):
    note = services.note_create(
        client=client,
        author=author,
        format=fmt,
        service_date=day,
        start_time=time(hour, 0),
        end_time=time(hour, 53),
        service_type=service_type,
    )
    fields = {**COMMON, **SECTIONS[fmt], **extra}
    services.note_update(note=note, actor=author, **fields)
    return note


def _caseload(clients, clinician):
    return [c for c in clients if c.care_team.filter(clinician=clinician, role="primary").exists()]


def seed(users: dict, clients: list, rng: random.Random) -> None:
    if ProgressNote.objects.exists():
        return
    today = timezone.localdate()
    now = timezone.now()
    clinician = users["clinician"]
    mine = _caseload(clients, clinician)
    if mine:
        first = mine[0]
        # One signed note in each format for the first client, newest last.
        for days_ago, fmt in ((21, NoteFormat.DAP), (14, NoteFormat.BIRP), (7, NoteFormat.SOAP)):
            note = _note(first, clinician, fmt, today - timedelta(days=days_ago), 10)
            note = services.note_sign(
                note=note, actor=clinician, now=now - timedelta(days=days_ago, hours=-2)
            )
        services.note_addendum_add(
            note=note,
            actor=clinician,
            text="Correction: the PHQ-9 score this session was 13, not 14.",
            now=now - timedelta(days=6),
        )
        # Signed notes for a few more clients, one with a shorter session.
        for i, client in enumerate(mine[1:4]):
            note = _note(client, clinician, NoteFormat.SOAP, today - timedelta(days=3 + i), 14)
            if i == 1:
                services.note_update(note=note, actor=clinician, end_time=time(14, 40))
            services.note_sign(note=note, actor=clinician, now=now - timedelta(days=3 + i))
        # A draft started two days ago and never signed: shows on the dashboard.
        draft = _note(mine[0], clinician, NoteFormat.SOAP, today - timedelta(days=2), 15)
        ProgressNote.objects.filter(pk=draft.pk).update(created_at=now - timedelta(days=2))

    # A pre-licensed clinician's signed note, awaiting the supervisor's co-signature.
    associate = users.get("clinician2")
    if associate is not None and associate.requires_cosign:
        theirs = _caseload(clients, associate)
        if theirs:
            note = _note(theirs[0], associate, NoteFormat.DAP, today - timedelta(days=1), 11)
            services.note_sign(note=note, actor=associate, now=now - timedelta(days=1))
