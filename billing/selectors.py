"""Reads for billing: what is billable in a period, and the totals, computed in the database.

Billers see dates, codes, minutes, units, fees, clients and clinicians: never a
note's text. Nothing here selects a note body, summary or psychotherapy note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import (
    Cast,
    Coalesce,
    ExtractHour,
    ExtractMinute,
    ExtractSecond,
    Floor,
)
from django.utils import timezone

from billing.models import BilledItem, BillingExport, FeeScheduleEntry, ItemKind
from contacts.models import ContactNote
from contacts.models import NoteStatus as ContactStatus
from notes.models import EARLIEST_SERVICE_DATE, MAX_SESSION_MINUTES, NoteStatus, ProgressNote
from practice.dates import day_bounds

MONEY: DecimalField = DecimalField(max_digits=12, decimal_places=2)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    clinician_id: int | None = None
    client_id: int | None = None

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return day_bounds(self.start, self.end)


def last_month(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def _seconds(prefix: str):
    return ExtractHour(prefix) * 3600 + ExtractMinute(prefix) * 60 + ExtractSecond(prefix)


def session_minutes_expression():
    """Session length in whole minutes, in SQL, the same as ProgressNote.duration_minutes
    (a session past midnight wraps; no times at all counts as 0).

    PostgreSQL's EXTRACT returns numeric, so the division is floored and cast
    explicitly: 10:00:00-10:45:30 is 45 minutes, as in Python, not 45.5.
    """
    diff = _seconds("end_time") - _seconds("start_time")
    wrapped = ExpressionWrapper((diff + Value(86400)) % Value(86400), output_field=IntegerField())
    minutes = Cast(Floor(wrapped / Value(60)), output_field=IntegerField())
    return Coalesce(minutes, Value(0))


def _live_billed(kind: str) -> Exists:
    """Whether the outer row sits in a live (not voided) export.

    A correlated ``EXISTS`` answered from the partial unique index
    ``billed_item_in_one_live_export`` (kind, item_uuid WHERE NOT voided): one
    index probe per candidate note. ``uuid__in=<subquery>`` made PostgreSQL plan
    ``NOT (SubPlan)`` and re-read every billed item for each candidate note,
    which was quadratic (issue 18).
    """
    return Exists(
        BilledItem.objects.filter(kind=kind, voided=False, item_uuid=OuterRef("uuid"))
    )


def billable_sessions(period: Period, *, unbilled_only: bool = True) -> QuerySet[ProgressNote]:
    """Signed progress notes in the period that can be billed (co-signed where required,
    with a CPT code), annotated with ``bill_minutes`` and ``bill_fee`` (fee schedule x units)."""
    fee = Subquery(
        FeeScheduleEntry.objects.filter(cpt_code=OuterRef("cpt_code"), active=True).values("fee")[
            :1
        ],
        output_field=MONEY,
    )
    qs = (
        ProgressNote.objects.filter(
            status=NoteStatus.SIGNED,
            service_date__gte=period.start,
            service_date__lte=period.end,
        )
        .exclude(cpt_code="")
        .filter(Q(cosign_required=False) | Q(cosigned_at__isnull=False))
    )
    if period.clinician_id:
        qs = qs.filter(author_id=period.clinician_id)
    if period.client_id:
        qs = qs.filter(client_id=period.client_id)
    if unbilled_only:
        qs = qs.filter(~_live_billed(ItemKind.SESSION))
    return (
        qs.annotate(
            bill_minutes=session_minutes_expression(),
            bill_fee=ExpressionWrapper(
                Coalesce(fee, Value(Decimal("0")), output_field=MONEY) * F("units"),
                output_field=MONEY,
            ),
        )
        # An impossible session is never billed, even one signed before the
        # signing checks refused it (issue 13, attack 8).
        .filter(
            bill_minutes__gt=0,
            bill_minutes__lte=MAX_SESSION_MINUTES,
            service_date__gte=EARLIEST_SERVICE_DATE,
        )
        .order_by("service_date", "start_time", "id")
    )


def billable_contacts(period: Period, *, unbilled_only: bool = True) -> QuerySet[ContactNote]:
    """Signed, billable contact notes whose contact falls in the period (practice time zone)."""
    lower, upper = period.bounds
    qs = ContactNote.objects.filter(
        status=ContactStatus.SIGNED, billable=True, contact_at__gte=lower, contact_at__lt=upper
    )
    if period.clinician_id:
        qs = qs.filter(author_id=period.clinician_id)
    if period.client_id:
        qs = qs.filter(client_id=period.client_id)
    if unbilled_only:
        qs = qs.filter(~_live_billed(ItemKind.CONTACT))
    return qs.order_by("contact_at", "id")


def preview_totals(period: Period) -> dict:
    """What an export made now would hold, and what is skipped as already billed."""
    sessions = billable_sessions(period).aggregate(
        count=Count("id"),
        minutes=Coalesce(Sum("bill_minutes"), 0),
        units=Coalesce(Sum("units"), 0),
        fee=Coalesce(Sum("bill_fee"), Value(Decimal("0")), output_field=MONEY),
    )
    contacts = billable_contacts(period).aggregate(
        count=Count("id"), minutes=Coalesce(Sum("minutes"), 0)
    )
    already = (
        billable_sessions(period, unbilled_only=False)
        .filter(_live_billed(ItemKind.SESSION))
        .count()
        + billable_contacts(period, unbilled_only=False)
        .filter(_live_billed(ItemKind.CONTACT))
        .count()
    )
    return {"sessions": sessions, "contacts": contacts, "already_billed": already}


def export_totals(export: BillingExport) -> dict:
    """Totals of an export from its live items, summed in the database."""
    items = export.items.all()
    sessions = items.filter(kind=ItemKind.SESSION).aggregate(
        count=Count("id"),
        minutes=Coalesce(Sum("minutes"), 0),
        units=Coalesce(Sum("units"), 0),
        fee=Coalesce(Sum("fee"), Value(Decimal("0")), output_field=MONEY),
    )
    contacts = items.filter(kind=ItemKind.CONTACT).aggregate(
        count=Count("id"), minutes=Coalesce(Sum("minutes"), 0)
    )
    return {"sessions": sessions, "contacts": contacts}


def contact_totals_by(export: BillingExport, field: str) -> list[dict]:
    """Contact minutes of an export per client (``client``) or per clinician (``clinician``)."""
    return list(
        export.items.filter(kind=ItemKind.CONTACT)
        .values(field)
        .annotate(count=Count("id"), minutes=Sum("minutes"))
        .order_by(field)
    )


def export_for_job(job) -> BillingExport | None:
    return BillingExport.objects.filter(job_uuid=job.uuid).first()


def exports_list() -> QuerySet[BillingExport]:
    return BillingExport.objects.select_related("created_by", "clinician", "client", "voided_by")
