"""The auditor's chart export: one signed PDF of a client's record set for a period.

The record set is the demographics, diagnoses, signed treatment-plan versions
(with each goal's session ratings), signed progress notes (with
addenda, signatures and co-signatures), standard measures (trends and
answers), signed contact notes (with addenda),
appointments with their statuses, and the chart's audit trail for the period.
Psychotherapy (process) notes are not part of the record set: this module does
not import their store, and nothing here can reach it.
"""

from __future__ import annotations

import json
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone

from clients import access as client_access
from clients.models import Appointment, Client
from contacts.models import ContactNote, ContactNoteAddendum
from contacts.models import NoteStatus as ContactStatus
from notes.measures import trends as measure_trends
from notes.measures.models import MeasureResult
from notes.models import NoteStatus, ProgressNote, ProgressNoteAddendum
from notes.plans.selectors import plans_for_export
from practice import integrity
from practice.dates import day_bounds
from practice.documents import pdf
from practice.documents.jobs import DocumentRefused, OutputFile
from practice.documents.registry import DocumentKind
from practice.models import AuditEvent
from practice.permissions import has_role_perm

CHART_EXPORT = "chart_export"  # the document kind
EXPORT_CHART = "documents.export_chart"
# Audit events about process notes (object types "psychotherapy.<model>") stay
# in the audit trail (auditors read it on the chart's audit page) but are not
# part of the exported record set. A prefix, so that this module still never
# names the process-note store.
PROCESS_NOTE_EVENTS_PREFIX = "psychotherapy."
MAX_DAYS = 366 * 10


def can_export_chart(user, client: Client) -> bool:
    """Auditors (practice-wide) and clinicians on the client's care team."""
    if has_role_perm(user, EXPORT_CHART):
        return client_access.can(user, client_access.CLINICAL, client)
    return client_access.can(user, client_access.DOCUMENT, client)



def chart_record_set(client: Client, start: date, end: date) -> dict:
    """Everything the export holds, as querysets/lists (no process notes, by design)."""
    lower, upper = day_bounds(start, end)
    progress_notes = (
        ProgressNote.objects.filter(
            client=client, status=NoteStatus.SIGNED, service_date__gte=start, service_date__lte=end
        )
        # client, appointment and the addenda's authors: what the keyed-hash
        # check of each signed record reads (no query per note).
        .select_related("client", "author", "cosigner", "appointment")
        .prefetch_related(
            Prefetch(
                "addenda",
                queryset=ProgressNoteAddendum.objects.select_related("author").order_by(
                    "signed_at", "id"
                ),
            )
        )
        .order_by("service_date", "start_time", "id")
    )
    contact_notes = (
        ContactNote.objects.filter(
            client=client, status=ContactStatus.SIGNED, contact_at__gte=lower, contact_at__lt=upper
        )
        .select_related("client", "author", "roi", "appointment", "collateral")
        .prefetch_related(
            Prefetch(
                "addenda",
                queryset=ContactNoteAddendum.objects.select_related("author").order_by(
                    "signed_at", "id"
                ),
            )
        )
        .order_by("contact_at", "id")
    )
    appointments = (
        Appointment.objects.filter(client=client, start__gte=lower, start__lt=upper)
        .select_related("clinician")
        .order_by("start", "id")
    )
    events = (
        AuditEvent.objects.filter(
            client_uuid=client.uuid, created_at__gte=lower, created_at__lt=upper
        )
        .exclude(object_type__startswith=PROCESS_NOTE_EVENTS_PREFIX)
        .order_by("id")
    )
    measure_results = list(
        MeasureResult.objects.filter(client=client, completed_at__gte=lower, completed_at__lt=upper)
        .select_related("clinician")
        .order_by("completed_at", "id")
    )
    return {
        "diagnoses": list(client.diagnoses.order_by("-is_primary", "code")),
        "measure_results": measure_results,
        "measure_trends": measure_trends.trends_for(measure_results, id_prefix="pdf-trend"),
        "care_team": list(client.care_team.select_related("clinician")),
        "plans": plans_for_export(client, start, end),
        "progress_notes": list(progress_notes),
        "contact_notes": list(contact_notes),
        "appointments": list(appointments),
        "events": [
            (e, json.dumps(e.detail, sort_keys=True)[:200] if e.detail else "")
            for e in events.iterator(chunk_size=2000)
        ],
    }


def build_chart_export(job, progress) -> list[OutputFile]:
    client = Client.objects.filter(uuid=job.client_uuid).first()
    if client is None:
        raise DocumentRefused("The client no longer exists.")
    start = date.fromisoformat(job.params["start"])
    end = date.fromisoformat(job.params["end"])
    records = chart_record_set(client, start, end)
    # Each signed note and addendum is checked against its keyed hash; the PDF
    # shows a warning beside any that fail, and each failure is audited.
    signed = [
        record
        for note in (*records["progress_notes"], *records["contact_notes"])
        for record in (note, *note.addenda.all())
    ]
    signed += records["plans"]
    failures = integrity.check_signed(signed, context="chart_export", user=job.requested_by)
    progress(30)
    context = {
        "title": "Chart export",
        "client": client,
        "start": start,
        "end": end,
        "requested_by": job.requested_by,
        "generated_at": timezone.now(),
        "integrity_failures": len(failures),
        **records,
    }
    data = pdf.render_pdf("records/pdf/chart_export.html", context)
    progress(80)
    signed = pdf.sign_pdf(data, reason="Chart export (record set)")
    # Ids only in a file name (it lands in download folders and browser histories).
    name = f"chart-{str(client.uuid)[:8]}-{start:%Y%m%d}-{end:%Y%m%d}.pdf"
    return [OutputFile("pdf", name, "application/pdf", signed, "signed PDF")]


def _still_may_export(request, job) -> str | None:
    """The asker still reaches the client and still passes the rule that let
    them start the export (care team, or auditor)."""
    missing = client_access.job_client_rule(request, job)
    if missing:
        return missing
    client = Client.objects.filter(uuid=job.client_uuid).first() if job.client_uuid else None
    if client is None or not can_export_chart(request.user, client):
        return EXPORT_CHART
    return None


def _title(job) -> str:
    return f"{KIND.label}, {job.params['start']} to {job.params['end']}"


KIND = DocumentKind(
    key=CHART_EXPORT,
    label="Chart export (signed PDF)",
    builder=build_chart_export,
    may_access=_still_may_export,
    title=_title,
)
