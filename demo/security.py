"""Demo records for the security features: amendment requests (one pending,
one denied with a statement of disagreement) and one emergency access waiting
for the practice admin's review. Idempotent."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from clients.amendments import services as amendments
from clients.models import AmendmentRequest, EmergencyAccess


def _caseload(clients, clinician):
    return [c for c in clients if c.care_team.filter(clinician=clinician).exists()]


def seed(users: dict, clients: list, rng: random.Random) -> None:
    clinician, desk = users["clinician"], users["frontdesk"]
    own = _caseload(clients, clinician)
    if not own or AmendmentRequest.objects.exists():
        return
    today = timezone.localdate()
    amendments.amendment_request_log(
        client=own[0],
        actor=desk,
        received_on=today - timedelta(days=3),
        requested_by="Client",
        record_reference="Intake assessment",
        requested_change="The intake says I drink daily. I said weekly, on weekends.",
    )
    denied = amendments.amendment_request_log(
        client=own[0],
        actor=desk,
        received_on=today - timedelta(days=40),
        requested_by="Client",
        record_reference="Diagnosis",
        requested_change="Please remove the anxiety diagnosis from my record.",
    )
    amendments.amendment_deny(
        req=denied,
        actor=clinician,
        denial_reason="The diagnosis is accurate and complete as documented at intake.",
    )
    amendments.amendment_disagreement_attach(
        req=AmendmentRequest.objects.get(pk=denied.pk),
        actor=desk,
        statement="I do not agree that I have an anxiety disorder.",
        received_on=today - timedelta(days=10),
    )
    # One emergency access by the second clinician to a client outside their teams.
    other = users["clinician2"]
    outside = [c for c in clients if not c.care_team.filter(clinician=other).exists()]
    if outside and not EmergencyAccess.objects.exists():
        now = timezone.now()
        EmergencyAccess.objects.create(
            client=outside[0],
            user=other,
            reason="Client called the crisis line; primary clinician on leave.",
            started_at=now - timedelta(days=1, hours=1),
            expires_at=now - timedelta(days=1),
        )
