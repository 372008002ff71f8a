"""The auditor's chart export: the record set for a period, signed, audited,
and never a psychotherapy note."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse
from django.utils import timezone

from clients.schedule import services as scheduling
from practice.documents import pdf
from practice.documents.models import DocumentJob, JobStatus
from practice.models import AuditAction, AuditEvent
from tests.documents.helpers import job_bytes, pdf_pages, tamper
from tests.documents.signing import sign_progress_note
from tests.factories import ProgressNoteFactory, process_note_key

pytestmark = pytest.mark.django_db

PROCESS_TEXT = "Countertransference: my own grief about Lorenzo surfaced in session"


@pytest.fixture
def chart(alice, fran, client_record, make_contact_note, settings):
    """A client with a signed progress note (and addendum), a draft, a signed contact
    note, a completed appointment and a process note, all in the last weeks."""
    from notes.psychotherapy import services as process_notes

    today = timezone.localdate()
    signed = sign_progress_note(
        ProgressNoteFactory(
            client=client_record,
            author=alice,
            service_date=today - timedelta(days=10),
            subjective="Client describes panic on the subway twice this week.",
        ),
        addenda=[(alice, "Correction: three panic episodes, not two.")],
    )
    ProgressNoteFactory(
        client=client_record,
        author=alice,
        service_date=today - timedelta(days=3),
        subjective="DRAFT TEXT NOT PART OF THE RECORD",
    )
    make_contact_note(alice, summary="Coordinated with the school counselor about attendance.")
    start = timezone.make_aware(datetime.combine(today - timedelta(days=10), time(10, 0)))
    appointment = scheduling.appointment_book(
        client=client_record,
        clinician=alice,
        start=start,
        duration_minutes=50,
        service_type="individual",
        actor=fran,
        now=start - timedelta(days=1),
    )
    scheduling.appointment_complete(appointment=appointment, actor=alice)
    settings.PROCESS_NOTES_KEYS = Fernet.generate_key().decode()
    process_notes.process_note_create(
        author=alice,
        client=client_record,
        text=PROCESS_TEXT,
        key=process_note_key(alice),
        session_date=signed.service_date,
    )
    return client_record


def _export(http, client, start, end, capture):
    with capture(execute=True):
        return http.post(
            reverse("records:chart_export"),
            {"client": str(client.uuid), "start": start.isoformat(), "end": end.isoformat()},
        )


def test_the_auditor_gets_one_signed_pdf_of_the_record_set_without_process_notes(
    audrey, chart, login, django_capture_on_commit_callbacks, tmp_path
):
    today = timezone.localdate()
    http = login(audrey)
    response = _export(
        http, chart, today - timedelta(days=30), today, django_capture_on_commit_callbacks
    )
    job = DocumentJob.objects.get(requested_by=audrey)
    assert response.url == reverse("documents:job", args=[job.uuid])
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    data = job_bytes(job)
    status = pdf.validate_pdf(data)
    assert status.intact and status.bottom_line
    assert not pdf.validate_pdf(tamper(data)).intact
    pages = pdf_pages(data, tmp_path)
    text = "\n".join(pages)
    for expected in (
        "Demographics",
        "F41.1",
        "Client describes panic on the subway twice this week.",
        "Correction: three panic episodes, not two.",
        "Electronically signed by Alice Adams, LCSW",
        "Coordinated with the school counselor about attendance.",
        "Completed",
        "Audit trail of this chart",
    ):
        assert expected in text, expected
    assert "DRAFT TEXT" not in text
    assert "Lorenzo" not in text and "Countertransference" not in text
    for page in pages:
        assert chart.mrn in page and "Casey Zebulon" in page
    export = AuditEvent.objects.get(action=AuditAction.EXPORT, object_id=str(job.uuid))
    assert export.client_uuid == chart.uuid and export.user == audrey
    # The download is audited as well.
    http.get(reverse("documents:download", args=[job.uuid, "pdf"]))
    assert AuditEvent.objects.filter(
        action=AuditAction.DOWNLOAD, object_id=str(job.uuid), client_uuid=chart.uuid
    ).exists()


def test_the_period_limits_what_is_exported(
    audrey, chart, login, django_capture_on_commit_callbacks, tmp_path
):
    today = timezone.localdate()
    _export(
        login(audrey),
        chart,
        today - timedelta(days=5),
        today,
        django_capture_on_commit_callbacks,
    )
    text = "\n".join(pdf_pages(job_bytes(DocumentJob.objects.get()), tmp_path))
    assert "Client describes panic" not in text
    assert "No signed progress notes in this period." in text


def test_a_care_team_clinician_may_export_their_clients_chart(
    alice, chart, login, django_capture_on_commit_callbacks
):
    http = login(alice)
    page = http.get(reverse("records:chart_export") + f"?client={chart.uuid}")
    assert page.status_code == 200
    today = timezone.localdate()
    _export(http, chart, today - timedelta(days=30), today, django_capture_on_commit_callbacks)
    assert DocumentJob.objects.get(requested_by=alice).status == JobStatus.DONE


def test_a_clinician_outside_the_care_team_gets_404_and_cannot_post_the_client(
    bob, client_record, login, django_capture_on_commit_callbacks
):
    http = login(bob)
    url = reverse("records:chart_export") + f"?client={client_record.uuid}"
    assert http.get(url).status_code == 404
    today = timezone.localdate()
    response = _export(
        http, client_record, today - timedelta(days=30), today, django_capture_on_commit_callbacks
    )
    # Bob has no caseload at all here: the page itself is refused.
    assert response.status_code == 403
    assert not DocumentJob.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, user=bob).exists()


def test_bob_with_his_own_caseload_cannot_pick_someone_elses_client(
    bob, ada, client_record, login, django_capture_on_commit_callbacks
):
    from clients import services as client_services
    from tests.factories import ClientFactory

    client_services.care_team_add(client=ClientFactory(), clinician=bob, actor=ada, role="primary")
    today = timezone.localdate()
    response = _export(
        login(bob),
        client_record,
        today - timedelta(days=30),
        today,
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 200  # the form again, with the choice refused
    assert "Select a valid choice" in response.content.decode()
    assert not DocumentJob.objects.exists()


@pytest.mark.parametrize("who", ["bob", "bill", "fran", "ada", "root"])
def test_other_roles_are_refused_the_chart_export(
    who, people, client_record, login, django_capture_on_commit_callbacks
):
    http = login(people[who])
    assert http.get(reverse("records:chart_export")).status_code == 403
    today = timezone.localdate()
    response = _export(
        http, client_record, today - timedelta(days=30), today, django_capture_on_commit_callbacks
    )
    assert response.status_code == 403
    assert not DocumentJob.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, user=people[who]).exists()


def test_a_reversed_or_future_period_is_refused_beside_the_field(audrey, client_record, login):
    today = timezone.localdate()
    response = login(audrey).post(
        reverse("records:chart_export"),
        {
            "client": str(client_record.uuid),
            "start": today.isoformat(),
            "end": (today - timedelta(days=3)).isoformat(),
        },
    )
    assert "The end date is before the start date." in response.content.decode()
    assert not DocumentJob.objects.exists()


def test_the_chart_shows_the_export_button_to_those_who_may_use_it(
    alice, audrey, fran, client_record, login
):
    url = reverse("records:chart", args=[client_record.uuid])
    label = "Export chart (PDF)"
    assert label in login(alice).get(url).content.decode()
    assert label in login(audrey).get(url).content.decode()
    assert label not in login(fran).get(url).content.decode()


def test_the_export_names_no_client_in_its_file_name_and_no_process_note_in_its_trail(
    audrey, alice, chart, login, django_capture_on_commit_callbacks, tmp_path
):
    """A downloaded file name ends up in browser histories and download folders:
    ids only. The audit section lists the record set's events, not the process
    notes' (they are not part of the record set); the trail itself keeps them."""
    today = timezone.localdate()
    assert AuditEvent.objects.filter(
        client_uuid=chart.uuid, object_type="psychotherapy.processnote"
    ).exists()
    http = login(audrey)
    _export(http, chart, today - timedelta(days=30), today, django_capture_on_commit_callbacks)
    job = DocumentJob.objects.get(requested_by=audrey)
    name = job.files["pdf"]["name"]
    assert chart.mrn not in name and chart.legal_last_name not in name
    response = http.get(reverse("documents:download", args=[job.uuid, "pdf"]))
    assert chart.mrn not in response["Content-Disposition"]
    text = "\n".join(pdf_pages(job_bytes(job), tmp_path))
    assert "Audit trail of this chart" in text
    assert "processnote" not in text.lower()
