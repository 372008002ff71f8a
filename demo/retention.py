"""Demo record for the retention report: a former client discharged long ago,
never seen since, whose retain-until date has passed, so the practice admin's
report has a row to read. Idempotent (by MRN)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from clients import services
from clients.models import Client

# Not in the practice sequence (PREFIX-nnnnnn): a record migrated from the
# paper archive, so it never makes the next new MRN jump.
MRN = "RB-R09001"


def seed(users: dict, clients: list, rng: random.Random) -> None:
    if Client.objects.filter(mrn=MRN).exists():
        return
    admin = users["admin"]
    today = timezone.localdate()
    registered = date(today.year - 9, 3, 14)
    client = services.client_register(
        actor=admin,
        mrn=MRN,
        legal_first_name="Harold",
        legal_last_name="Whitcombe",
        date_of_birth=date(today.year - 61, 6, 2),
        phone="555-0990",
        address="9 Mill Lane\nRiverbend, NY 12000",
    )
    # Registered nine years ago (the demo's stand-in for an old paper-era record).
    Client.objects.filter(pk=client.pk).update(
        created_at=timezone.make_aware(datetime.combine(registered, time(10, 0)))
    )
    services.client_discharge(client=client, actor=admin, on=registered + timedelta(days=120))
