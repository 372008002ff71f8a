"""Appointments: booking and the status changes the front desk makes.

A status change moves an appointment out of ``scheduled`` with a conditional
update that must change exactly one row, so two clicks (or two desks) change it
once. Marking a no-show, a cancellation or a reschedule writes the matching
contact note, signed, in the same transaction: if the note is refused the
status change is rolled back too.

Fee policy (PracticeSettings): a no-show is charged the no-show fee. A client
cancellation with less notice than ``late_cancel_window_hours`` before the start
is a late cancellation and is charged the late-cancellation fee; notice of
exactly the window is in time (not late). Cancellations by the practice and
reschedules are never charged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from clients.models import Appointment, AppointmentStatus, Client, ClientStatus
from contacts.services import contact_note_create
from practice import audit
from practice.models import AuditAction, PracticeSettings
from practice.refusals import Refused
from practice.roles import CLINICAL_ROLES

BY_CLIENT = "client"
BY_PRACTICE = "practice"
MAX_DURATION = 480


class SchedulingError(Refused):
    """A rule refused the change. ``field`` names the form field it is about."""


@dataclass(frozen=True)
class FeeDecision:
    applies: bool
    amount: Decimal
    notice_hours: Decimal | None
    explanation: str
    late: bool = False


def _money(value) -> str:
    return f"${Decimal(value):,.2f}"


def no_show_fee(policy: PracticeSettings) -> FeeDecision:
    amount = Decimal(policy.no_show_fee)
    applies = amount > 0
    return FeeDecision(
        applies=applies,
        amount=amount if applies else Decimal("0.00"),
        notice_hours=None,
        explanation=(
            f"No-show fee of {_money(amount)} applies under the practice policy."
            if applies
            else "The practice charges no no-show fee."
        ),
    )


def cancellation_fee(
    *, start: datetime, notice_at: datetime, by: str, policy: PracticeSettings
) -> FeeDecision:
    """Decide the fee for a cancellation given at ``notice_at`` for ``start``.

    Less notice than the window is late; exactly the window is in time.
    """
    notice = start - notice_at
    hours = (Decimal(notice.total_seconds()) / Decimal(3600)).quantize(Decimal("0.01"))
    window = timedelta(hours=policy.late_cancel_window_hours)
    if by == BY_PRACTICE:
        return FeeDecision(False, Decimal("0.00"), hours, "Cancelled by the practice: no fee.")
    if notice < window:
        amount = Decimal(policy.late_cancel_fee)
        return FeeDecision(
            amount > 0,
            amount,
            hours,
            f"Late cancellation ({hours} h notice, less than the "
            f"{policy.late_cancel_window_hours} h window): fee of {_money(amount)} applies.",
            late=True,
        )
    return FeeDecision(
        False,
        Decimal("0.00"),
        hours,
        f"Cancelled with {hours} h notice (window {policy.late_cancel_window_hours} h): no fee.",
    )


def _local(dt: datetime) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M")


def default_summary(appointment: Appointment, event: str, fee: FeeDecision | None = None) -> str:
    """The pre-filled summary for a schedule note; the desk can edit it before saving."""
    clinician = appointment.clinician.get_full_name()
    when = f"the {_local(appointment.start)} appointment with {clinician}"
    text = {
        "no_show": f"Client did not attend {when}.",
        "cancel_client": f"Client cancelled {when}.",
        "cancel_practice": f"The practice cancelled {when}.",
        "reschedule": f"Client asked to reschedule {when}.",
    }[event]
    if fee is not None:
        text += " " + fee.explanation
    return text


def _with_fee(summary: str, fee: FeeDecision) -> str:
    """The note always records the fee decision, whatever the desk typed."""
    summary = summary.strip()
    if fee.explanation in summary:
        return summary
    return f"{summary} {fee.explanation}".strip()


def _overlaps(clinician, start: datetime, minutes: int, exclude_pk=None) -> bool:
    end = start + timedelta(minutes=minutes)
    nearby = Appointment.objects.filter(
        clinician=clinician,
        status=AppointmentStatus.SCHEDULED,
        start__lt=end,
        start__gt=start - timedelta(minutes=MAX_DURATION),
    ).exclude(pk=exclude_pk)
    return any(a.end > start for a in nearby)


@transaction.atomic
def appointment_book(
    *,
    client: Client,
    clinician,
    start: datetime,
    duration_minutes: int,
    service_type: str,
    actor,
    rescheduled_from: Appointment | None = None,
    request=None,
    now: datetime | None = None,
) -> Appointment:
    now = now or timezone.now()
    if client.status != ClientStatus.ACTIVE:
        raise SchedulingError("This client is discharged; re-open care before booking.")
    if not clinician.is_active or clinician.role not in CLINICAL_ROLES:
        raise SchedulingError("Choose an active clinician.", "clinician")
    if not client.care_team.filter(clinician=clinician).exists():
        raise SchedulingError("That clinician is not on this client's care team.", "clinician")
    if not 0 < duration_minutes <= MAX_DURATION:
        raise SchedulingError("Duration must be between 1 and 480 minutes.", "duration_minutes")
    if start < now:
        raise SchedulingError("An appointment cannot be booked in the past.", "start")
    if _overlaps(clinician, start, duration_minutes):
        raise SchedulingError(
            f"{clinician.get_full_name()} already has an appointment at that time.", "start"
        )
    appointment = Appointment(
        client=client,
        clinician=clinician,
        start=start,
        duration_minutes=duration_minutes,
        service_type=service_type,
        rescheduled_from=rescheduled_from,
        created_by=actor,
    )
    appointment.full_clean()
    appointment.save()
    detail = {"clinician": str(clinician.uuid)}
    if rescheduled_from is not None:
        detail["rescheduled_from"] = str(rescheduled_from.uuid)
    audit.record(
        AuditAction.CREATE,
        request=request,
        user=actor,
        obj=appointment,
        client=client,
        detail=detail,
    )
    return appointment


def _transition(appointment: Appointment, to: str, now: datetime, **fields) -> Appointment:
    updated = Appointment.objects.filter(
        pk=appointment.pk, status=AppointmentStatus.SCHEDULED
    ).update(status=to, status_changed_at=now, **fields)
    if updated != 1:
        raise SchedulingError("This appointment is no longer scheduled; reload the page.")
    appointment.refresh_from_db()
    return appointment


def _note(appointment, *, actor, reason, fee, means, minutes, summary, contact_at, request, now):
    return contact_note_create(
        client=appointment.client,
        author=actor,
        appointment=appointment,
        contact_at=contact_at,
        reason=reason,
        means=means,
        minutes=minutes,
        summary=summary,
        fee_applies=fee.applies if fee else False,
        fee_amount=fee.amount if fee else 0,
        sign=True,
        request=request,
        now=now,
    )


def _audit_status(appointment, actor, request, **detail):
    audit.record(
        AuditAction.UPDATE,
        request=request,
        user=actor,
        obj=appointment,
        client=appointment.client,
        detail={"status": appointment.status, **detail},
    )


@transaction.atomic
def appointment_mark_no_show(
    *,
    appointment: Appointment,
    actor,
    means: list[str],
    minutes: int,
    summary: str = "",
    request=None,
    now: datetime | None = None,
):
    """Mark a no-show and write the signed no-show note. Returns (appointment, note, fee)."""
    now = now or timezone.now()
    if now < appointment.start:
        raise SchedulingError("The appointment has not started yet; it cannot be a no-show.")
    fee = no_show_fee(PracticeSettings.load())
    summary = _with_fee(summary or default_summary(appointment, "no_show"), fee)
    _transition(
        appointment,
        AppointmentStatus.NO_SHOW,
        now,
        fee_applies=fee.applies,
        fee_amount=fee.amount,
    )
    note = _note(
        appointment,
        actor=actor,
        reason="no_show",
        fee=fee,
        means=means,
        minutes=minutes,
        summary=summary,
        contact_at=now,
        request=request,
        now=now,
    )
    _audit_status(appointment, actor, request, fee_applies=fee.applies)
    return appointment, note, fee


@transaction.atomic
def appointment_cancel(
    *,
    appointment: Appointment,
    actor,
    by: str,
    notice_at: datetime,
    means: list[str],
    minutes: int,
    summary: str = "",
    request=None,
    now: datetime | None = None,
):
    """Cancel, decide the fee from the notice given, write the signed note.

    Returns (appointment, note, fee).
    """
    now = now or timezone.now()
    if by not in (BY_CLIENT, BY_PRACTICE):
        raise SchedulingError("Say who cancelled.", "by")
    if notice_at > now:
        raise SchedulingError("Notice cannot have been given in the future.", "notice_at")
    policy = PracticeSettings.load()
    fee = cancellation_fee(start=appointment.start, notice_at=notice_at, by=by, policy=policy)
    if by == BY_PRACTICE:
        status, event = AppointmentStatus.CANCELLED_PRACTICE, "cancel_practice"
    elif fee.late:
        status, event = AppointmentStatus.LATE_CANCEL, "cancel_client"
    else:
        status, event = AppointmentStatus.CANCELLED_CLIENT, "cancel_client"
    summary = _with_fee(summary or default_summary(appointment, event), fee)
    _transition(
        appointment,
        status,
        now,
        cancelled_at=notice_at,
        notice_hours=fee.notice_hours,
        fee_applies=fee.applies,
        fee_amount=fee.amount,
    )
    note = _note(
        appointment,
        actor=actor,
        reason="cancellation",
        fee=fee,
        means=means,
        minutes=minutes,
        summary=summary,
        contact_at=notice_at,
        request=request,
        now=now,
    )
    _audit_status(appointment, actor, request, fee_applies=fee.applies, by=by)
    return appointment, note, fee


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    actor,
    new_start: datetime,
    means: list[str],
    minutes: int,
    summary: str = "",
    notice_at: datetime | None = None,
    duration_minutes: int | None = None,
    request=None,
    now: datetime | None = None,
):
    """Book the new appointment (linked to the old), mark the old one rescheduled
    and write the signed note. Reschedules are not charged. Returns (old, new, note)."""
    now = now or timezone.now()
    notice_at = notice_at or now
    if notice_at > now:
        raise SchedulingError("Notice cannot have been given in the future.", "notice_at")
    hours = (Decimal((appointment.start - notice_at).total_seconds()) / 3600).quantize(
        Decimal("0.01")
    )
    _transition(
        appointment,
        AppointmentStatus.RESCHEDULED,
        now,
        cancelled_at=notice_at,
        notice_hours=hours,
    )
    new = appointment_book(
        client=appointment.client,
        clinician=appointment.clinician,
        start=new_start,
        duration_minutes=duration_minutes or appointment.duration_minutes,
        service_type=appointment.service_type,
        actor=actor,
        rescheduled_from=appointment,
        request=request,
        now=now,
    )
    summary = summary.strip() or default_summary(appointment, "reschedule")
    # The note always says where the appointment went.
    summary += f" New appointment: {_local(new.start)}. Reschedules are not charged."
    note = _note(
        appointment,
        actor=actor,
        reason="reschedule",
        fee=None,
        means=means,
        minutes=minutes,
        summary=summary,
        contact_at=notice_at,
        request=request,
        now=now,
    )
    _audit_status(appointment, actor, request, rescheduled_to=str(new.uuid))
    return appointment, new, note


@transaction.atomic
def appointment_complete(
    *, appointment: Appointment, actor, request=None, now: datetime | None = None
) -> Appointment:
    now = now or timezone.now()
    if now < appointment.start:
        raise SchedulingError("The appointment has not started yet.")
    _transition(appointment, AppointmentStatus.COMPLETED, now)
    _audit_status(appointment, actor, request)
    return appointment
