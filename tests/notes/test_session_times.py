"""Issue 13, attack 8: impossible sessions are neither saved, signed nor billed.

On the old main, 10:00-09:59 signed as a 1,439-minute 90837 and a service date
of 0001-01-01 signed too. The editor, the draft service and signing now share
one rule: the session ends after it starts (an earlier clock time is past
midnight), lasts at most 8 hours, and its date is plausible.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from billing import selectors
from notes import services
from notes.models import MAX_SESSION_MINUTES, NoteStatus, ProgressNote
from tests.factories import ProgressNoteFactory
from tests.notes.test_editor import form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "end", "ok"),
    [
        (time(10, 0), time(9, 59), False),  # the attack: "1,439 minutes"
        (time(10, 0), time(10, 0), False),  # ends when it starts
        (time(10, 0), time(10, 1), True),
        (time(10, 0), time(18, 0), True),  # exactly MAX_SESSION_MINUTES
        (time(10, 0), time(18, 1), False),
        (time(23, 30), time(0, 20), True),  # past midnight, 50 minutes
        (time(16, 0), time(0, 1), False),  # past midnight, 8 h 1 min
    ],
)
def test_the_service_refuses_impossible_times_and_keeps_the_draft(start, end, ok, draft, alice):
    before = (draft.start_time, draft.end_time)
    if ok:
        services.note_update(note=draft, actor=alice, start_time=start, end_time=end)
        draft.refresh_from_db()
        assert (draft.start_time, draft.end_time) == (start, end)
        assert 0 < draft.duration_minutes <= MAX_SESSION_MINUTES
        return
    with pytest.raises(services.NoteRefused) as refused:
        services.note_update(note=draft, actor=alice, start_time=start, end_time=end)
    assert "must end after it starts" in refused.value.errors["end_time"]
    draft.refresh_from_db()
    assert (draft.start_time, draft.end_time) == before


@pytest.mark.parametrize(
    ("day", "ok"),
    [
        (date(1, 1, 1), False),
        (date(1999, 12, 31), False),
        (date(1990, 5, 16), False),  # before the client's birth (1990-05-17)
        (date(2000, 1, 1), True),
    ],
)
def test_the_service_refuses_an_implausible_service_date(day, ok, draft, alice, client_record):
    client_record.date_of_birth = date(1990, 5, 17)
    client_record.save()
    if ok:
        services.note_update(note=draft, actor=alice, service_date=day)
        return
    with pytest.raises(services.NoteRefused) as refused:
        services.note_update(note=draft, actor=alice, service_date=day)
    assert "Check the service date" in refused.value.errors["service_date"]


def test_the_editor_says_so_and_keeps_what_was_typed(draft, alice, login):
    http = login(alice)
    response = http.post(
        f"/notes/{draft.uuid}/edit/",
        form_data(draft, start_time="10:00", end_time="09:59", subjective="Typed just now"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The session must end after it starts" in page
    assert 'value="09:59"' in page and "Typed just now" in page
    draft.refresh_from_db()
    assert draft.end_time == time(10, 53) and draft.subjective != "Typed just now"
    # The autosave answers with the same message, never a 500.
    response = http.post(
        f"/notes/{draft.uuid}/autosave/", form_data(draft, service_date="1999-12-31")
    )
    assert response.status_code == 400
    assert "Check the service date" in response.content.decode()


def test_starting_a_note_on_an_impossible_date_is_refused(client_record, alice, login):
    response = login(alice).post(
        f"/notes/client/{client_record.uuid}/new/",
        {"format": "soap", "service_type": "individual", "service_date": "1999-12-31"},
    )
    assert response.status_code == 200
    assert "Check the service date" in response.content.decode()
    # The far ends of the calendar are refused by the one plausible calendar.
    response = login(alice).post(
        f"/notes/client/{client_record.uuid}/new/",
        {"format": "soap", "service_type": "individual", "service_date": "0001-01-01"},
    )
    assert "Choose a date between" in response.content.decode()
    assert not ProgressNote.objects.filter(client=client_record).exists()


@pytest.mark.parametrize(
    "change",
    [
        {"start_time": time(10, 0), "end_time": time(9, 59)},
        {"service_date": date(1, 1, 1)},
    ],
)
def test_an_impossible_session_is_not_signed(change, client_record, alice):
    # A draft written before the rule existed (straight into the table).
    note = ProgressNoteFactory(client=client_record, author=alice, **change)
    with pytest.raises(services.NoteRefused):
        services.note_sign(note=note, actor=alice, override_reason="test")
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT


def test_an_impossible_session_signed_before_the_fix_is_not_billed(client_record, alice):
    day = timezone.localdate() - timedelta(days=3)
    good = ProgressNoteFactory(client=client_record, author=alice, service_date=day)
    services.note_sign(note=good, actor=alice)
    bad = ProgressNoteFactory(
        client=client_record,
        author=alice,
        service_date=day,
        start_time=time(10, 0),
        end_time=time(9, 59),
        cpt_code="90837",
    )
    # Signed the way the old main did it, without the time checks.
    ProgressNote.objects.filter(pk=bad.pk).update(
        status=NoteStatus.SIGNED, signed_at=timezone.now(), content_hash="0" * 64
    )
    period = selectors.Period(start=day, end=day)
    assert list(selectors.billable_sessions(period)) == [ProgressNote.objects.get(pk=good.pk)]
    totals = selectors.preview_totals(period)
    assert totals["sessions"]["minutes"] == 53
