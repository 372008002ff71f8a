"""Journey 2 (issue 7): the front desk finds a client, marks today's appointment
a no-show, sees the fee decision and the contact note, and reschedules another
appointment; a late cancellation inside the notice window shows its fee."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients.models import Appointment, AppointmentStatus
from clients.schedule import services as scheduling
from contacts.models import ContactNote
from tests.browser.conftest import assert_accessible, assert_fits

pytestmark = pytest.mark.django_db(transaction=True)


def _book(client, clinician, actor, start):
    # Booked "a week ago" so a start earlier today is accepted.
    return scheduling.appointment_book(
        client=client,
        clinician=clinician,
        start=start,
        duration_minutes=50,
        service_type="individual",
        actor=actor,
        now=start - timedelta(days=7),
    )


def _row(page, appointment, within="#appointments"):
    """The appointment's row in the chart's appointments (or another table), found
    by its local date and time."""
    start = timezone.localtime(appointment.start)
    return (
        page.locator(within)
        .get_by_role("row")
        .filter(has_text=start.strftime("%Y-%m-%d"))
        .filter(has_text=start.strftime("%H:%M"))
    )


def _earlier_today():
    now = timezone.localtime()
    midnight = timezone.make_aware(datetime.combine(now.date(), time.min))
    return max(now - timedelta(minutes=30), midnight).replace(second=0, microsecond=0)


def _at(days: int, hour: int):
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def test_front_desk_no_show_and_reschedule_in_one_step_each(
    page, sign_in, fran, alice, client_record
):
    today_appt = _book(client_record, alice, fran, _earlier_today())
    later_appt = _book(client_record, alice, fran, _at(3, 10))

    sign_in(fran)
    # Find the client.
    page.get_by_label("Find by name, MRN or date of birth").fill("Zebulon")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Zebulon, Casey").click()
    expect(page.get_by_role("heading", name=re.compile("Casey Zebulon"))).to_be_visible()

    # Today's appointment: no-show. The form shows the fee decision before saving.
    _row(page, today_appt).get_by_role("link", name="No-show").click()
    expect(page.get_by_role("heading", name="Mark no-show")).to_be_visible()
    policy = "No-show fee of $75.00 applies under the practice policy."
    expect(page.get_by_text(policy, exact=True)).to_be_visible()
    expect(page.get_by_label("Contact note")).to_have_value(re.compile(re.escape(policy)))
    # Honest defaults (issue 14): no means ticked and 0 minutes until typed.
    expect(page.get_by_label("Phone")).not_to_be_checked()
    expect(page.get_by_label("Minutes of contact")).to_have_value("0")
    assert_accessible(page)
    assert_fits(page, 1280)
    assert_fits(page, 768)
    page.get_by_role("button", name="Mark no-show and log it").click()

    # One step: back on the chart, status, fee and the signed contact note are there.
    expect(page.get_by_role("status")).to_contain_text("Marked no-show")
    expect(page.get_by_role("status")).to_contain_text("Contact note signed")
    expect(_row(page, today_appt).get_by_text("No-show", exact=True)).to_be_visible()
    expect(_row(page, today_appt).get_by_text("Fee $75.00")).to_be_visible()
    log = page.locator("#contact-log")
    expect(log.get_by_role("row").filter(has_text="No-show")).to_contain_text("Fee $75.00")

    today_appt.refresh_from_db()
    assert today_appt.status == AppointmentStatus.NO_SHOW
    note = ContactNote.objects.get(appointment=today_appt)
    assert note.reason == "no_show" and note.is_signed and note.fee_applies
    assert note.author == fran and note.minutes == 0 and note.means == []

    # The contact note itself: signed, the fee recorded.
    log.get_by_role("row").filter(has_text="No-show").get_by_role("link").click()
    expect(page.get_by_role("heading", name=re.compile("Contact note: No-show"))).to_be_visible()
    expect(page.get_by_text("Yes, $75.00")).to_be_visible()
    expect(
        page.get_by_text("No-show fee of $75.00 applies under the practice policy.")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Casey Zebulon")).click()

    # Another appointment: reschedule, in one step.
    _row(page, later_appt).get_by_role("link", name="Reschedule").click()
    expect(page.get_by_role("heading", name="Reschedule appointment")).to_be_visible()
    new_start = _at(4, 11)
    page.get_by_label("New start").fill(timezone.localtime(new_start).strftime("%Y-%m-%dT%H:%M"))
    assert_accessible(page)
    page.get_by_role("button", name="Reschedule and log it").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Rescheduled to {timezone.localtime(new_start):%Y-%m-%d %H:%M}"
    )
    expect(_row(page, later_appt).get_by_text("Rescheduled", exact=True)).to_be_visible()

    later_appt.refresh_from_db()
    assert later_appt.status == AppointmentStatus.RESCHEDULED
    new = Appointment.objects.get(rescheduled_from=later_appt)
    assert new.start == new_start and new.status == AppointmentStatus.SCHEDULED
    expect(_row(page, new).get_by_text(re.compile("rescheduled from"))).to_be_visible()
    note = ContactNote.objects.get(appointment=later_appt)
    assert note.reason == "reschedule" and note.is_signed and not note.fee_applies
    expect(
        page.locator("#contact-log").get_by_role("row").filter(has_text="Reschedule")
    ).to_be_visible()
    assert_accessible(page)
    assert_fits(page, 1280)
    assert_fits(page, 768)

    # The practice day view lists today's no-show with its fee.
    page.get_by_role("link", name="Schedule", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Practice schedule"))).to_be_visible()
    # The day view lists times only (the day is in the heading).
    row = page.get_by_role("row").filter(has_text="Casey Zebulon")
    expect(row).to_contain_text(timezone.localtime(today_appt.start).strftime("%H:%M"))
    expect(row).to_contain_text("No-show")
    expect(row).to_contain_text("Fee $75.00")
    assert_accessible(page)
    assert_fits(page, 1280)
    assert_fits(page, 768)


def test_late_cancellation_inside_the_notice_window_shows_the_fee(
    page, sign_in, fran, alice, client_record
):
    # Five hours' notice is inside the practice's 24-hour window.
    soon = (timezone.localtime() + timedelta(hours=5)).replace(second=0, microsecond=0)
    appt = _book(client_record, alice, fran, soon)

    sign_in(fran)
    page.goto(f"/clients/{client_record.uuid}/")
    _row(page, appt).get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", name="Cancel appointment")).to_be_visible()
    expect(page.get_by_text("less than 24 h notice are late")).to_be_visible()
    expect(page.get_by_label("Client", exact=True)).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Cancel and log it").click()

    expect(page.get_by_role("status")).to_contain_text("Late cancellation")
    expect(page.get_by_role("status")).to_contain_text("fee of $75.00 applies")
    expect(_row(page, appt).get_by_text("Late cancellation")).to_be_visible()
    expect(_row(page, appt).get_by_text("Fee $75.00")).to_be_visible()
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.LATE_CANCEL and appt.fee_applies
    note = ContactNote.objects.get(appointment=appt)
    assert note.reason == "cancellation" and note.is_signed and note.fee_applies
    assert "Late cancellation" in note.summary
