"""The signed progress note as a PDF (built by a document job)."""

from __future__ import annotations

from clients.access import job_client_rule
from notes.models import ProgressNote
from practice.documents.jobs import OutputFile, build_signed_note_pdf
from practice.documents.registry import DocumentKind

PROGRESS_NOTE_PDF = "progress_note_pdf"


def _heading(note: ProgressNote) -> str:
    return f"Progress note · {note.service_date:%Y-%m-%d} · {note.get_format_display()}"


def build_progress_note_pdf(job, progress) -> list[OutputFile]:
    return build_signed_note_pdf(
        job,
        progress,
        notes=ProgressNote.objects.select_related("client", "author", "cosigner"),
        title="Progress note",
        heading=_heading,
        template="notes/pdf/progress_note.html",
        file_stem="progress-note",
        day_field="service_date",
    )


KIND = DocumentKind(
    key=PROGRESS_NOTE_PDF,
    label="Signed progress note (PDF)",
    builder=build_progress_note_pdf,
    may_access=job_client_rule,
)
