"""The week view, recurring appointments, and the clinicians' calendar feeds."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clients import access
from clients.models import Appointment
from clients.schedule import ical, recurrence, series
from clients.schedule import services as scheduling
from clients.schedule.access import (
    MANAGE_SCHEDULE,
    can_change_schedule,
    get_appointment_for_user,
)
from clients.schedule.calendar_forms import SeriesChangeForm, SeriesForm
from clients.schedule.models import CalendarFeed
from contacts.services import ContactNoteRefused
from practice import audit
from practice.models import AuditAction, PracticeSettings, User
from practice.permissions import has_role_perm
from practice.roles import CLINICAL_ROLES


def _clinicians():
    return (
        User.objects.filter(is_active=True, groups__name__in=[str(r) for r in CLINICAL_ROLES])
        .distinct()
        .order_by("last_name", "first_name")
    )


def _week_start(request) -> date:
    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    return day - timedelta(days=day.weekday())


@login_required
def week(request: HttpRequest) -> HttpResponse:
    """Monday to Sunday: one row per clinician for the front desk and admins
    (or one chosen clinician), a clinician's own week otherwise."""
    user = request.user
    manage = has_role_perm(user, MANAGE_SCHEDULE)
    if not manage and user.role not in CLINICAL_ROLES:
        access.deny(request, None, MANAGE_SCHEDULE, not_found=False)
    monday = _week_start(request)
    days = [monday + timedelta(days=i) for i in range(7)]
    lower = timezone.make_aware(datetime.combine(monday, time.min))
    upper = timezone.make_aware(datetime.combine(monday + timedelta(days=7), time.min))
    clinicians = list(_clinicians()) if manage else [user]
    chosen = None
    if manage and request.GET.get("clinician"):
        try:
            wanted = uuid.UUID(request.GET["clinician"])
        except ValueError:
            wanted = None
        chosen = next((c for c in clinicians if c.uuid == wanted), None)
    shown = [chosen] if chosen else clinicians
    appointments = Appointment.objects.filter(
        clinician__in=shown, start__gte=lower, start__lt=upper
    ).select_related("client", "clinician", "series_occurrence")
    if not manage:
        appointments = appointments.filter(client__in=access.clients_visible_to(user))
    grid = {(c.pk, d): [] for c in shown for d in days}
    for a in appointments.order_by("start"):
        grid[(a.clinician_id, timezone.localtime(a.start).date())].append(a)
    rows = [(c, [(d, grid[(c.pk, d)]) for d in days]) for c in shown]
    audit.record(
        AuditAction.VIEW,
        request=request,
        object_type="clients.appointment",
        object_id="week-view",
        detail={
            "week": monday.isoformat(),
            "clinician": str(chosen.uuid) if chosen else (None if manage else str(user.uuid)),
        },
    )
    return render(
        request,
        "schedule/week.html",
        {
            "monday": monday,
            "days": days,
            "rows": rows,
            "today": timezone.localdate(),
            "prev_week": monday - timedelta(days=7),
            "next_week": monday + timedelta(days=7),
            "clinicians": clinicians if manage else None,
            "chosen": chosen,
            "manage": manage,
            "count": sum(len(v) for v in grid.values()),
        },
    )


@login_required
def series_book(request: HttpRequest, client_uuid) -> HttpResponse:
    """Book a recurring appointment. "Check dates" shows every date with its
    conflicts before anything is saved; "Book series" books it."""
    client = access.get_client_for_user(request, client_uuid)
    if not can_change_schedule(request.user, client):
        access.deny(request, client, MANAGE_SCHEDULE, not_found=False)
    form = SeriesForm(request.POST or None, client=client)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            preview = series.series_preview(
                clinician=data["clinician"],
                first_start=data["first_start"],
                duration_minutes=data["duration_minutes"],
                rule=data["rule"],
            )
        except recurrence.RecurrenceError as exc:
            form.add_error("frequency", str(exc))
        if preview is not None and request.POST.get("action") == "book":
            try:
                made, booked, skipped = series.appointment_series_book(
                    client=client,
                    clinician=data["clinician"],
                    first_start=data["first_start"],
                    duration_minutes=data["duration_minutes"],
                    service_type=data["service_type"],
                    rule=data["rule"],
                    skip_conflicts=data["skip_conflicts"],
                    actor=request.user,
                    request=request,
                )
            except scheduling.SchedulingError as exc:
                field = {"start": "first_start"}.get(exc.field, exc.field)
                form.add_error(field if field in form.fields else None, str(exc))
            else:
                text = f"Booked {len(booked)} appointments ({recurrence.describe(made.rrule)})."
                if skipped:
                    text += f" Left out {len(skipped)} conflicting dates."
                messages.success(request, text)
                first = timezone.localdate(booked[0].start)
                return redirect(
                    f"{_week_url()}?date={first:%Y-%m-%d}&clinician={data['clinician'].uuid}"
                )
    return render(
        request,
        "schedule/series_form.html",
        {"form": form, "client": client, "preview": preview},
    )


def _week_url() -> str:
    return reverse("schedule:week")


@login_required
def series_change(request: HttpRequest, appointment_uuid) -> HttpResponse:
    """Move or cancel this appointment, this and the following ones, or all."""
    appointment = get_appointment_for_user(request, appointment_uuid, change=True)
    the_series = series.series_of(appointment)
    form = SeriesChangeForm(request.POST or None)
    if the_series is None:
        form.fields["scope"].choices = form.fields["scope"].choices[:1]
    if request.method == "POST" and form.is_valid() and appointment.is_open:
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if data["change"] == SeriesChangeForm.CANCEL:
                    changed, _ = series.series_cancel(
                        appointment=appointment,
                        scope=data["scope"],
                        actor=request.user,
                        by=data["by"],
                        notice_at=data["notice_at"],
                        means=list(data["means"]),
                        minutes=data["minutes"],
                        summary=data["summary"]
                        or scheduling.default_summary(appointment, "cancel_" + data["by"]),
                        request=request,
                    )
                    text = f"Cancelled {len(changed)} appointment(s). Contact note signed."
                else:
                    changed = series.series_move(
                        appointment=appointment,
                        scope=data["scope"],
                        new_start=data["new_start"],
                        actor=request.user,
                        means=list(data["means"]),
                        minutes=data["minutes"],
                        summary=data["summary"],
                        request=request,
                    )
                    text = f"Moved {len(changed)} appointment(s). Contact note signed."
        except (scheduling.SchedulingError, ContactNoteRefused) as exc:
            appointment.refresh_from_db()
            if isinstance(exc, scheduling.SchedulingError):
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, str(exc))
            else:
                for field, message in exc.errors.items():
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, text)
            day = timezone.localdate(appointment.start)
            return redirect(f"{_week_url()}?date={day:%Y-%m-%d}")
    return render(
        request,
        "schedule/series_change.html",
        {
            "appointment": appointment,
            "client": appointment.client,
            "series": the_series,
            "series_label": recurrence.describe(the_series.rrule) if the_series else "",
            "form": form,
        },
    )


@login_required
def feed_settings(request: HttpRequest) -> HttpResponse:
    """A clinician's own calendar feed: create, replace or revoke its secret URL."""
    user = request.user
    if user.role not in CLINICAL_ROLES:
        access.deny(request, None, "schedule.calendar_feed", not_found=False)
    live = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()
    if request.method == "POST":
        action = request.POST.get("action")
        with transaction.atomic():
            if live is not None:
                CalendarFeed.objects.filter(pk=live.pk, revoked_at__isnull=True).update(
                    revoked_at=timezone.now()
                )
                audit.record(
                    AuditAction.UPDATE,
                    request=request,
                    object_type="schedule.calendarfeed",
                    object_id=str(live.pk),
                    detail={"change": "revoked"},
                )
            if action == "new":
                live = CalendarFeed.objects.create(user=user)
                audit.record(
                    AuditAction.CREATE,
                    request=request,
                    object_type="schedule.calendarfeed",
                    object_id=str(live.pk),
                )
                messages.success(request, "New calendar address made; the old one no longer works.")
            else:
                messages.success(request, "Calendar feed turned off; its address no longer works.")
        return redirect("schedule:feed")
    url = (
        request.build_absolute_uri(reverse("schedule:feed_ics", args=[live.token])) if live else ""
    )
    return render(request, "schedule/feed.html", {"feed": live, "feed_url": url})


@never_cache
@require_GET
def feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself: no sign-in (calendar apps cannot), the token is the key.
    A revoked or unknown token, or a clinician no longer active, gets a 404."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if feed is None or feed.user.role not in CLINICAL_ROLES:
        raise Http404("No such calendar.")
    audit.record(
        AuditAction.VIEW,
        request=request,
        user=feed.user,
        object_type="schedule.calendarfeed",
        object_id=str(feed.pk),
        detail={"feed": True},
    )
    body = ical.render_feed(
        feed.user, practice_name=PracticeSettings.load().name, domain=request.get_host()
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="appointments.ics"'
    return response
