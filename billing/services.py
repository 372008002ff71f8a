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

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import (
    BooleanField,
    CharField,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import TruncDate
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


_ITEM_COLUMNS = (
    "export_id",
    "kind",
    "item_uuid",
    "client_id",
    "clinician_id",
    "service_date",
    "minutes",
    "units",
    "cpt_code",
    "fee",
    "voided",
)


def _insert_items(export: BillingExport, kind: str, candidates) -> int:
    """Mark every candidate as billed in ``export`` with one ``INSERT ... SELECT``.

    The rows never pass through Python (a month of the whole practice is tens
    of thousands of items), so the time is the database's and memory stays
    flat. The selected expressions are annotated in ``_ITEM_COLUMNS`` order.
    """
    if kind == ItemKind.SESSION:
        values: dict[str, Any] = {
            "minutes": F("bill_minutes"),
            "units": F("units"),
            "cpt": F("cpt_code"),
            "fee": F("bill_fee"),
            "day": F("service_date"),
        }
    else:
        values = {
            "minutes": F("minutes"),
            "units": Value(0),
            "cpt": Value("", output_field=CharField()),
            "fee": Value(Decimal("0"), output_field=selectors.MONEY),
            # The contact's day in the practice's time zone, as timezone.localdate().
            "day": TruncDate("contact_at"),
        }
    annotations = {
        "b_export": Value(export.pk, output_field=IntegerField()),
        "b_kind": Value(kind, output_field=CharField()),
        "b_item": F("uuid"),
        "b_client": F("client_id"),
        "b_clinician": F("author_id"),
        "b_day": values["day"],
        "b_minutes": values["minutes"],
        "b_units": values["units"],
        "b_cpt": values["cpt"],
        "b_fee": values["fee"],
        "b_voided": Value(False, output_field=BooleanField()),
    }
    rows = candidates.annotate(**annotations).values_list(*annotations)
    sql, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(BilledItem._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _ITEM_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)  # noqa: S608
        return cursor.rowcount


@transaction.atomic
def billing_export_create(*, job: DocumentJob) -> BillingExport:
    """Record the export of ``job`` and mark its items; returns the existing one on a retry."""
    # One delivery at a time per job: a redelivered task waits here, then finds the export.
    DocumentJob.objects.select_for_update().get(pk=job.pk)
    existing = BillingExport.objects.filter(job_uuid=job.uuid).first()
    if existing is not None:
        return existing
    period, clinician, client = _period_from(job.params)
    if not (
        selectors.billable_sessions(period).exists()
        or selectors.billable_contacts(period).exists()
    ):
        # E.g. a second tab's "Create export" after the first took every item:
        # refuse rather than record a live, empty $0 export.
        raise DocumentRefused(
            "Nothing to export: every billable item in this period is already in a live "
            "export (perhaps one just created in another tab)."
        )
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
    try:
        with transaction.atomic():
            _insert_items(export, ItemKind.SESSION, selectors.billable_sessions(period))
            _insert_items(export, ItemKind.CONTACT, selectors.billable_contacts(period))
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


CHUNK = 2000  # rows fetched per round trip when writing the files


def _note_value(model, field: str) -> Subquery:
    # One index probe on the note's unique uuid; never the note's text.
    return Subquery(model.objects.filter(uuid=OuterRef("item_uuid")).values(field)[:1])


def _name(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def session_rows(export: BillingExport) -> Iterator[list]:
    """The export's session rows, streamed from the database in chunks."""
    rows = (
        export.items.filter(kind=ItemKind.SESSION)
        .annotate(
            note_diagnoses=_note_value(ProgressNote, "diagnoses"),
            note_place=_note_value(ProgressNote, "place_of_service"),
        )
        .order_by("service_date", "id")
        .values_list(
            "service_date",
            "client__mrn",
            "client__legal_first_name",
            "client__legal_last_name",
            "client__date_of_birth",
            "clinician__first_name",
            "clinician__last_name",
            "clinician__username",
            "clinician__credentials",
            "clinician__npi",
            "cpt_code",
            "note_diagnoses",
            "units",
            "minutes",
            "note_place",
            "fee",
            "item_uuid",
        )
    )
    places = dict(PlaceOfService.choices)
    for (
        day,
        mrn,
        first,
        last,
        dob,
        c_first,
        c_last,
        c_user,
        credentials,
        npi,
        cpt,
        diagnoses,
        units,
        minutes,
        place,
        fee,
        item_uuid,
    ) in rows.iterator(chunk_size=CHUNK):
        if isinstance(diagnoses, str):  # SQLite hands a subquery's JSON back as text
            diagnoses = json.loads(diagnoses)
        yield [
            "session",
            day.isoformat(),
            mrn,
            f"{last}, {first}",
            dob.isoformat(),
            _name(c_first, c_last, c_user),
            credentials,
            npi,
            cpt,
            ";".join(d["code"] for d in diagnoses or []),
            units,
            minutes,
            places.get(place, place),
            fee,
            str(item_uuid),
        ]


def contact_rows(export: BillingExport) -> Iterator[list]:
    """Per-contact rows, then a total per client, per clinician and overall."""
    rows = (
        export.items.filter(kind=ItemKind.CONTACT)
        # Only the columns a biller needs: the summary is never read.
        .annotate(
            note_reason=_note_value(ContactNote, "reason"),
            note_means=_note_value(ContactNote, "means"),
        )
        .order_by("service_date", "id")
        .values_list(
            "service_date",
            "client__mrn",
            "client__legal_first_name",
            "client__legal_last_name",
            "clinician__first_name",
            "clinician__last_name",
            "clinician__username",
            "clinician__credentials",
            "note_reason",
            "note_means",
            "minutes",
            "item_uuid",
        )
    )
    reasons, means = dict(Reason.choices), dict(Means.choices)
    for (
        day,
        mrn,
        first,
        last,
        c_first,
        c_last,
        c_user,
        credentials,
        reason,
        note_means,
        minutes,
        item_uuid,
    ) in rows.iterator(chunk_size=CHUNK):
        if isinstance(note_means, str):
            note_means = json.loads(note_means)
        yield [
            "contact",
            day.isoformat(),
            mrn,
            f"{last}, {first}",
            _name(c_first, c_last, c_user),
            credentials,
            reasons.get(reason, reason),
            "; ".join(means.get(m, m) for m in note_means or []),
            minutes,
            str(item_uuid),
        ]
    contacts = export.items.filter(kind=ItemKind.CONTACT)
    per_client = (
        contacts.values("client")
        .annotate(minutes=Sum("minutes"))
        .order_by("client")
        .values_list(
            "client__mrn", "client__legal_first_name", "client__legal_last_name", "minutes"
        )
    )
    for mrn, first, last, minutes in per_client.iterator(chunk_size=CHUNK):
        yield ["client_total", "", mrn, f"{last}, {first}", "", "", "", "", minutes, ""]
    per_clinician = (
        contacts.values("clinician")
        .annotate(minutes=Sum("minutes"))
        .order_by("clinician")
        .values_list(
            "clinician__first_name",
            "clinician__last_name",
            "clinician__username",
            "clinician__credentials",
            "minutes",
        )
    )
    for c_first, c_last, c_user, credentials, minutes in per_clinician:
        yield [
            "clinician_total",
            "",
            "",
            "",
            _name(c_first, c_last, c_user),
            credentials,
            "",
            "",
            minutes,
            "",
        ]
    yield ["total", "", "", "", "", "", "", "", export.contact_minutes, ""]


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


def _session_rows_with_total(export: BillingExport) -> Iterator[list]:
    yield from session_rows(export)
    yield _session_total_row(export)


def build_billing_export_files(job: DocumentJob, progress) -> list[OutputFile]:
    export = billing_export_create(job=job)
    progress(50)
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
            csv_bytes(SESSION_COLUMNS, _session_rows_with_total(export)),
            "billable sessions (CSV)",
        ),
        OutputFile(
            "contacts-csv",
            f"{stem}-contact-minutes.csv",
            CSV_TYPE,
            csv_bytes(CONTACT_COLUMNS, contact_rows(export)),
            "contact minutes (CSV)",
        ),
        OutputFile(
            "xlsx",
            f"{stem}.xlsx",
            XLSX_TYPE,
            xlsx_bytes(
                [
                    ("Sessions", SESSION_COLUMNS, _session_rows_with_total(export)),
                    ("Contact minutes", CONTACT_COLUMNS, contact_rows(export)),
                    ("Totals", ["total", "value"], totals_sheet),
                ]
            ),
            "both as a workbook (XLSX)",
        ),
    ]
