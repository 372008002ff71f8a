"""Demo process notes: two by ``clinician`` about one client on their caseload.
Idempotent, and skipped when no process-note key is configured or the demo
password is unknown (the notes are sealed under the clinician's password, as
at a real sign-in)."""

from __future__ import annotations

import os
import random
from datetime import timedelta

from django.utils import timezone

from clients.models import CareTeamMember
from notes.psychotherapy import crypto, sealing, services
from notes.psychotherapy.models import ProcessNote

DEMO_TEXTS = [
    "Noticed my own impatience when the client circled back to the same story; "
    "wonder whether I am carrying the family's sense of urgency. Bring to consultation.",
    "Hypothesis: the humour deflects whenever the father comes up. Try staying with the "
    "pause next time rather than filling it.",
]


def seed(users: dict, clients: list, rng: random.Random, password: str | None = None) -> None:
    password = password or os.environ.get("DEMO_PASSWORD", "")
    if not crypto.is_configured() or not password:
        return
    clinician = users["clinician"]
    if ProcessNote.objects.filter(author=clinician).exists():
        return
    key = sealing.unlock_with_password(clinician, password)
    if key is None:
        if sealing.author_key(clinician) is not None:
            return  # sealed under another password: leave it alone
        key = sealing.author_key_create(author=clinician, password=password)
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
            key=key,
            session_date=today - timedelta(days=days_ago + rng.randint(0, 2)),
        )
