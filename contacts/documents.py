"""The signed contact note as a PDF (built by a document job)."""

from __future__ import annotations

from django.utils import timezone

from clients.access import job_client_rule
from contacts.models import ContactNote
from practice.documents.jobs import OutputFile, build_signed_note_pdf
from practice.documents.registry import DocumentKind

CONTACT_NOTE_PDF = "contact_note_pdf"


def _heading(note: ContactNote) -> str:
    when = timezone.localtime(note.contact_at)
    return f"Contact note · {when:%Y-%m-%d %H:%M} · {note.get_reason_display()}"


def build_contact_note_pdf(job, progress) -> list[OutputFile]:
    return build_signed_note_pdf(
        job,
        progress,
        notes=ContactNote.objects.select_related("client", "author", "roi"),
        title="Contact note",
        heading=_heading,
        template="contacts/pdf/contact_note.html",
        file_stem="contact-note",
        day_field="contact_at",
    )


KIND = DocumentKind(
    key=CONTACT_NOTE_PDF,
    label="Signed contact note (PDF)",
    builder=build_contact_note_pdf,
    may_access=job_client_rule,
)
