"""Demo measures: a PHQ-9 and GAD-7 history for the demo clinician's first
client (improving, with a GAD-7 repeat that is due), and a recent PHQ-9 with a
positive item 9 for a second client (an open alert on the caseload).
Idempotent: seeds only when no measure exists yet.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from notes.measures import services
from notes.measures.models import GivenBy, MeasureResult

# Answers oldest first: PHQ-9 18 -> 14 -> 11 -> 7, GAD-7 13 -> 10 -> 8.
PHQ9_HISTORY = (
    (84, [3, 2, 2, 3, 2, 2, 2, 2, 0]),
    (56, [2, 2, 2, 2, 2, 1, 2, 1, 0]),
    (28, [2, 2, 1, 2, 1, 1, 1, 1, 0]),
    (7, [1, 1, 1, 1, 1, 1, 1, 0, 0]),
)
GAD7_HISTORY = (
    (86, [2, 2, 2, 2, 2, 2, 1]),
    (58, [2, 2, 2, 1, 1, 1, 1]),
    (30, [1, 2, 1, 1, 1, 1, 1]),
)


def seed(users: dict, clients: list, rng: random.Random) -> None:
    if MeasureResult.objects.exists():
        return
    clinician = users["clinician"]
    mine = [c for c in clients if c.care_team.filter(clinician=clinician, role="primary").exists()]
    if not mine:
        return
    now = timezone.now()
    first = mine[0]
    for days_ago, answers in PHQ9_HISTORY:
        services.measure_record(
            client=first,
            instrument="phq9",
            answers=answers,
            clinician=clinician,
            given_by=GivenBy.CLIENT if days_ago == 7 else GivenBy.CLINICIAN,
            now=now - timedelta(days=days_ago),
        )
    for days_ago, answers in GAD7_HISTORY:
        services.measure_record(
            client=first,
            instrument="gad7",
            answers=answers,
            clinician=clinician,
            now=now - timedelta(days=days_ago),
        )
    today = timezone.localdate()
    for instrument in ("phq9", "gad7"):
        services.measure_schedule_set(
            client=first,
            instrument=instrument,
            every_days=28,
            starts_on=today - timedelta(days=84),
            actor=clinician,
        )
    # The open alert goes to a client no other demo signs notes for (the alert
    # would hold those notes): the last of the caseload, not shared with anyone.
    associate = users.get("clinician2")
    quiet = [
        c
        for c in mine[4:]
        if associate is None or not c.care_team.filter(clinician=associate).exists()
    ]
    if quiet:
        services.measure_record(
            client=quiet[-1],
            instrument="phq9",
            answers=[2, 2, 1, 2, 1, 2, 1, 1, 1],
            clinician=clinician,
            now=now - timedelta(days=1),
        )
