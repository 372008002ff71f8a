"""The signed progress note as a PDF (built by a document job)."""

from __future__ import annotations

from django.utils import timezone

from notes.models import ProgressNote
from practice import pdf
from practice.jobs import DocumentRefused, OutputFile

DRAFT_REFUSAL = "Only signed notes can be printed as signed documents. Sign the note first."


def build_progress_note_pdf(job, progress) -> list[OutputFile]:
    note = (
        ProgressNote.objects.select_related("client", "author", "cosigner")
        .filter(uuid=job.params["note"])
        .first()
    )
    if note is None:
        raise DocumentRefused("The note no longer exists.")
    if not note.is_signed:
        raise DocumentRefused(DRAFT_REFUSAL)
    progress(20)
    context = {
        "title": f"Progress note · {note.service_date:%Y-%m-%d} · {note.get_format_display()}",
        "footer_label": "Progress note",
        "client": note.client,
        "note": note,
        "addenda": list(note.addenda.all()),
        "generated_at": timezone.now(),
    }
    data = pdf.render_pdf("notes/pdf/progress_note.html", context)
    progress(70)
    signed = pdf.sign_pdf(data, reason="Signed progress note")
    name = f"progress-note-{note.service_date:%Y%m%d}-{str(note.uuid)[:8]}.pdf"
    return [OutputFile("pdf", name, "application/pdf", signed, "signed PDF")]
