"""The busiest pages run the same queries for 5 records as for 500 (issue 18).

A page whose query count grows with the chart, the caseload or the search
result is the first thing to fall over on a practice of 5,000 clients. Records
are bulk-inserted here (signed notes with their real content hashes, care-team
grants as guardian rows) so 500 of them cost a second, not a minute.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.models import UserObjectPermission

from clients.models import CareTeamMember, CareTeamRole, Client
from notes.models import NoteStatus, ProgressNote, ProgressNoteAddendum
from practice.models import PracticeSettings
from practice.roles import CARE_TEAM_PERMISSIONS
from practice.signing import content_hash

pytestmark = pytest.mark.django_db


def _signed_notes(client, author, count: int) -> None:
    notes = []
    for i in range(count):
        day = date(2025, 1, 1) + timedelta(days=i)
        note = ProgressNote(
            client=client,
            author=author,
            format="soap",
            service_date=day,
            start_time=time(9, 0),
            end_time=time(9, 55),
            subjective="Slept better this week.",
            cpt_code="90837",
            cpt_suggested="90837",
            status=NoteStatus.SIGNED,
            signed_at=datetime.combine(day, time(18, 0), tzinfo=UTC),
            signer_name=author.get_full_name(),
            signer_credentials=author.credentials,
        )
        note.content_hash = content_hash(note.signed_content())
        notes.append(note)
    ProgressNote.objects.bulk_create(notes)
    # Every tenth note amended: the list's "Amended" status needs the count.
    addenda = []
    for note in notes[::10]:
        addendum = ProgressNoteAddendum(
            note=note,
            text="Correction.",
            author=author,
            signed_at=note.signed_at + timedelta(days=1),
            signer_name=note.signer_name,
        )
        addendum.content_hash = content_hash(addendum.signed_content())
        addenda.append(addendum)
    ProgressNoteAddendum.objects.bulk_create(addenda)


def _caseload(clinician, count: int, *, last_name: str = "Quigley") -> list[Client]:
    start = Client.objects.count()
    clients = Client.objects.bulk_create(
        Client(
            mrn=f"Q-{start + i:06d}",
            legal_first_name=f"Pat{i}",
            legal_last_name=last_name,
            date_of_birth=date(1990, 1, 1),
        )
        for i in range(count)
    )
    CareTeamMember.objects.bulk_create(
        CareTeamMember(client=c, clinician=clinician, role=CareTeamRole.PRIMARY) for c in clients
    )
    content_type = ContentType.objects.get_for_model(Client)
    perms = [
        Permission.objects.get(content_type=content_type, codename=p.split(".")[1])
        for p in CARE_TEAM_PERMISSIONS
    ]
    UserObjectPermission.objects.bulk_create(
        UserObjectPermission(
            user=clinician, permission=p, content_type=content_type, object_pk=str(c.pk)
        )
        for c in clients
        for p in perms
    )
    return clients


def _queries(http, url: str) -> list[str]:
    http.get(url)  # warm: one-time lookups (content types, sessions) are not the page's
    with CaptureQueriesContext(connection) as captured:
        response = http.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured]


def test_the_chart_runs_the_same_queries_for_5_or_500_notes(login, alice, client_record, ada):
    from clients import services as client_services
    from tests.factories import ClientFactory, DiagnosisFactory, plan_in_effect

    long_chart = ClientFactory()
    client_services.care_team_add(client=long_chart, clinician=alice, actor=ada, role="primary")
    # Like client_record: a diagnosis and a treatment plan in effect.
    DiagnosisFactory(client=long_chart)
    plan_in_effect(long_chart, alice)
    _signed_notes(client_record, alice, 5)
    _signed_notes(long_chart, alice, 500)
    http = login(alice)
    few = _queries(http, f"/clients/{client_record.uuid}/")
    many = _queries(http, f"/clients/{long_chart.uuid}/")
    assert len(many) == len(few), "\n".join(many)
    # The practice settings are read once per request, not once per use.
    settings_reads = [q for q in many if PracticeSettings._meta.db_table in q]
    assert len(settings_reads) <= 1, settings_reads


def test_the_amended_status_is_counted_for_the_page_only(login, alice, client_record):
    _signed_notes(client_record, alice, 45)
    sql = _queries(login(alice), f"/clients/{client_record.uuid}/")
    page = [q for q in sql if 'FROM "notes_progressnote"' in q and "LIMIT" in q]
    assert page, sql
    # No join-and-group over every note of the chart before the page is cut:
    # a correlated count, evaluated for the page's rows.
    assert all('JOIN "notes_progressnoteaddendum"' not in q for q in page), page
    response = login(alice).get(f"/clients/{client_record.uuid}/")
    assert b"Amended" in response.content


def test_the_caseload_runs_the_same_queries_for_5_or_500_clients(login, bob, sue):
    _caseload(bob, 5)
    _caseload(sue, 500)
    few = _queries(login(bob), "/clients/caseload/")
    many = _queries(login(sue), "/clients/caseload/")
    assert len(many) == len(few), "\n".join(many)
    # Guardian is asked with the model class: no grant is matched against
    # every client id cast to text.
    assert not any('::varchar AS "_pk" FROM "clients_client"' in q for q in many), many


def test_the_search_runs_the_same_queries_for_5_or_500_matches(login, bob, sue):
    _caseload(bob, 5, last_name="Quimby")
    _caseload(sue, 500, last_name="Quimby")
    few = _queries(login(bob), "/clients/?q=quim")
    many = _queries(login(sue), "/clients/?q=quim")
    assert len(many) == len(few), "\n".join(many)
    assert not any('::varchar AS "_pk" FROM "clients_client"' in q for q in many), many
