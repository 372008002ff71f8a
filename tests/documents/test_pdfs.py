"""Signed PDFs of notes: content, identifiers on every page, PAdES signature
intact, tampering detected, drafts refused."""

from __future__ import annotations

from datetime import time

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from notes.documents import PROGRESS_NOTE_PDF
from practice.documents import jobs, pdf
from practice.documents.jobs import DRAFT_REFUSAL
from practice.documents.models import DocumentJob, JobStatus
from practice.models import AuditAction, AuditEvent
from tests.documents.helpers import job_bytes, pdf_pages, tamper
from tests.documents.signing import sign_progress_note
from tests.factories import ProgressNoteFactory

pytestmark = pytest.mark.django_db


def assert_signed_and_tamper_evident(data: bytes) -> None:
    status = pdf.validate_pdf(data)
    assert status.intact and status.bottom_line, status.summary()
    broken = pdf.validate_pdf(tamper(data))
    assert not broken.intact
    assert not broken.bottom_line


def test_a_signed_contact_note_prints_to_a_signed_pdf(
    alice, client_record, make_contact_note, login, django_capture_on_commit_callbacks, tmp_path
):
    note = make_contact_note(alice, summary="Spoke with client about the move to Tuesdays.")
    services_addendum(note, alice, "Client confirmed by e-mail the next day.")
    http = login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(reverse("contacts:print", args=[note.uuid]))
    job = DocumentJob.objects.get(requested_by=alice)
    assert response.url == reverse("documents:job", args=[job.uuid])
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.progress == 100
    data = job_bytes(job)
    assert_signed_and_tamper_evident(data)
    pages = pdf_pages(data, tmp_path)
    text = "\n".join(pages)
    assert "Spoke with client about the move to Tuesdays." in text
    assert "Client confirmed by e-mail the next day." in text
    assert note.content_hash in text.replace("\n", "").replace(" ", "")
    for number, page in enumerate(pages, start=1):
        assert "Casey Zebulon" in page and client_record.mrn in page
        assert "1990-05-17" in page
        assert f"Page {number} of {len(pages)}" in page
    assert AuditEvent.objects.filter(
        action=AuditAction.PRINT, object_id=str(job.uuid), client_uuid=client_record.uuid
    ).exists()


def services_addendum(note, author, text):
    from contacts import services

    services.contact_note_addendum_add(note=note, actor=author, text=text)


def test_a_draft_contact_note_cannot_be_printed_as_signed(
    alice, make_contact_note, login, django_capture_on_commit_callbacks
):
    draft = make_contact_note(alice, sign=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(alice).post(
            reverse("contacts:print", args=[draft.uuid]), follow=True
        )
    assert DRAFT_REFUSAL in response.content.decode()
    assert not DocumentJob.objects.exists()


def test_a_signed_progress_note_renders_with_cosignature_addenda_diagnoses_and_cpt(
    sam, sue, client_record, ada, tmp_path, django_capture_on_commit_callbacks
):
    from clients import services as client_services

    client_services.care_team_add(client=client_record, clinician=sam, actor=ada, role="member")
    note = ProgressNoteFactory(
        client=client_record,
        author=sam,
        diagnoses=[
            {"code": "F41.1", "description": "Generalized anxiety disorder"},
            {"code": "F32.1", "description": "Major depressive disorder, single episode, moderate"},
        ],
        cpt_code="90834",
        start_time=time(10, 0),
        end_time=time(10, 45),
    )
    note = sign_progress_note(
        note, cosigner=sue, addenda=[(sam, "Late entry: client reported improved sleep.")]
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.document_job_start(
            kind=PROGRESS_NOTE_PDF,
            requested_by=sam,
            params={"note": str(note.uuid)},
            client=client_record,
        )
    data = job_bytes(job)
    assert_signed_and_tamper_evident(data)
    text = "\n".join(pdf_pages(data, tmp_path))
    for expected in (
        "Reports worry most days, sleeping five hours.",  # a SOAP section
        "F41.1 Generalized anxiety disorder",
        "F32.1",
        "90834",
        "Late entry: client reported improved sleep.",
        "Electronically signed by Sam Street, LPC-A",
        "Co-signed by Sue Stone, PhD",
        "(45 min)",
    ):
        assert expected in text, expected


def test_a_draft_progress_note_job_fails_with_a_clear_message(
    alice, client_record, django_capture_on_commit_callbacks
):
    draft = ProgressNoteFactory(client=client_record, author=alice)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.document_job_start(
            kind=PROGRESS_NOTE_PDF,
            requested_by=alice,
            params={"note": str(draft.uuid)},
            client=client_record,
        )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == DRAFT_REFUSAL
    assert job.files == {}


def test_without_a_certificate_the_job_fails_and_says_how_to_make_one(
    alice, make_contact_note, settings, tmp_path, django_capture_on_commit_callbacks, login
):
    settings.PRACTICE_CERT_FILE = tmp_path / "missing.pem"
    note = make_contact_note(alice)
    with django_capture_on_commit_callbacks(execute=True):
        login(alice).post(reverse("contacts:print", args=[note.uuid]))
    job = DocumentJob.objects.get()
    assert job.status == JobStatus.FAILED
    assert "make_practice_certificate" in job.error


def test_a_wrong_key_passphrase_is_refused_not_ignored(settings):
    settings.PRACTICE_KEY_PASSPHRASE = "wrong"
    with pytest.raises(pdf.CertificateMissing):
        pdf.load_signer()


def test_make_practice_certificate_creates_refuses_to_overwrite_and_replaces_with_force(
    settings, tmp_path
):
    settings.PRACTICE_CERT_FILE = tmp_path / "c.pem"
    settings.PRACTICE_KEY_FILE = tmp_path / "k.pem"
    settings.PRACTICE_KEY_PASSPHRASE = "s3cret-phrase"
    call_command("make_practice_certificate")
    first = settings.PRACTICE_CERT_FILE.read_bytes()
    assert b"ENCRYPTED" in settings.PRACTICE_KEY_FILE.read_bytes()
    assert settings.PRACTICE_KEY_FILE.stat().st_mode & 0o077 == 0
    assert pdf.load_signer() is not None
    with pytest.raises(CommandError):
        call_command("make_practice_certificate")
    call_command("make_practice_certificate", "--if-missing")
    assert settings.PRACTICE_CERT_FILE.read_bytes() == first
    call_command("make_practice_certificate", "--force")
    assert settings.PRACTICE_CERT_FILE.read_bytes() != first
    signed = pdf.sign_pdf(
        pdf.render_pdf("pdf/base.html", {"title": "T", "client": None}), reason="t"
    )
    assert pdf.validate_pdf(signed).intact


@pytest.fixture
def signed_note(alice, client_record):
    return sign_progress_note(
        ProgressNoteFactory(client=client_record, author=alice),
        addenda=[(alice, "Addendum printed with the note.")],
    )


@pytest.mark.parametrize("who", ["alice", "audrey"])
def test_the_note_page_prints_a_signed_progress_note(
    who, people, signed_note, login, django_capture_on_commit_callbacks, tmp_path
):
    http = login(people[who])
    detail = http.get(reverse("notes:detail", args=[signed_note.uuid])).content.decode()
    assert "Print signed PDF" in detail
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(reverse("notes:print", args=[signed_note.uuid]))
    job = DocumentJob.objects.get(requested_by=people[who])
    assert response.url == reverse("documents:job", args=[job.uuid])
    data = job_bytes(job)
    assert_signed_and_tamper_evident(data)
    assert "Addendum printed with the note." in "\n".join(pdf_pages(data, tmp_path))
    assert AuditEvent.objects.filter(action=AuditAction.PRINT, object_id=str(job.uuid)).exists()


@pytest.mark.parametrize("who,code", [("bob", 404), ("bill", 403), ("fran", 403), ("root", 404)])
def test_others_cannot_print_a_progress_note(
    who, code, people, signed_note, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(people[who]).post(
            reverse("notes:print", args=[signed_note.uuid])
        )
    assert response.status_code == code
    assert not DocumentJob.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, user=people[who]).exists()


def test_a_draft_progress_note_is_refused_at_the_print_button(
    alice, client_record, login, django_capture_on_commit_callbacks
):
    draft = ProgressNoteFactory(client=client_record, author=alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(alice).post(
            reverse("notes:print", args=[draft.uuid]), follow=True
        )
    assert DRAFT_REFUSAL in response.content.decode()
    assert not DocumentJob.objects.exists()


@pytest.mark.parametrize("who,code", [("bob", 404), ("bill", 403), ("fran", 403)])
def test_contact_note_printing_is_refused_to_those_who_cannot_read_it_in_full(
    who, code, people, alice, make_contact_note, login, django_capture_on_commit_callbacks
):
    note = make_contact_note(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(people[who]).post(
            reverse("contacts:print", args=[note.uuid])
        )
    assert response.status_code == code
    assert not DocumentJob.objects.exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, user=people[who], client_uuid=note.client.uuid
    ).exists()


@pytest.mark.parametrize(
    "who,reason", [("audrey", "treatment_update"), ("fran", "records_request")]
)
def test_auditors_and_the_front_desk_print_the_contact_notes_they_read_in_full(
    who, reason, people, alice, make_contact_note, login, django_capture_on_commit_callbacks
):
    note = make_contact_note(alice, reason=reason)
    with django_capture_on_commit_callbacks(execute=True):
        login(people[who]).post(reverse("contacts:print", args=[note.uuid]))
    job = DocumentJob.objects.get(requested_by=people[who])
    assert job.status == JobStatus.DONE
    assert pdf.validate_pdf(job_bytes(job)).intact
