"""The auditor's chart export: one signed PDF of a client's record set for a period.

The record set is the demographics, diagnoses, signed treatment-plan versions
(with each goal's session ratings), signed progress notes (with
addenda, signatures and co-signatures), standard measures (trends and
answers), signed contact notes (with addenda),
appointments with their statuses, and, for roles that may read it, a summary of
the chart's audit trail with every event in a CSV attached inside the PDF.
Psychotherapy (process) notes are not part of the record set: this module does
not import their store, and nothing here can reach it.

A long chart is not one HTML document: WeasyPrint's memory grows with the
document (a 650-note chart took 1.75 GB and 341 s). The export is rendered in
parts of bounded size (the cover, notes ``NOTES_PER_PART`` at a time, the audit
summary), each laid out and written on its own with the page numbers running
on, then joined, and signed once (issue 18).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Max, Min, Prefetch
from django.template.loader import render_to_string
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
from practice.models import AuditEvent, PracticeSettings
from practice.permissions import has_role_perm
from practice.signing import hash_matches
from practice.spreadsheets import csv_bytes

CHART_EXPORT = "chart_export"  # the document kind
EXPORT_CHART = "documents.export_chart"
# Audit events about process notes (object types "psychotherapy.<model>") stay
# in the audit trail (auditors read it on the chart's audit page) but are not
# part of the exported record set. A prefix, so that this module still never
# names the process-note store.
PROCESS_NOTE_EVENTS_PREFIX = "psychotherapy."
MAX_DAYS = 366 * 10
NOTES_PER_PART = 50
TEMPLATE = "records/pdf/chart_export.html"
AUDIT_CSV_NAME = "audit-trail.csv"
AUDIT_COLUMNS = ["when", "who", "role", "action", "object_type", "object_id", "details"]
# A tighter layout for the notes of the export (the single-note print keeps its
# own): the facts in two columns, a section's label beside its text, smaller
# gaps, so a short note takes a fraction of a page, not two. Page numbers run
# on across the parts (each part starts where the last one ended).
COMPACT_CSS = """
html { font-size: 8.5pt; line-height: 1.3; }
.compact .record { margin-bottom: 5pt; }
.compact .record + .record { padding-top: 4pt; border-top-width: 0.8pt; }
.compact h2 { font-size: 10pt; margin: 6pt 0 2pt; border-bottom: none; padding-bottom: 0; }
.compact h2.section-title { font-size: 11.5pt; border-bottom: 0.6pt solid #999; }
.compact dl.facts { grid-template-columns: 15% 35% 15% 35%; margin: 0 0 2pt; }
.compact dl.facts dd { margin: 0 0 1pt; }
.compact h3 { float: left; font-size: 8.5pt; margin: 0 4pt 0 0; }
.compact h3::after { content: ":"; }
.compact .section-text { margin: 0 0 2pt; }
.compact .signature, .compact .addendum { padding: 2pt 5pt; margin: 3pt 0; }
@page { @bottom-right { content: "Page " counter(page); } }
"""


def can_export_chart(user, client: Client) -> bool:
    """Auditors (practice-wide) and clinicians on the client's care team."""
    if has_role_perm(user, EXPORT_CHART):
        return client_access.can(user, client_access.CLINICAL, client)
    return client_access.can(user, client_access.DOCUMENT, client)


def may_read_audit_trail(user, client: Client) -> bool:
    """The export holds the chart's audit trail only for roles that may read it
    on the chart's audit page (auditors, practice admins): a clinician's export
    of their own client's chart holds none of it (issue 13, attack 13)."""
    return client_access.can(user, client_access.AUDIT_TRAIL, client)


def _audit_events(client: Client, start: date, end: date):
    lower, upper = day_bounds(start, end)
    return AuditEvent.objects.filter(
        client_uuid=client.uuid, created_at__gte=lower, created_at__lt=upper
    ).exclude(object_type__startswith=PROCESS_NOTE_EVENTS_PREFIX)


def audit_summary(client: Client, start: date, end: date) -> list[dict]:
    """The period's events per user, role and action (the export's audit section)."""
    return list(
        _audit_events(client, start, end)
        .values("username", "role", "action")
        .annotate(count=Count("id"), first=Min("created_at"), last=Max("created_at"))
        .order_by("username", "role", "action")
    )


def audit_csv(client: Client, start: date, end: date) -> bytes:
    """Every event of the period, ids only, as CSV (attached inside the signed PDF)."""
    rows = (
        [
            e.created_at.isoformat(),
            e.username,
            e.role,
            e.action,
            e.object_type,
            e.object_id,
            json.dumps(e.detail, sort_keys=True) if e.detail else "",
        ]
        for e in _audit_events(client, start, end).order_by("id").iterator(chunk_size=2000)
    )
    return csv_bytes(AUDIT_COLUMNS, rows)


@dataclass
class ExportPlan:
    """What one export holds: ids and counts, so parts are loaded one at a time."""

    job: object
    client: Client
    start: date
    end: date
    progress_ids: list[int]
    contact_ids: list[int]
    with_audit: bool
    event_count: int = 0
    integrity_failures: int = 0
    generated_at: object = None
    failed: list = field(default_factory=list)
    plans: list = field(default_factory=list)  # signed treatment-plan versions (the cover)

    @property
    def part_count(self) -> int:
        def parts(ids):
            return -(-len(ids) // NOTES_PER_PART)

        return 1 + parts(self.progress_ids) + parts(self.contact_ids) + int(self.with_audit)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), NOTES_PER_PART):
        yield ids[i : i + NOTES_PER_PART]


def progress_notes_part(ids: list[int]):
    return (
        ProgressNote.objects.filter(id__in=ids)
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


def contact_notes_part(ids: list[int]):
    return (
        ContactNote.objects.filter(id__in=ids)
        .select_related("client", "author", "roi", "collateral", "appointment")
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


def _signed_records(notes) -> Iterator:
    for note in notes:
        yield note
        yield from note.addenda.all()


def plan_export(job) -> ExportPlan:
    client = Client.objects.filter(uuid=job.client_uuid).first()
    if client is None:
        raise DocumentRefused("The client no longer exists.")
    start = date.fromisoformat(job.params["start"])
    end = date.fromisoformat(job.params["end"])
    lower, upper = day_bounds(start, end)
    plan = ExportPlan(
        job=job,
        client=client,
        start=start,
        end=end,
        progress_ids=list(
            ProgressNote.objects.filter(
                client=client,
                status=NoteStatus.SIGNED,
                service_date__gte=start,
                service_date__lte=end,
            )
            .order_by("service_date", "start_time", "id")
            .values_list("id", flat=True)
        ),
        contact_ids=list(
            ContactNote.objects.filter(
                client=client,
                status=ContactStatus.SIGNED,
                contact_at__gte=lower,
                contact_at__lt=upper,
            )
            .order_by("contact_at", "id")
            .values_list("id", flat=True)
        ),
        with_audit=may_read_audit_trail(job.requested_by, client),
        generated_at=timezone.now(),
    )
    if plan.with_audit:
        plan.event_count = _audit_events(client, start, end).count()
    # The cover says how many signed records fail their keyed hash, before the
    # parts that show each one are made: a first pass over the ids, a part at a
    # time, that only counts (each failure is audited once, when its part is made).
    plan.plans = plans_for_export(client, start, end)
    plan.integrity_failures = sum(
        not hash_matches(p.content_hash, p.signed_content()) for p in plan.plans
    )
    for loader, ids in (
        (progress_notes_part, plan.progress_ids),
        (contact_notes_part, plan.contact_ids),
    ):
        for chunk in _chunks(ids):
            plan.integrity_failures += sum(
                not hash_matches(r.content_hash, r.signed_content())
                for r in _signed_records(loader(chunk))
            )
    return plan


def _render(plan: ExportPlan, **context) -> str:
    return render_to_string(
        TEMPLATE,
        {
            "practice": PracticeSettings.load(),
            "title": "Chart export",
            "client": plan.client,
            "start": plan.start,
            "end": plan.end,
            "requested_by": plan.job.requested_by,
            "generated_at": plan.generated_at,
            "continuation": context.get("part") != "cover",
            **context,
        },
    )


def export_parts(plan: ExportPlan) -> Iterator[str]:
    """The export's HTML documents, in order, each of bounded size."""
    client, start, end = plan.client, plan.start, plan.end
    lower, upper = day_bounds(start, end)
    measure_results = list(
        MeasureResult.objects.filter(client=client, completed_at__gte=lower, completed_at__lt=upper)
        .select_related("clinician")
        .order_by("completed_at", "id")
    )
    plan.failed += integrity.check_signed(
        plan.plans, context="chart_export", user=plan.job.requested_by
    )
    yield _render(
        plan,
        part="cover",
        plans=plan.plans,
        progress_count=len(plan.progress_ids),
        contact_count=len(plan.contact_ids),
        with_audit=plan.with_audit,
        event_count=plan.event_count,
        audit_csv_name=AUDIT_CSV_NAME,
        integrity_failures=plan.integrity_failures,
        diagnoses=list(client.diagnoses.order_by("-is_primary", "code")),
        care_team=list(client.care_team.select_related("clinician")),
        appointments=list(
            Appointment.objects.filter(client=client, start__gte=lower, start__lt=upper)
            .select_related("clinician")
            .order_by("start", "id")
        ),
        measure_results=measure_results,
        measure_trends=measure_trends.trends_for(measure_results, id_prefix="pdf-trend"),
    )
    for part, loader, ids, key in (
        ("progress", progress_notes_part, plan.progress_ids, "progress_notes"),
        ("contact", contact_notes_part, plan.contact_ids, "contact_notes"),
    ):
        for number, chunk in enumerate(_chunks(ids)):
            notes = list(loader(chunk))
            # Each signed note and addendum is checked against its keyed hash;
            # the PDF shows a warning beside any that fail, each audited once.
            plan.failed += integrity.check_signed(
                _signed_records(notes), context="chart_export", user=plan.job.requested_by
            )
            yield _render(plan, part=part, first=number == 0, **{key: notes})
    if plan.with_audit:
        yield _render(
            plan,
            part="audit",
            summary=audit_summary(client, start, end),
            event_count=plan.event_count,
            audit_csv_name=AUDIT_CSV_NAME,
        )


def chart_export_html(job) -> Iterator[str]:
    """The HTML of each part (bench/run times WeasyPrint alone on it)."""
    yield from export_parts(plan_export(job))


def build_chart_export(job, progress) -> list[OutputFile]:
    plan = plan_export(job)
    progress(5)
    pdfs, page = [], 1
    for done, html in enumerate(export_parts(plan), start=1):
        data, pages = pdf.html_to_pdf(
            html, css=COMPACT_CSS + f"@page:first {{ counter-reset: page {page}; }}"
        )
        pdfs.append(data)
        page += pages
        progress(5 + 85 * done // plan.part_count)
    attachments = (
        {AUDIT_CSV_NAME: audit_csv(plan.client, plan.start, plan.end)} if plan.with_audit else {}
    )
    joined = pdf.join_pdfs(pdfs, title="Chart export", attachments=attachments)
    del pdfs
    progress(95)
    signed = pdf.sign_pdf(joined, reason="Chart export (record set)")
    # Ids only in a file name (it lands in download folders and browser histories).
    name = f"chart-{str(plan.client.uuid)[:8]}-{plan.start:%Y%m%d}-{plan.end:%Y%m%d}.pdf"
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
