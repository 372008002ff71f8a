"""Demo schedule and contact notes. Idempotent: seeds only when no appointment exists."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from clients.models import Appointment, Relationship, ServiceType
from clients.schedule import services as scheduling
from contacts import services
from contacts.models import Means, Reason


def _at(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _caseload(clients, clinician):
    return [c for c in clients if c.care_team.filter(clinician=clinician, role="primary").exists()]


def seed(users: dict, clients: list, rng: random.Random) -> None:
    if Appointment.objects.exists():
        return
    desk = users["frontdesk"]
    now = timezone.now()
    today = timezone.localdate()
    phone = [Means.PHONE]
    for offset, key in enumerate(("clinician", "clinician2")):
        clinician = users[key]
        caseload = _caseload(clients, clinician)
        if not caseload:
            continue

        def book(start, client, service=ServiceType.INDIVIDUAL, clinician=clinician):
            return scheduling.appointment_book(
                client=client,
                clinician=clinician,
                start=start,
                duration_minutes=50,
                service_type=service,
                actor=desk,
                now=start - timedelta(days=7),
            )

        # Past two weeks, weekdays: mostly completed, one no-show and one late cancellation.
        n = 0
        for days_ago in range(14, 0, -1):
            day = today - timedelta(days=days_ago)
            if day.weekday() >= 5:
                continue
            for hour in (9 + offset, 13 + offset):
                client = caseload[n % len(caseload)]
                n += 1
                appt = book(_at(day, hour), client)
                after = appt.start + timedelta(minutes=20)
                if days_ago == 6 and hour < 12:
                    scheduling.appointment_mark_no_show(
                        appointment=appt, actor=desk, means=phone, minutes=5, now=after
                    )
                elif days_ago == 4 and hour > 12:
                    scheduling.appointment_cancel(
                        appointment=appt,
                        actor=desk,
                        by=scheduling.BY_CLIENT,
                        notice_at=appt.start - timedelta(hours=3),
                        means=phone,
                        minutes=4,
                        now=appt.start - timedelta(hours=3),
                    )
                else:
                    scheduling.appointment_complete(appointment=appt, actor=desk, now=after)
        # Today: two that have already started (for no-show / completed) and two later.
        base = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
        for i, delta in enumerate((-3, -1, 1, 3)):
            start = base + timedelta(hours=delta, minutes=30 * offset)
            if timezone.localdate(start) != today:
                continue
            scheduling.appointment_book(
                client=caseload[(n + i) % len(caseload)],
                clinician=clinician,
                start=start,
                duration_minutes=50,
                service_type=ServiceType.INDIVIDUAL,
                actor=desk,
                now=start - timedelta(days=7),
            )
        # Next week.
        for days_ahead in range(1, 8):
            day = today + timedelta(days=days_ahead)
            if day.weekday() >= 5:
                continue
            client = caseload[(n + days_ahead) % len(caseload)]
            service = ServiceType.FAMILY_WITH_CLIENT if client.is_minor else ServiceType.INDIVIDUAL
            book(_at(day, 10 + offset), client, service)

    # A billable coordination-of-care call with a parent who has an active release.
    clinician = users["clinician"]
    for client in _caseload(clients, clinician):
        parent = client.collaterals.filter(relationship=Relationship.PARENT).first()
        if parent is None or parent.active_release_on(today - timedelta(days=3)) is None:
            continue
        services.contact_note_create(
            client=client,
            author=clinician,
            collateral=parent,
            contact_at=now - timedelta(days=3, hours=2),
            reason=Reason.COORDINATION,
            means=[Means.PHONE],
            minutes=20,
            billable=True,
            summary=(
                "Parent called about school refusal this week. Reviewed the coping plan and "
                "agreed the parent will contact the school counsellor. Follow up next session."
            ),
            sign=True,
        )
        services.contact_note_create(
            client=client,
            author=clinician,
            contact_at=now - timedelta(days=1, hours=5),
            reason=Reason.TREATMENT_UPDATE,
            means=[Means.TEXT, Means.PHONE],
            minutes=10,
            summary="Client reported sleeping better; reinforced the wind-down routine.",
            sign=True,
        )
        break
