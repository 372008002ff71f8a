"""Journey 3: the biller exports last month's billable sessions and contact
minutes, watches the job, downloads the CSV and checks its totals on the page."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from billing.selectors import last_month
from contacts import services as contact_services
from tests.browser.conftest import assert_accessible, assert_fits
from tests.documents.signing import sign_progress_note
from tests.factories import ProgressNoteFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def last_months_work(documents_settings, alice, client_record):
    start, end = last_month()
    for day, begin, finish in (
        (start + timedelta(days=2), time(10, 0), time(10, 53)),
        (start + timedelta(days=9), time(10, 0), time(10, 41)),
        (end, time(15, 0), time(15, 38)),
    ):
        sign_progress_note(
            ProgressNoteFactory(
                client=client_record,
                author=alice,
                service_date=day,
                start_time=begin,
                end_time=finish,
                cpt_code="90834",
            )
        )
    for minutes in (20, 25):
        contact_services.contact_note_create(
            client=client_record,
            author=alice,
            contact_at=timezone.make_aware(datetime.combine(start + timedelta(days=4), time(12))),
            reason="coordination_of_care",
            means=["phone"],
            minutes=minutes,
            billable=True,
            summary="Coordination call",
            sign=True,
        )
    return {"session_minutes": 53 + 41 + 38, "contact_minutes": 45}


def test_biller_exports_last_month_and_checks_the_csv_totals(page, sign_in, bill, last_months_work):
    sign_in(bill)
    page.get_by_role("link", name="Billing exports").click()
    expect(page.get_by_role("heading", name="Billing exports", exact=True)).to_be_visible()
    start, end = last_month()
    expect(page.get_by_label("From", exact=False).and_(page.locator("input"))).to_have_value(
        start.isoformat()
    )
    expect(page.get_by_label("To", exact=False).and_(page.locator("input"))).to_have_value(
        end.isoformat()
    )
    page.get_by_role("button", name="Show totals").click()
    minutes_tile = page.locator('[data-total="session-minutes"]')
    expect(minutes_tile).to_have_text(str(last_months_work["session_minutes"]))
    expect(page.locator('[data-total="contact-minutes"]')).to_have_text(
        str(last_months_work["contact_minutes"])
    )
    assert_accessible(page)
    assert_fits(page, 1280)
    assert_fits(page, 768)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Create export (CSV and XLSX)").click()
    # The job page: its state, then the totals and the files.
    expect(page.locator("[data-job-label]")).to_have_text("Ready")
    expect(page.get_by_role("heading", name="Totals in this export")).to_be_visible()
    shown_minutes = int(page.locator('[data-total="session-minutes"]').inner_text())
    shown_contacts = int(page.locator('[data-total="contact-minutes"]').inner_text())
    assert shown_minutes == last_months_work["session_minutes"]
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download billable sessions (CSV)").click()
    rows = list(
        csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8")))
    )
    sessions = [r for r in rows if r["row_type"] == "session"]
    assert len(sessions) == 3
    assert sum(int(r["minutes"]) for r in sessions) == shown_minutes
    with page.expect_download() as download:
        page.get_by_role("link", name="Download contact minutes (CSV)").click()
    rows = list(
        csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8")))
    )
    assert [int(r["minutes"]) for r in rows if r["row_type"] == "total"] == [shown_contacts]

    # A second look at the billing page: nothing left to bill for last month.
    page.get_by_role("link", name="Billing exports").click()
    expect(page.locator('[data-total="session-count"]')).to_have_text("0")
    expect(page.get_by_role("cell", name="Live")).to_be_visible()
    expect(page.get_by_text("Nothing left to bill in this period.")).to_be_visible()
