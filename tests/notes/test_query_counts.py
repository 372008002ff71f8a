"""The chart's note list and the caseload run the same number of queries for 5
records as for 500 (pagination, joins and counts in the database)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients import services as client_services
from clients.models import CareTeamRole
from notes.models import NoteStatus, ProgressNote, ProgressNoteAddendum
from tests.factories import ClientFactory, DiagnosisFactory, ProgressNoteFactory

pytestmark = pytest.mark.django_db


def _add_notes(client, author, count, start=0):
    now = timezone.now()
    notes = []
    for i in range(start, start + count):
        note = ProgressNoteFactory.build(
            client=client, author=author, service_date=timezone.localdate() - timedelta(days=i)
        )
        if i % 3:  # two in three signed, the rest drafts
            note.status = NoteStatus.SIGNED
            note.signed_at = now
            note.signer_name = "Alice Adams"
            note.content_hash = "0" * 64
        notes.append(note)
    created = ProgressNote.objects.bulk_create(notes)
    signed = [n for n in created if n.status == NoteStatus.SIGNED]
    ProgressNoteAddendum.objects.bulk_create(
        ProgressNoteAddendum(
            note=n, text="x", author=author, signed_at=now, signer_name="A", content_hash="0" * 64
        )
        for n in signed[::4]
    )


def _count(http, url) -> int:
    # One request first: the practice settings row and the content-type cache
    # are filled on the very first request of a test.
    http.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_chart_queries_do_not_grow_with_the_number_of_notes(client_record, alice, login):
    http = login(alice)
    url = f"/clients/{client_record.uuid}/"
    _add_notes(client_record, alice, 5)
    with_five = _count(http, url)
    _add_notes(client_record, alice, 495, start=5)
    with_500 = _count(http, url)
    assert with_500 == with_five
    # Later pages too.
    assert _count(http, url + "?notes_page=7") == with_five
    page = http.get(url).content.decode()
    assert "Page 1 of 25" in page and "500 notes" in page


def test_the_chart_lists_newest_first_with_status(client_record, alice, login):
    _add_notes(client_record, alice, 4)
    page = login(alice).get(f"/clients/{client_record.uuid}/").content.decode()
    today = timezone.localdate()
    dates = [(today - timedelta(days=i)).isoformat() for i in range(4)]
    positions = [page.index(d) for d in dates]
    assert positions == sorted(positions)
    assert "Draft" in page and "Amended" in page and "Signed" in page


def _caseload_client(alice, ada, n):
    record = ClientFactory(legal_last_name=f"Case{n:03d}")
    client_services.care_team_add(
        client=record, clinician=alice, actor=ada, role=CareTeamRole.PRIMARY
    )
    DiagnosisFactory(client=record)
    DiagnosisFactory(client=record, code="F32.1", description="MDD", is_primary=False)
    return record


def test_caseload_queries_do_not_grow_with_the_caseload(alice, ada, login):
    http = login(alice)
    clients = [_caseload_client(alice, ada, n) for n in range(5)]
    # A stale draft so the dashboard block has rows too.
    old = ProgressNoteFactory(client=clients[0], author=alice)
    ProgressNote.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    with_five = _count(http, "/clients/caseload/")
    clients += [_caseload_client(alice, ada, n) for n in range(5, 60)]
    for c in clients[1:12]:
        draft = ProgressNoteFactory(client=c, author=alice)
        ProgressNote.objects.filter(pk=draft.pk).update(
            created_at=timezone.now() - timedelta(days=2)
        )
    with_60 = _count(http, "/clients/caseload/")
    assert with_60 == with_five
    assert _count(http, "/clients/caseload/?page=2") == with_five
