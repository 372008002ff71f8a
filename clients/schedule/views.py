"""The schedule: day views, booking, and the front desk's one-step status changes."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clients import access
from clients.models import Appointment
from clients.schedule import services as scheduling
from clients.schedule.access import (
    MANAGE_SCHEDULE,
    can_change_schedule,
    get_appointment_for_user,
)
from clients.schedule.forms import AppointmentForm, CancelForm, NoShowForm, RescheduleForm
from practice import audit
from practice.dates import day_bounds
from practice.models import AuditAction, User
from practice.permissions import has_role_perm
from practice.querystrings import query_date
from practice.refusals import Refused
from practice.roles import CLINICAL_ROLES


def _day(request) -> date:
    # A date the calendar cannot step from (0001-01-01, 9999-12-31) is a 400.
    return query_date(request.GET, "date", default=timezone.localdate())


def _render_day(request, day, appointments, *, clinician=None, clinicians=None):
    audit.record(
        AuditAction.VIEW,
        request=request,
        object_type="clients.appointment",
        object_id="day-view",
        detail={"date": day.isoformat(), "clinician": str(clinician.uuid) if clinician else None},
    )
    return render(
        request,
        "schedule/schedule_day.html",
        {
            "day": day,
            "prev_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "appointments": appointments,
            "clinician": clinician,
            "clinicians": clinicians,
            "manage": has_role_perm(request.user, MANAGE_SCHEDULE),
            "now": timezone.now(),
        },
    )


@login_required
def practice_day(request: HttpRequest) -> HttpResponse:
    if not has_role_perm(request.user, MANAGE_SCHEDULE):
        access.deny(request, None, MANAGE_SCHEDULE, not_found=False)
    day = _day(request)
    lower, upper = day_bounds(day)
    appointments = Appointment.objects.filter(start__gte=lower, start__lt=upper).select_related(
        "client", "clinician", "rescheduled_from", "rescheduled_to"
    )
    clinicians = _clinicians()
    return _render_day(request, day, appointments, clinicians=clinicians)


def _clinicians():
    return (
        User.objects.filter(is_active=True, groups__name__in=[str(r) for r in CLINICAL_ROLES])
        .distinct()
        .order_by("last_name", "first_name")
    )


@login_required
def clinician_day(request: HttpRequest) -> HttpResponse:
    """A clinician's own day; the front desk and admins may pick any clinician."""
    user = request.user
    manage = has_role_perm(user, MANAGE_SCHEDULE)
    clinician = user
    if manage:
        try:
            wanted = uuid.UUID(request.GET.get("clinician", ""))
        except ValueError:
            # "Whole practice" (or nothing usable) chosen: the practice view.
            day = query_date(request.GET, "date")
            return redirect(reverse("schedule:day") + (f"?date={day}" if day else ""))
        clinician = _clinicians().filter(uuid=wanted).first()
    elif user.role not in CLINICAL_ROLES:
        access.deny(request, None, MANAGE_SCHEDULE, not_found=False)
    day = _day(request)
    lower, upper = day_bounds(day)
    appointments = Appointment.objects.none()
    if clinician is not None:
        appointments = Appointment.objects.filter(
            clinician=clinician, start__gte=lower, start__lt=upper
        ).select_related("client", "clinician", "rescheduled_from", "rescheduled_to")
        if not manage:
            # Only clients the clinician can still open (removal from a care team hides them).
            visible = access.clients_visible_to(user)
            appointments = appointments.filter(client__in=visible)
    return _render_day(
        request,
        day,
        appointments,
        clinician=clinician,
        clinicians=_clinicians() if manage else None,
    )


@login_required
def book(request: HttpRequest, client_uuid) -> HttpResponse:
    client = access.get_client_for_user(request, client_uuid)
    if not can_change_schedule(request.user, client):
        access.deny(request, client, MANAGE_SCHEDULE, not_found=False)
    form = AppointmentForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        try:
            appointment = scheduling.appointment_book(
                client=client, actor=request.user, request=request, **form.cleaned_data
            )
        except Refused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            start = timezone.localtime(appointment.start)
            messages.success(request, f"Booked for {start:%Y-%m-%d %H:%M}.")
            return redirect("records:chart", client_uuid=client.uuid)
    return render(
        request,
        "schedule/appointment_form.html",
        {"form": form, "client": client, "title": "Book an appointment"},
    )


def _next(request) -> str:
    """Where to go back to: only our own day views, never an outside or javascript: URL."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if target.startswith("/clients/schedule/") else ""


def _back(request, appointment):
    target = _next(request)
    if target:
        return redirect(target)
    return redirect("records:chart", client_uuid=appointment.client.uuid)


def _action_page(request, appointment, form, action, fee_preview=None, status=200):
    return render(
        request,
        "schedule/appointment_action.html",
        {
            "appointment": appointment,
            "client": appointment.client,
            "form": form,
            "action": action,
            "fee_preview": fee_preview,
            # Rendered into the Back link: the same check as for the redirect.
            "next": _next(request),
        },
        status=status,
    )


def _refused(form, exc) -> None:
    for field, message in exc.errors.items():
        # Booking's "start" is the reschedule form's "new_start".
        if field == "start" and "new_start" in form.fields:
            field = "new_start"
        form.add_error(field if field in form.fields else None, message)


@login_required
def no_show(request: HttpRequest, appointment_uuid) -> HttpResponse:
    appointment = get_appointment_for_user(request, appointment_uuid, change=True)
    fee = scheduling.no_show_fee(scheduling.PracticeSettings.load())
    form = NoShowForm(
        request.POST or None,
        initial={"summary": scheduling.default_summary(appointment, "no_show", fee)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            _, note, fee = scheduling.appointment_mark_no_show(
                appointment=appointment, actor=request.user, request=request, **form.cleaned_data
            )
        except Refused as exc:
            _refused(form, exc)
            # The service rolled back; drop the status it had set on this instance.
            appointment.refresh_from_db()
        else:
            messages.success(request, f"Marked no-show. {fee.explanation} Contact note signed.")
            return _back(request, appointment)
    return _action_page(request, appointment, form, "no_show", fee.explanation)


@login_required
def cancel(request: HttpRequest, appointment_uuid) -> HttpResponse:
    appointment = get_appointment_for_user(request, appointment_uuid, change=True)
    policy = scheduling.PracticeSettings.load()
    preview = (
        f"Client cancellations with less than {policy.late_cancel_window_hours} h notice are "
        f"late (fee ${policy.late_cancel_fee}); practice cancellations are never charged."
    )
    form = CancelForm(
        request.POST or None,
        initial={"summary": scheduling.default_summary(appointment, "cancel_client")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            appointment, _, fee = scheduling.appointment_cancel(
                appointment=appointment, actor=request.user, request=request, **form.cleaned_data
            )
        except Refused as exc:
            _refused(form, exc)
            # The service rolled back; drop the status it had set on this instance.
            appointment.refresh_from_db()
        else:
            messages.success(
                request,
                f"{appointment.get_status_display()}. {fee.explanation} Contact note signed.",
            )
            return _back(request, appointment)
    return _action_page(request, appointment, form, "cancel", preview)


@login_required
def reschedule(request: HttpRequest, appointment_uuid) -> HttpResponse:
    appointment = get_appointment_for_user(request, appointment_uuid, change=True)
    form = RescheduleForm(
        request.POST or None,
        initial={"summary": scheduling.default_summary(appointment, "reschedule")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            _, new, _ = scheduling.appointment_reschedule(
                appointment=appointment, actor=request.user, request=request, **form.cleaned_data
            )
        except Refused as exc:
            _refused(form, exc)
            # The service rolled back; drop the status it had set on this instance.
            appointment.refresh_from_db()
        else:
            start = timezone.localtime(new.start)
            messages.success(
                request,
                f"Rescheduled to {start:%Y-%m-%d %H:%M}. No fee for reschedules. "
                "Contact note signed.",
            )
            return _back(request, appointment)
    return _action_page(request, appointment, form, "reschedule", "Reschedules are not charged.")


@login_required
@require_POST
def complete(request: HttpRequest, appointment_uuid) -> HttpResponse:
    appointment = get_appointment_for_user(request, appointment_uuid, change=True)
    try:
        scheduling.appointment_complete(
            appointment=appointment, actor=request.user, request=request
        )
        messages.success(request, "Marked completed.")
    except Refused as exc:
        messages.error(request, str(exc))
    return _back(request, appointment)
