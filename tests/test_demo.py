"""The demo practice (``seed_demo``), seeded ONCE for this module.

Seeding takes tens of seconds, so the module fixture loads it inside a
transaction of its own that stays open for the module's tests (each test
runs in a savepoint inside it, as pytest-django's ``db`` does) and is rolled
back at the end: no other test sees the demo data. The clock is frozen (see
FROZEN), so "last month" and "this month so far" always exist and no test has to
skip on the 1st of a month.
"""

from __future__ import annotations

import io
import os
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from billing import selectors
from clients.models import Appointment, AppointmentStatus
from contacts.models import ContactNote
from notes.measures import selectors as measure_selectors
from notes.measures.models import MeasureResult
from notes.models import NoteStatus, ProgressNote
from notes.selectors import stale_drafts_for
from practice.models import User

# Under pytest-xdist (--dist loadgroup) the module stays on one worker, so the
# demo is seeded once.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

# A late-month Sunday evening in the practice's zone. The demo's own choices
# depend on the weekday (e.g. its late cancellation falls four days back and is
# skipped when that day is a weekend), so the clock is frozen on a day the demo
# fills completely; "this month" always has past days.
FROZEN = datetime(2026, 11, 29, 20, 0)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    frozen = timezone.make_aware(FROZEN)
    previous = os.environ.get("DEMO_PASSWORD")
    os.environ["DEMO_PASSWORD"] = "demo-password-for-tests"
    with time_machine.travel(frozen, tick=True), django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed_demo", stdout=io.StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            if previous is None:
                os.environ.pop("DEMO_PASSWORD", None)
            else:
                os.environ["DEMO_PASSWORD"] = previous


def _seed_again():
    call_command("seed_demo", stdout=io.StringIO())


def _counts():
    return ProgressNote.objects.count(), ContactNote.objects.count()


# -- progress notes ------------------------------------------------------------


def test_demo_progress_notes_are_seeded_once(demo):
    signed = ProgressNote.objects.filter(status=NoteStatus.SIGNED)
    assert set(signed.values_list("format", flat=True)) == {"soap", "dap", "birp"}
    assert all(n.hash_matches() for n in signed)
    assert any(n.display_status() == "Amended" for n in signed)
    clinician = User.objects.get(username="clinician")
    assert stale_drafts_for(clinician).count() == 1
    awaiting = [n for n in signed if n.awaiting_cosign]
    assert len(awaiting) == 1 and awaiting[0].author.username == "clinician2"
    count = ProgressNote.objects.count()
    _seed_again()
    assert ProgressNote.objects.count() == count


# -- schedule and contact notes ------------------------------------------------


def test_demo_schedule_and_notes_are_seeded_once(demo):
    counts = (Appointment.objects.count(), ContactNote.objects.count())
    statuses = set(Appointment.objects.values_list("status", flat=True))
    assert {AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW} <= statuses
    assert AppointmentStatus.LATE_CANCEL in statuses and AppointmentStatus.SCHEDULED in statuses
    parent_call = ContactNote.objects.get(billable=True, relationship="Parent")
    assert parent_call.is_signed and parent_call.roi is not None
    assert ContactNote.objects.filter(reason="no_show", fee_applies=True).exists()
    _seed_again()
    assert (Appointment.objects.count(), ContactNote.objects.count()) == counts


# -- billing: last calendar month holds signed sessions and billable minutes ----


def test_last_month_has_billable_sessions_and_contact_minutes(demo):
    start, end = selectors.last_month()
    totals = selectors.preview_totals(selectors.Period(start=start, end=end))
    assert totals["sessions"]["count"] >= 4 and totals["sessions"]["fee"] > 0
    assert totals["contacts"]["count"] >= 2 and totals["contacts"]["minutes"] > 0
    # Both clinicians bill; the associate's sessions are co-signed, so billable.
    period = selectors.Period(start=start, end=end)
    authors = set(selectors.billable_sessions(period).values_list("author__username", flat=True))
    assert authors == {"clinician", "clinician2"}
    # Every billable note is really signed, with its hash intact.
    assert all(n.hash_matches() for n in selectors.billable_sessions(period))
    assert all(c.is_signed for c in selectors.billable_contacts(period))


def test_this_month_has_billable_sessions_too(demo):
    today = timezone.localdate()
    assert today.day > 1  # the frozen clock: this month always has a past day
    period = selectors.Period(start=today.replace(day=1), end=today - timedelta(days=1))
    assert selectors.billable_sessions(period).exists()


def test_the_biller_sees_last_months_totals_on_the_billing_page(demo, login):
    http = login(User.objects.get(username="biller"))
    response = http.get("/billing/")
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview["sessions"]["count"] > 0 and preview["contacts"]["minutes"] > 0


def test_the_billing_demo_is_idempotent(demo):
    counts = _counts()
    _seed_again()
    assert _counts() == counts


def test_the_supervisor_still_has_one_note_to_cosign_and_the_clinician_a_draft(demo):
    awaiting = [n for n in ProgressNote.objects.filter(status="signed") if n.awaiting_cosign]
    assert [n.author.username for n in awaiting] == ["clinician2"]
    assert ProgressNote.objects.filter(author__username="clinician", status="draft").count() == 1


# -- standard measures ---------------------------------------------------------


def test_demo_measures_are_seeded_once_with_a_due_repeat_and_an_open_alert(demo):
    clinician = User.objects.get(username="clinician")
    assert MeasureResult.objects.filter(instrument="phq9").count() >= 4
    assert [d.instrument_name for d in measure_selectors.due_for(clinician)] == ["GAD-7"]
    assert len(measure_selectors.alerts_for(clinician)) == 1
    count = MeasureResult.objects.count()
    _seed_again()
    assert MeasureResult.objects.count() == count
