"""Demo clients: about twenty, with care teams, diagnoses, collaterals and releases."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone

from clients import services
from clients.models import CareTeamRole, Client, Relationship

FIRST = [
    "Avery",
    "Jordan",
    "Maya",
    "Elijah",
    "Sofia",
    "Noah",
    "Priya",
    "Lucas",
    "Amara",
    "Mateo",
    "Hana",
    "Owen",
    "Zoe",
    "Isaac",
    "Leila",
    "Caleb",
    "Nora",
    "Felix",
    "Imani",
    "Theo",
]
LAST = [
    "Rivera",
    "Bennett",
    "Okoye",
    "Larsen",
    "Haddad",
    "Moreau",
    "Tanaka",
    "Silva",
    "Kowalski",
    "Osei",
    "Duarte",
    "Whitfield",
    "Novak",
    "Achebe",
    "Lindqvist",
    "Castillo",
    "Murphy",
    "Petrov",
    "Sandoval",
    "Brennan",
]
PRONOUNS = ["she/her", "he/him", "they/them", "she/they", ""]
DX = ["F41.1", "F32.1", "F33.1", "F43.10", "F43.23", "F90.2", "F40.10", "F42.2", "F41.0", "F34.1"]


def seed(users: dict, rng: random.Random) -> list[Client]:
    admin = users["admin"]
    today = timezone.localdate()
    clients = []
    for i in range(20):
        mrn = f"RB-{i + 1:06d}"
        existing = Client.objects.filter(mrn=mrn).first()
        if existing:
            clients.append(existing)
            continue
        # Every fourth client is a minor, so the parent/ROI flows can be tried.
        age = rng.randint(9, 16) if i % 4 == 0 else rng.randint(19, 72)
        dob = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        client = services.client_register(
            actor=admin,
            mrn=mrn,
            legal_first_name=FIRST[i],
            legal_last_name=LAST[i],
            preferred_name="Jay" if i == 1 else "",
            pronouns=PRONOUNS[i % len(PRONOUNS)],
            date_of_birth=dob,
            phone=f"555-01{i:02d}",
            email=f"{FIRST[i].lower()}.{LAST[i].lower()}@example.invalid",
            address=f"{100 + i} Elm Street\nRiverbend, NY 12000",
        )
        primary = users["clinician"] if i % 2 == 0 else users["clinician2"]
        services.care_team_add(
            client=client, clinician=primary, actor=admin, role=CareTeamRole.PRIMARY
        )
        if i % 5 == 0 and primary != users["clinician"]:
            services.care_team_add(client=client, clinician=users["clinician"], actor=admin)
        codes = rng.sample(DX, 2 if i % 3 == 0 else 1)
        for n, code in enumerate(codes):
            services.diagnosis_add(
                client=client,
                actor=primary,
                code=code,
                is_primary=(n == 0),
                onset_date=today - timedelta(days=rng.randint(60, 900)),
            )
        if client.is_minor:
            parent = services.collateral_add(
                client=client,
                actor=admin,
                name=f"{rng.choice(FIRST)} {LAST[i]}",
                relationship=Relationship.PARENT,
                phone=f"555-02{i:02d}",
            )
            services.roi_add(
                contact=parent,
                actor=admin,
                signed_date=today - timedelta(days=90),
                expires_on=today + timedelta(days=275),
                scope="Attendance, progress and safety concerns",
            )
        if i % 3 == 1:
            doctor = services.collateral_add(
                client=client,
                actor=admin,
                name=f"Dr. {rng.choice(LAST)}",
                relationship=Relationship.PHYSICIAN,
                organization="Riverbend Family Medicine",
                phone="555-0300",
                fax="555-0301",
            )
            if i % 2 == 1:
                # An expired release: talking to this doctor must be refused.
                services.roi_add(
                    contact=doctor,
                    actor=admin,
                    signed_date=today - timedelta(days=500),
                    expires_on=today - timedelta(days=135),
                    scope="Coordination of care",
                )
        clients.append(client)
    return clients
