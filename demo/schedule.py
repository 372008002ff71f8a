"""Demo records for the daily flow (issue 14): minors' parents marked as their
personal representatives, and a weekly series for one client. Idempotent."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from clients.models import Client, CollateralContact, Relationship
from clients.schedule import recurrence, series
from clients.schedule.models import AppointmentSeries


def seed(users: dict, clients: list[Client], rng: random.Random) -> None:
    # Each minor's parent is their personal representative: no release needed
    # until the client's 18th birthday (the demo parents also hold a release).
    CollateralContact.objects.filter(
        client__in=[c for c in clients if c.is_minor], relationship=Relationship.PARENT
    ).update(is_personal_representative=True)
    # A weekly series on Thursdays at 15:00 for the first adult client of Dana's.
    client = next(
        (
            c
            for c in clients
            if not c.is_minor and c.care_team.filter(clinician=users["clinician"]).exists()
        ),
        None,
    )
    if client is None or AppointmentSeries.objects.filter(client=client).exists():
        return
    today = timezone.localdate()
    thursday = today + timedelta(days=(3 - today.weekday()) % 7 or 7)
    first = timezone.make_aware(datetime.combine(thursday, time(15, 0)))
    series.appointment_series_book(
        client=client,
        clinician=users["clinician"],
        first_start=first,
        duration_minutes=50,
        service_type="individual",
        rule=recurrence.build_rule(frequency=recurrence.WEEKLY, count=10),
        actor=users["frontdesk"],
        skip_conflicts=True,
    )
