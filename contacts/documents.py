"""The signed contact note as a PDF (built by a document job)."""

from __future__ import annotations

from contacts.models import ContactNote
from practice.jobs import OutputFile, build_signed_note_pdf


def build_contact_note_pdf(job, progress) -> list[OutputFile]:
    return build_signed_note_pdf(
        job,
        progress,
        notes=ContactNote.objects.select_related("client", "author", "roi"),
        title="Contact note",
        template="contacts/pdf/contact_note.html",
        file_stem="contact-note",
        day_field="contact_at",
    )
