"""Issue 14 in the browser: the front desk books a weekly series of 10, moves
one appointment, and cancels "this and following"; the week view shows it."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients.models import Appointment, AppointmentStatus
from tests.browser.conftest import assert_accessible, assert_fits

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_weekly_series_booked_one_moved_and_the_rest_cancelled(
    page, sign_in, fran, alice, client_record
):
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    sign_in(fran)
    page.goto(f"/clients/{client_record.uuid}/")
    page.get_by_role("link", name="Book a series").click()
    expect(page.get_by_role("heading", name="Book a recurring appointment")).to_be_visible()
    page.get_by_label("First appointment").fill(f"{monday:%Y-%m-%d}T10:00")
    page.get_by_label("Repeats").select_option("weekly")
    page.get_by_label("Number of appointments").fill("10")
    page.get_by_role("button", name="Check dates").click()
    expect(page.locator(".series-preview li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("button", name="Book series").click()
    expect(page.get_by_text(re.compile("Booked 10 appointments"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Alice Adams's week"))).to_be_visible()
    booked = list(Appointment.objects.filter(client=client_record).order_by("start"))
    assert len(booked) == 10

    # Move the first one to Tuesday 14:00 (this one only).
    page.locator(".slot").first.get_by_role("link", name=re.compile("Change")).click()
    page.get_by_label("Move to another time").check()
    page.get_by_label("This appointment only").check()
    page.get_by_label("New time").fill(f"{monday + timedelta(days=1):%Y-%m-%d}T14:00")
    page.get_by_role("button", name="Save change").click()
    expect(page.get_by_text("Moved 1 appointment(s)")).to_be_visible()
    expect(page.locator(".slot", has_text="14:00")).to_have_count(1)

    # Cancel the sixth and all following.
    sixth = booked[5]
    page.goto(f"/clients/appointments/{sixth.uuid}/series/")
    page.get_by_label("Cancel", exact=True).check()
    page.get_by_label("This and all following appointments").check()
    page.get_by_role("button", name="Save change").click()
    expect(page.get_by_text("Cancelled 5 appointment(s)")).to_be_visible()

    statuses = [Appointment.objects.get(pk=a.pk).status for a in booked]
    assert statuses[0] == AppointmentStatus.RESCHEDULED
    assert statuses[1:5] == [AppointmentStatus.SCHEDULED] * 4
    assert set(statuses[5:]) == {AppointmentStatus.CANCELLED_CLIENT}

    # The practice week with the moved appointment, at two widths.
    page.goto(f"/clients/schedule/week/?date={monday:%Y-%m-%d}")
    expect(page.get_by_role("heading", name=re.compile("Practice week"))).to_be_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    for width in (1280, 768):
        assert_fits(page, width)
        page.screenshot(path=str(SCREENSHOTS / f"week-view-{width}.png"), full_page=True)
    assert_accessible(page)
