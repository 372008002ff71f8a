"""Recurring appointments: book a series, and change or cancel "this one",
"this and following" or "all" of it.

Every appointment of a series is an ordinary ``Appointment`` (booked through
the same service, so the same rules and audit apply), linked to its series by
a ``SeriesOccurrence``. Conflicts with the clinician's other appointments are
found before anything is saved (``series_preview``), so the booking page can
show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from clients.models import Appointment, AppointmentStatus, Client
from clients.schedule import recurrence
from clients.schedule import services as scheduling
from clients.schedule.models import AppointmentSeries, SeriesOccurrence
from contacts.services import contact_note_create
from practice import audit
from practice.models import AuditAction

THIS = "this"
FOLLOWING = "following"
ALL = "all"
SCOPE_CHOICES = [
    (THIS, "This appointment only"),
    (FOLLOWING, "This and all following appointments"),
    (ALL, "All remaining appointments of the series"),
]


@dataclass(frozen=True)
class Occurrence:
    start: datetime
    conflict: Appointment | None  # the clinician's appointment it overlaps, if any

    @property
    def ok(self) -> bool:
        return self.conflict is None


def conflict_for(
    clinician, start: datetime, minutes: int, *, exclude: set[int] | frozenset = frozenset()
) -> Appointment | None:
    """The clinician's scheduled appointment overlapping [start, start+minutes), if any."""
    end = start + timedelta(minutes=minutes)
    nearby = (
        Appointment.objects.filter(
            clinician=clinician,
            status=AppointmentStatus.SCHEDULED,
            start__lt=end,
            start__gt=start - timedelta(minutes=scheduling.MAX_DURATION),
        )
        .exclude(pk__in=exclude)
        .select_related("client")
    )
    return next((a for a in nearby if a.end > start), None)


def series_preview(
    *, clinician, first_start: datetime, duration_minutes: int, rule: str
) -> list[Occurrence]:
    """Every start of the series with the conflict it would have. Nothing is saved."""
    return [
        Occurrence(start, conflict_for(clinician, start, duration_minutes))
        for start in recurrence.occurrences(rule, first_start)
    ]


@transaction.atomic
def appointment_series_book(
    *,
    client: Client,
    clinician,
    first_start: datetime,
    duration_minutes: int,
    service_type: str,
    rule: str,
    actor,
    skip_conflicts: bool = False,
    request=None,
    now: datetime | None = None,
) -> tuple[AppointmentSeries, list[Appointment], list[Occurrence]]:
    """Book every occurrence of ``rule`` from ``first_start``.

    Refuses (SchedulingError) when any occurrence conflicts, unless
    ``skip_conflicts``: then the conflicting dates are left out and returned.
    Returns (series, booked appointments, skipped occurrences).
    """
    now = now or timezone.now()
    try:
        preview = series_preview(
            clinician=clinician,
            first_start=first_start,
            duration_minutes=duration_minutes,
            rule=rule,
        )
    except recurrence.RecurrenceError as exc:
        raise scheduling.SchedulingError(str(exc), "frequency") from None
    skipped = [o for o in preview if not o.ok]
    if skipped and not skip_conflicts:
        dates = ", ".join(f"{timezone.localtime(o.start):%Y-%m-%d %H:%M}" for o in skipped)
        raise scheduling.SchedulingError(
            f"{clinician.get_full_name()} already has appointments at: {dates}. "
            "Change the time, or book the series without those dates.",
            "start",
        )
    if len(skipped) == len(preview):
        raise scheduling.SchedulingError("Every date of this series conflicts.", "start")
    series = AppointmentSeries(
        client=client,
        clinician=clinician,
        rrule=rule,
        first_start=first_start,
        duration_minutes=duration_minutes,
        service_type=service_type,
        created_by=actor,
    )
    series.full_clean()
    series.save()
    booked = []
    for occurrence in preview:
        if not occurrence.ok:
            continue
        appointment = scheduling.appointment_book(
            client=client,
            clinician=clinician,
            start=occurrence.start,
            duration_minutes=duration_minutes,
            service_type=service_type,
            actor=actor,
            request=request,
            now=now,
        )
        SeriesOccurrence.objects.create(
            series=series, appointment=appointment, original_start=occurrence.start
        )
        booked.append(appointment)
    audit.record(
        AuditAction.CREATE,
        request=request,
        user=actor,
        obj=series,
        client=client,
        detail={"rule": rule, "booked": len(booked), "skipped": len(skipped)},
    )
    return series, booked, skipped


def series_of(appointment: Appointment) -> AppointmentSeries | None:
    link = SeriesOccurrence.objects.filter(appointment=appointment).select_related("series")
    first = link.first()
    return first.series if first else None


def _in_scope(appointment: Appointment, scope: str) -> list[Appointment]:
    """The still-scheduled appointments of the series the change applies to."""
    series = series_of(appointment)
    if series is None or scope == THIS:
        return [appointment]
    rows = Appointment.objects.filter(
        series_occurrence__series=series, status=AppointmentStatus.SCHEDULED
    ).order_by("start")
    if scope == FOLLOWING:
        rows = rows.filter(start__gte=appointment.start)
    elif scope == ALL:
        rows = rows.filter(start__gte=min(appointment.start, timezone.now()))
    else:
        raise scheduling.SchedulingError("Choose which appointments to change.", "scope")
    return list(rows)


def _dates(appointments) -> str:
    return ", ".join(f"{timezone.localtime(a.start):%Y-%m-%d}" for a in appointments)


@transaction.atomic
def series_cancel(
    *,
    appointment: Appointment,
    scope: str,
    actor,
    by: str,
    notice_at: datetime,
    means: list[str],
    minutes: int,
    summary: str = "",
    request=None,
    now: datetime | None = None,
):
    """Cancel one appointment, or it and the following ones, or all remaining.

    The chosen appointment is cancelled through ``appointment_cancel`` (fee
    decision and signed contact note, which lists the other dates); the others
    get the same status change and their own fee decision, recorded on each
    appointment. Returns (appointments cancelled, note).
    """
    now = now or timezone.now()
    targets = _in_scope(appointment, scope)
    if appointment not in targets:
        raise scheduling.SchedulingError("This appointment is no longer scheduled; reload.")
    others = [a for a in targets if a.pk != appointment.pk]
    if others:
        summary = (
            f"{summary.strip()} Also cancelled with the series: {_dates(others)}.".strip()
        )
    appointment, note, fee = scheduling.appointment_cancel(
        appointment=appointment,
        actor=actor,
        by=by,
        notice_at=notice_at,
        means=means,
        minutes=minutes,
        summary=summary,
        request=request,
        now=now,
    )
    policy = scheduling.PracticeSettings.load()
    for other in others:
        fee = scheduling.cancellation_fee(
            start=other.start, notice_at=notice_at, by=by, policy=policy
        )
        if by == scheduling.BY_PRACTICE:
            status = AppointmentStatus.CANCELLED_PRACTICE
        else:
            status = AppointmentStatus.LATE_CANCEL if fee.late else (
                AppointmentStatus.CANCELLED_CLIENT
            )
        scheduling._transition(
            other,
            status,
            now,
            cancelled_at=notice_at,
            notice_hours=fee.notice_hours,
            fee_applies=fee.applies,
            fee_amount=fee.amount,
        )
        audit.record(
            AuditAction.UPDATE,
            request=request,
            user=actor,
            obj=other,
            client=other.client,
            detail={"status": other.status, "series_scope": scope, "note": str(note.uuid)},
        )
    return [appointment, *others], note


@transaction.atomic
def series_move(
    *,
    appointment: Appointment,
    scope: str,
    new_start: datetime,
    actor,
    means: list[str],
    minutes: int,
    summary: str = "",
    request=None,
    now: datetime | None = None,
):
    """Move one appointment (a reschedule: new appointment, old one marked
    rescheduled), or shift it and the following / all remaining ones by the
    same amount. Conflicts refuse the whole change. Returns the moved
    appointments (new ones for a single reschedule)."""
    now = now or timezone.now()
    if scope == THIS or series_of(appointment) is None:
        _, new, _ = scheduling.appointment_reschedule(
            appointment=appointment,
            actor=actor,
            new_start=new_start,
            means=means,
            minutes=minutes,
            summary=summary,
            request=request,
            now=now,
        )
        link = SeriesOccurrence.objects.filter(appointment=appointment).first()
        if link is not None:
            SeriesOccurrence.objects.create(
                series=link.series, appointment=new, original_start=link.original_start
            )
        return [new]
    targets = _in_scope(appointment, scope)
    delta = new_start - appointment.start
    if new_start < now:
        raise scheduling.SchedulingError(
            "An appointment cannot be moved into the past.", "new_start"
        )
    own = {a.pk for a in targets}
    clashes = []
    for target in targets:
        # Shift the local wall-clock time, so a move across a DST change keeps the hour.
        moved = timezone.make_aware(timezone.localtime(target.start).replace(tzinfo=None) + delta)
        clash = conflict_for(target.clinician, moved, target.duration_minutes, exclude=own)
        if clash is not None:
            clashes.append(moved)
        target.new_start = moved
    if clashes:
        raise scheduling.SchedulingError(
            "The clinician already has appointments at: "
            + ", ".join(f"{timezone.localtime(c):%Y-%m-%d %H:%M}" for c in clashes),
            "new_start",
        )
    for target in targets:
        updated = Appointment.objects.filter(
            pk=target.pk, status=AppointmentStatus.SCHEDULED
        ).update(start=target.new_start)
        if updated != 1:
            raise scheduling.SchedulingError("An appointment of the series changed; reload.")
        audit.record(
            AuditAction.UPDATE,
            request=request,
            user=actor,
            obj=target,
            client=target.client,
            detail={"moved_by_minutes": int(delta.total_seconds() // 60), "series_scope": scope},
        )
    # One note records the change for the client's log.
    first = timezone.localtime(targets[0].new_start)
    text = (
        f"{summary.strip()} Series appointments moved ({len(targets)}): now from "
        f"{first:%Y-%m-%d %H:%M}, dates {_dates([_Moved(t.new_start) for t in targets])}."
    ).strip()
    contact_note_create(
        client=appointment.client,
        author=actor,
        appointment=appointment,
        contact_at=now,
        reason="reschedule",
        means=means,
        minutes=minutes,
        summary=text,
        sign=True,
        request=request,
        now=now,
    )
    return [Appointment.objects.get(pk=t.pk) for t in targets]


@dataclass(frozen=True)
class _Moved:
    start: datetime
