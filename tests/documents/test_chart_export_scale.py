"""The chart export at scale (issue 18) and its audit section (issue 13, attack 13).

- The PDF is rendered in parts of at most 50 notes, joined and signed once,
  with progress after each part, so memory stays flat whatever the chart's size.
- The layout is tight: short notes share pages.
- The audit trail is summarised (counts per user, role and action) with every
  event in a CSV attached inside the signed PDF, and only for roles that may
  read the audit trail: a clinician's export of their own client's chart holds
  none of it, as the chart's audit page refuses them.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from clients.records import chart_export
from practice.documents import pdf
from practice.documents.models import DocumentJob, JobStatus
from practice.models import AuditAction, AuditEvent
from tests.documents.helpers import job_bytes, pdf_pages
from tests.documents.signing import sign_progress_note
from tests.factories import ProgressNoteFactory

pytestmark = pytest.mark.django_db


def _export(http, client, capture, days=400):
    today = timezone.localdate()
    with capture(execute=True):
        http.post(
            reverse("records:chart_export"),
            {
                "client": str(client.uuid),
                "start": (today - timedelta(days=days)).isoformat(),
                "end": today.isoformat(),
            },
        )


def _notes(client, author, count):
    today = timezone.localdate()
    for i in range(count):
        sign_progress_note(
            ProgressNoteFactory(
                client=client,
                author=author,
                service_date=today - timedelta(days=count - i),
                subjective=f"Session {i + 1}: reviewed the week.",
            )
        )


def _attachments(data: bytes) -> dict[str, bytes]:
    return {name: content[0] for name, content in PdfReader(io.BytesIO(data)).attachments.items()}


def test_a_clinicians_export_holds_no_audit_trail(
    alice, client_record, login, django_capture_on_commit_callbacks, tmp_path
):
    _notes(client_record, alice, 1)
    http = login(alice)
    http.get(reverse("records:chart", args=[client_record.uuid]))  # an audited view
    assert http.get(reverse("clients:audit", args=[client_record.uuid])).status_code == 403
    _export(http, client_record, django_capture_on_commit_callbacks)
    job = DocumentJob.objects.get(requested_by=alice)
    assert job.status == JobStatus.DONE, job.error
    data = job_bytes(job)
    text = "\n".join(pdf_pages(data, tmp_path))
    assert "Session 1: reviewed the week." in text
    assert "Audit trail of this chart" not in text
    assert "alice" not in text.lower().replace("alice adams", "")
    assert _attachments(data) == {}


def test_an_auditors_export_summarises_the_audit_trail_and_attaches_every_event(
    alice, audrey, client_record, login, django_capture_on_commit_callbacks, tmp_path
):
    _notes(client_record, alice, 1)
    clinician = login(alice)
    for _ in range(3):
        clinician.get(reverse("records:chart", args=[client_record.uuid]))
    _export(login(audrey), client_record, django_capture_on_commit_callbacks)
    job = DocumentJob.objects.get(requested_by=audrey)
    assert job.status == JobStatus.DONE, job.error
    data = job_bytes(job)
    status = pdf.validate_pdf(data)
    assert status.intact and status.bottom_line  # the attachment is signed too
    text = "\n".join(pdf_pages(data, tmp_path))
    assert "Audit trail of this chart" in text and "summary" in text
    events = AuditEvent.objects.filter(client_uuid=client_record.uuid).exclude(
        object_type__startswith="psychotherapy."
    )
    views = events.filter(username="alice", action=AuditAction.VIEW).count()
    assert views >= 3
    attached = _attachments(data)
    assert list(attached) == [chart_export.AUDIT_CSV_NAME]
    rows = list(csv.DictReader(io.StringIO(attached[chart_export.AUDIT_CSV_NAME].decode())))
    assert sum(1 for r in rows if r["who"] == "alice" and r["action"] == "view") == views
    assert len(rows) >= events.filter(created_at__lte=job.started_at).count()


def test_a_long_chart_is_rendered_in_parts_with_progress_and_short_notes_share_pages(
    alice, audrey, client_record, tmp_path, monkeypatch
):
    _notes(client_record, alice, 7)
    monkeypatch.setattr(chart_export, "NOTES_PER_PART", 3)
    rendered = []
    real = pdf.html_to_pdf

    def counting(html, **kwargs):
        rendered.append(len(html))
        return real(html, **kwargs)

    monkeypatch.setattr(pdf, "html_to_pdf", counting)
    today = timezone.localdate()
    job = DocumentJob.objects.create(
        kind=chart_export.CHART_EXPORT,
        requested_by=audrey,
        client_uuid=client_record.uuid,
        params={"start": (today - timedelta(days=30)).isoformat(), "end": today.isoformat()},
    )
    seen = []
    (output,) = chart_export.build_chart_export(job, seen.append)
    # Cover, 3 parts of at most 3 notes, the audit summary: 5 renders, one signature.
    assert len(rendered) == 5
    data = output.data
    assert pdf.validate_pdf(data).intact
    pages = pdf_pages(data, tmp_path)
    text = "\n".join(pages)
    for i in range(1, 8):
        assert f"Session {i}: reviewed the week." in text
    # Tight layout: 7 short notes need fewer pages than notes.
    assert len([p for p in pages if "reviewed the week" in p]) < 7
    # Page numbers run on across the parts, and the heading is not repeated.
    assert f"Page {len(pages)}" in pages[-1]
    assert text.count("This document is digitally signed") == 1
    # Progress after each part, never backwards.
    assert len(seen) >= 5 and seen == sorted(seen) and seen[-1] < 100
