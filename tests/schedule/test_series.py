"""Recurring appointments: booked as ordinary appointments, conflicts shown
before saving, and changed "this one / this and following / all"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from clients.models import Appointment, AppointmentStatus
from clients.schedule import recurrence, series
from clients.schedule import services as scheduling
from clients.schedule.models import AppointmentSeries
from contacts.models import ContactNote

pytestmark = pytest.mark.django_db

WEEKLY_10 = recurrence.build_rule(frequency=recurrence.WEEKLY, count=10)


def _book(client_record, alice, fran, start, rule=WEEKLY_10, **kw):
    return series.appointment_series_book(
        client=client_record,
        clinician=alice,
        first_start=start,
        duration_minutes=50,
        service_type="individual",
        rule=rule,
        actor=fran,
        **kw,
    )


def test_a_weekly_series_of_ten_is_ten_appointments(client_record, alice, fran, next_monday_10):
    made, booked, skipped = _book(client_record, alice, fran, next_monday_10)
    assert made.rrule == WEEKLY_10 and len(booked) == 10 and skipped == []
    starts = list(
        Appointment.objects.filter(series_occurrence__series=made).values_list("start", flat=True)
    )
    assert len(starts) == 10 and starts[9] - starts[0] == timedelta(weeks=9)


def test_conflicts_are_shown_before_saving_and_refuse_unless_skipped(
    client_record, alice, fran, next_monday_10
):
    busy = scheduling.appointment_book(
        client=client_record,
        clinician=alice,
        start=next_monday_10 + timedelta(weeks=2, minutes=30),
        duration_minutes=50,
        service_type="individual",
        actor=fran,
    )
    preview = series.series_preview(
        clinician=alice, first_start=next_monday_10, duration_minutes=50, rule=WEEKLY_10
    )
    assert [o.conflict for o in preview].count(busy) == 1 and not preview[2].ok
    with pytest.raises(scheduling.SchedulingError) as exc:
        _book(client_record, alice, fran, next_monday_10)
    assert "already has appointments at" in str(exc.value)
    assert not AppointmentSeries.objects.exists()
    made, booked, skipped = _book(client_record, alice, fran, next_monday_10, skip_conflicts=True)
    assert len(booked) == 9 and len(skipped) == 1


def test_the_booking_page_lists_the_conflicting_date(
    client_record, alice, fran, next_monday_10, login
):
    scheduling.appointment_book(
        client=client_record,
        clinician=alice,
        start=next_monday_10 + timedelta(weeks=1),
        duration_minutes=50,
        service_type="individual",
        actor=fran,
    )
    url = reverse("schedule:series_book", args=[client_record.uuid])
    data = {
        "clinician": alice.pk,
        "first_start": next_monday_10.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "50",
        "service_type": "individual",
        "frequency": "weekly",
        "count": "10",
        "action": "check",
    }
    body = login(fran).post(url, data).content.decode()
    assert body.count("conflicts</strong>") == 1
    assert not AppointmentSeries.objects.exists()
    response = login(fran).post(url, {**data, "action": "book"})
    assert response.status_code == 200 and "already has appointments at" in (
        response.content.decode()
    )
    response = login(fran).post(url, {**data, "action": "book", "skip_conflicts": "on"})
    assert response.status_code == 302
    assert Appointment.objects.filter(series_occurrence__isnull=False).count() == 9


def test_move_one_then_cancel_this_and_following(client_record, alice, fran, next_monday_10):
    made, booked, _ = _book(client_record, alice, fran, next_monday_10)
    # Move the third to Tuesday: a reschedule, still in the series.
    moved = series.series_move(
        appointment=booked[2],
        scope=series.THIS,
        new_start=booked[2].start + timedelta(days=1),
        actor=fran,
        means=[],
        minutes=0,
    )[0]
    assert series.series_of(moved) == made
    # Cancel the sixth and following (by the client, well ahead: no fee).
    changed, note = series.series_cancel(
        appointment=booked[5],
        scope=series.FOLLOWING,
        actor=fran,
        by="client",
        notice_at=booked[0].start - timedelta(days=3),
        means=["phone"],
        minutes=3,
        now=booked[0].start - timedelta(days=3),
    )
    assert len(changed) == 5
    statuses = [
        Appointment.objects.get(pk=a.pk).status for a in booked
    ]
    assert statuses[:5] == [
        AppointmentStatus.SCHEDULED,
        AppointmentStatus.SCHEDULED,
        AppointmentStatus.RESCHEDULED,
        AppointmentStatus.SCHEDULED,
        AppointmentStatus.SCHEDULED,
    ]
    assert set(statuses[5:]) == {AppointmentStatus.CANCELLED_CLIENT}
    assert note.is_signed and "Also cancelled with the series" in note.summary
    assert ContactNote.objects.filter(reason="cancellation").count() == 1


def test_move_all_shifts_every_remaining_appointment(client_record, alice, fran, next_monday_10):
    _, booked, _ = _book(
        client_record, alice, fran, next_monday_10,
        rule=recurrence.build_rule(frequency=recurrence.WEEKLY, count=3),
    )
    series.series_move(
        appointment=booked[0],
        scope=series.ALL,
        new_start=booked[0].start + timedelta(hours=2),
        actor=fran,
        means=[],
        minutes=0,
    )
    hours = [timezone_hour(Appointment.objects.get(pk=a.pk).start) for a in booked]
    assert hours == [12, 12, 12]


def timezone_hour(value):
    from django.utils import timezone

    return timezone.localtime(value).hour


def test_series_pages_are_for_those_who_schedule(client_record, alice, bob, bill, login):
    url = reverse("schedule:series_book", args=[client_record.uuid])
    assert login(alice).get(url).status_code == 200
    assert login(bob).get(url).status_code == 404
    assert login(bill).get(url).status_code == 403
