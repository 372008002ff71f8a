"""The signed contact note as a PDF (built by a document job)."""

from __future__ import annotations

from django.utils import timezone

from contacts.models import ContactNote
from practice import pdf
from practice.jobs import DocumentRefused, OutputFile

DRAFT_REFUSAL = "Only signed notes can be printed as signed documents. Sign the note first."


def build_contact_note_pdf(job, progress) -> list[OutputFile]:
    note = (
        ContactNote.objects.select_related("client", "author", "roi")
        .filter(uuid=job.params["note"])
        .first()
    )
    if note is None:
        raise DocumentRefused("The note no longer exists.")
    if not note.is_signed:
        raise DocumentRefused(DRAFT_REFUSAL)
    progress(20)
    context = {
        "title": (
            f"Contact note · {timezone.localtime(note.contact_at):%Y-%m-%d %H:%M}"
            f" · {note.get_reason_display()}"
        ),
        "footer_label": "Contact note",
        "client": note.client,
        "note": note,
        "addenda": list(note.addenda.all()),
        "generated_at": timezone.now(),
    }
    data = pdf.render_pdf("contacts/pdf/contact_note.html", context)
    progress(70)
    signed = pdf.sign_pdf(data, reason="Signed contact note")
    name = f"contact-note-{note.contact_at:%Y%m%d}-{str(note.uuid)[:8]}.pdf"
    return [OutputFile("pdf", name, "application/pdf", signed, "signed PDF")]
