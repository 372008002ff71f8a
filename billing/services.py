"""Billing exports: start one (a background job), make it, void it.

An export is made by a document job: in one transaction it records a
``BillingExport`` (keyed by the job's uuid, so a retried task finds it instead
of making a second), marks every exported session and contact with a
``BilledItem`` (the partial unique constraint refuses an item in two live
exports), and fixes the totals summed in the database from those items. The
CSV and XLSX files are then written from the same items, so the files and the
page agree to the minute.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from billing import access, selectors
from billing.models import BilledItem, BillingExport, ExportStatus, ItemKind
from clients.models import Client
from contacts.models import ContactNote, Means, Reason
from notes.models import PlaceOfService, ProgressNote
from practice import audit
from practice.documents.jobs import DocumentRefused, OutputFile, document_job_start
from practice.documents.models import DocumentJob
from practice.models import AuditAction, User
from practice.refusals import Refused
from practice.spreadsheets import csv_bytes, xlsx_bytes

SESSION_COLUMNS = [
    "row_type",
    "service_date",
    "client_mrn",
    "client_name",
    "client_dob",
    "clinician",
    "credentials",
    "clinician_npi",
    "cpt_code",
    "icd10_codes",
    "units",
    "minutes",
    "place_of_service",
    "fee",
    "note_id",
]
CONTACT_COLUMNS = [
    "row_type",
    "contact_date",
    "client_mrn",
    "client_name",
    "clinician",
    "credentials",
    "reason",
    "means",
    "minutes",
    "note_id",
]
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# The document kind of a billing export (registered in billing.documents).
BILLING_EXPORT = "billing_export"


class BillingRefused(Refused):
    """A rule refused the request; the message is safe to show."""


# -- start --------------------------------------------------------------------


def billing_export_start(
    *, actor: User, start: date, end: date, clinician=None, client=None, request=None
) -> DocumentJob:
    """Queue an export of the period's unbilled items (optionally one clinician/client)."""
    if end < start:
        raise BillingRefused("The end date is before the start date.")
    params = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "clinician": str(clinician.uuid) if clinician else None,
        "client": str(client.uuid) if client else None,
    }
    job = document_job_start(
        kind=BILLING_EXPORT, requested_by=actor, params=params, request=request
    )
    audit.record(
        AuditAction.EXPORT,
        request=request,
        user=actor,
        obj=job,
        client=client,
        detail={"kind": BILLING_EXPORT, **params},
    )
    return job


# -- make ---------------------------------------------------------------------


def _period_from(params: dict) -> tuple[selectors.Period, User | None, Client | None]:
    clinician = client = None
    if params.get("clinician"):
        clinician = User.objects.filter(uuid=params["clinician"]).first()
        if clinician is None:
            raise DocumentRefused("The chosen clinician no longer exists.")
    if params.get("client"):
        client = Client.objects.filter(uuid=params["client"]).first()
        if client is None:
            raise DocumentRefused("The chosen client no longer exists.")
    period = selectors.Period(
        start=date.fromisoformat(params["start"]),
        end=date.fromisoformat(params["end"]),
        clinician_id=clinician.pk if clinician else None,
        client_id=client.pk if client else None,
    )
    return period, clinician, client


@transaction.atomic
def billing_export_create(*, job: DocumentJob) -> BillingExport:
    """Record the export of ``job`` and mark its items; returns the existing one on a retry."""
    # One delivery at a time per job: a redelivered task waits here, then finds the export.
    DocumentJob.objects.select_for_update().get(pk=job.pk)
    existing = BillingExport.objects.filter(job_uuid=job.uuid).first()
    if existing is not None:
        return existing
    period, clinician, client = _period_from(job.params)
    export = BillingExport(
        created_by=job.requested_by,
        period_start=period.start,
        period_end=period.end,
        clinician=clinician,
        client=client,
        job_uuid=job.uuid,
    )
    export.full_clean()
    export.save()
    sessions = selectors.billable_sessions(period)
    items = [
        BilledItem(
            export=export,
            kind=ItemKind.SESSION,
            item_uuid=note.uuid,
            client_id=note.client_id,
            clinician_id=note.author_id,
            service_date=note.service_date,
            minutes=note.bill_minutes,
            units=note.units,
            cpt_code=note.cpt_code,
            fee=note.bill_fee,
        )
        for note in sessions
    ]
    items += [
        BilledItem(
            export=export,
            kind=ItemKind.CONTACT,
            item_uuid=note.uuid,
            client_id=note.client_id,
            clinician_id=note.author_id,
            service_date=timezone.localdate(note.contact_at),
            minutes=note.minutes,
        )
        for note in selectors.billable_contacts(period)
    ]
    try:
        with transaction.atomic():
            BilledItem.objects.bulk_create(items)
    except IntegrityError:
        # Another export took some of these items at the same moment.
        raise DocumentRefused(
            "Some of these items were exported by someone else at the same moment. "
            "Start the export again: it will skip what is already billed."
        ) from None
    totals = selectors.export_totals(export)
    BillingExport.objects.filter(pk=export.pk).update(
        session_count=totals["sessions"]["count"],
        session_minutes=totals["sessions"]["minutes"],
        session_units=totals["sessions"]["units"],
        total_fee=totals["sessions"]["fee"],
        contact_count=totals["contacts"]["count"],
        contact_minutes=totals["contacts"]["minutes"],
    )
    export.refresh_from_db()
    return export


@transaction.atomic
def billing_export_void(*, export: BillingExport, actor: User, reason: str, request=None) -> None:
    """Void a live export (its maker or a practice admin, with a reason): its
    items are released for the next export."""
    if not access.may_void(actor, export):
        raise BillingRefused(access.VOID_REFUSAL)
    reason = (reason or "").strip()
    if not reason:
        raise BillingRefused("Give the reason for voiding this export.")
    now = timezone.now()
    changed = BillingExport.objects.filter(pk=export.pk, status=ExportStatus.DONE).update(
        status=ExportStatus.VOIDED, voided_at=now, voided_by=actor, void_reason=reason[:300]
    )
    if changed != 1:
        raise BillingRefused("This export is already voided.")
    released = BilledItem.objects.filter(export=export, voided=False).update(voided=True)
    audit.record(
        AuditAction.UPDATE,
        request=request,
        user=actor,
        obj=export,
        detail={
            "change": "void",
            "items_released": released,
            "reason": reason[:300],
            "made_by": export.created_by.username,
        },
    )
    export.refresh_from_db()


# -- files --------------------------------------------------------------------


def session_rows(export: BillingExport) -> list[list]:
    items = list(export.items.filter(kind=ItemKind.SESSION).order_by("service_date", "id"))
    notes = {
        n.uuid: n
        for n in ProgressNote.objects.filter(uuid__in=[i.item_uuid for i in items])
        .select_related("client", "author")
        .only(
            "uuid",
            "diagnoses",
            "place_of_service",
            "client__mrn",
            "client__legal_first_name",
            "client__legal_last_name",
            "client__date_of_birth",
            "author__first_name",
            "author__last_name",
            "author__username",
            "author__credentials",
            "author__npi",
        )
    }
    places = dict(PlaceOfService.choices)
    rows = []
    for item in items:
        note = notes[item.item_uuid]
        client, clinician = note.client, note.author
        rows.append(
            [
                "session",
                item.service_date.isoformat(),
                client.mrn,
                f"{client.legal_last_name}, {client.legal_first_name}",
                client.date_of_birth.isoformat(),
                clinician.get_full_name() or clinician.username,
                clinician.credentials,
                clinician.npi,
                item.cpt_code,
                ";".join(d["code"] for d in note.diagnoses),
                item.units,
                item.minutes,
                places.get(note.place_of_service, note.place_of_service),
                item.fee,
                str(item.item_uuid),
            ]
        )
    return rows


def contact_rows(export: BillingExport) -> list[list]:
    """Per-contact rows, then a total per client, per clinician and overall."""
    items = list(
        export.items.filter(kind=ItemKind.CONTACT)
        .select_related("client", "clinician")
        .order_by("service_date", "id")
    )
    # Only the columns a biller needs: the summary is never read.
    notes = {
        n.uuid: n
        for n in ContactNote.objects.filter(uuid__in=[i.item_uuid for i in items]).only(
            "uuid", "reason", "means"
        )
    }
    reasons, means = dict(Reason.choices), dict(Means.choices)
    rows = []
    for item in items:
        note = notes[item.item_uuid]
        rows.append(
            [
                "contact",
                item.service_date.isoformat(),
                item.client.mrn,
                f"{item.client.legal_last_name}, {item.client.legal_first_name}",
                item.clinician.get_full_name() or item.clinician.username,
                item.clinician.credentials,
                reasons.get(note.reason, note.reason),
                "; ".join(means.get(m, m) for m in note.means),
                item.minutes,
                str(item.item_uuid),
            ]
        )
    clients = {c.pk: c for c in Client.objects.filter(pk__in={i.client_id for i in items})}
    for total in selectors.contact_totals_by(export, "client"):
        c = clients[total["client"]]
        rows.append(
            [
                "client_total",
                "",
                c.mrn,
                f"{c.legal_last_name}, {c.legal_first_name}",
                "",
                "",
                "",
                "",
                total["minutes"],
                "",
            ]
        )
    users = {u.pk: u for u in User.objects.filter(pk__in={i.clinician_id for i in items})}
    for total in selectors.contact_totals_by(export, "clinician"):
        u = users[total["clinician"]]
        rows.append(
            [
                "clinician_total",
                "",
                "",
                "",
                u.get_full_name() or u.username,
                u.credentials,
                "",
                "",
                total["minutes"],
                "",
            ]
        )
    rows.append(["total", "", "", "", "", "", "", "", export.contact_minutes, ""])
    return rows


def _session_total_row(export: BillingExport) -> list:
    return [
        "total",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        export.session_units,
        export.session_minutes,
        "",
        export.total_fee,
        "",
    ]


def build_billing_export_files(job: DocumentJob, progress) -> list[OutputFile]:
    export = billing_export_create(job=job)
    progress(40)
    sessions = session_rows(export) + [_session_total_row(export)]
    contacts = contact_rows(export)
    progress(70)
    stem = f"billing-{export.period_start:%Y%m%d}-{export.period_end:%Y%m%d}"
    totals_sheet = [
        ["sessions", export.session_count],
        ["session_minutes", export.session_minutes],
        ["session_units", export.session_units],
        ["session_fees", export.total_fee],
        ["contacts", export.contact_count],
        ["contact_minutes", export.contact_minutes],
    ]
    return [
        OutputFile(
            "sessions-csv",
            f"{stem}-sessions.csv",
            CSV_TYPE,
            csv_bytes(SESSION_COLUMNS, sessions),
            "billable sessions (CSV)",
        ),
        OutputFile(
            "contacts-csv",
            f"{stem}-contact-minutes.csv",
            CSV_TYPE,
            csv_bytes(CONTACT_COLUMNS, contacts),
            "contact minutes (CSV)",
        ),
        OutputFile(
            "xlsx",
            f"{stem}.xlsx",
            XLSX_TYPE,
            xlsx_bytes(
                [
                    ("Sessions", SESSION_COLUMNS, sessions),
                    ("Contact minutes", CONTACT_COLUMNS, contacts),
                    ("Totals", ["total", "value"], totals_sheet),
                ]
            ),
            "both as a workbook (XLSX)",
        ),
    ]
