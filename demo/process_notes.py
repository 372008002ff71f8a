"""Demo process notes: two by ``clinician`` about one client on their caseload.
Idempotent, and skipped when no process-note key is configured."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from clients.models import CareTeamMember
from notes.psychotherapy import crypto, services
from notes.psychotherapy.models import ProcessNote

DEMO_TEXTS = [
    "Noticed my own impatience when the client circled back to the same story; "
    "wonder whether I am carrying the family's sense of urgency. Bring to consultation.",
    "Hypothesis: the humour deflects whenever the father comes up. Try staying with the "
    "pause next time rather than filling it.",
]


def seed(users: dict, clients: list, rng: random.Random) -> None:
    if not crypto.is_configured():
        return
    clinician = users["clinician"]
    if ProcessNote.objects.filter(author=clinician).exists():
        return
    member = (
        CareTeamMember.objects.filter(clinician=clinician, client__in=clients)
        .select_related("client")
        .order_by("client__mrn")
        .first()
    )
    if member is None:
        return
    today = timezone.localdate()
    for days_ago, text in zip((14, 7), DEMO_TEXTS, strict=True):
        services.process_note_create(
            author=clinician,
            client=member.client,
            text=text,
            session_date=today - timedelta(days=days_ago + rng.randint(0, 2)),
        )
