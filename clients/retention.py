"""Retention: how long a client's record must be kept.

Nothing signed is ever deleted by the application and clients are
discharged, not removed; this module only tells the practice admin from when
a record *may* be destroyed under the practice's policy (a manual, documented
step outside the application).

retain-until = the later of
- last service + ``PracticeSettings.retention_years``, and
- for a client who was a minor at the last service: the date they reach
  ``age_of_majority`` + ``retention_years``.

Last service is the latest of: a completed appointment, a contact note, a
progress note (when the notes app has its model). A client never served
counts from registration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from clients.models import Appointment, AppointmentStatus, Client
from practice.models import PracticeSettings


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Retention:
    last_service: date | None
    retain_until: date
    minor_rule: bool

    @property
    def past(self) -> bool:
        return self.retain_until < timezone.localdate()


# Services recorded by the apps above clients (progress notes, contact notes),
# registered from their AppConfig.ready(): clients never names them.
_REGISTERED_SOURCES: list[tuple[type, str, bool, dict]] = []


def register_service_source(model, date_field: str, *, is_datetime: bool, **filters) -> None:
    """Count rows of ``model`` (with a ``client`` FK) as services on ``date_field``."""
    entry = (model, date_field, is_datetime, filters)
    if entry not in _REGISTERED_SOURCES:
        _REGISTERED_SOURCES.append(entry)


def _service_sources():
    """(model, filters, date expression) triples that count as a service, for a client FK."""
    tz = timezone.get_current_timezone()
    sources = [
        (Appointment, {"status": AppointmentStatus.COMPLETED}, TruncDate("start", tzinfo=tz))
    ]
    for model, field, is_datetime, filters in _REGISTERED_SOURCES:
        expr = TruncDate(field, tzinfo=tz) if is_datetime else field
        sources.append((model, filters, expr))
    return sources


def with_last_service(queryset):
    """Annotate ``last_service`` (a date or None) on a Client queryset."""
    names = []
    for i, (model, filters, expr) in enumerate(_service_sources()):
        name = f"_last_service_{i}"
        sub = (
            model.objects.filter(client=OuterRef("pk"), **filters)
            .order_by()
            .values("client")
            .annotate(last=Max(expr))
            .values("last")
        )
        queryset = queryset.annotate(**{name: Subquery(sub)})
        names.append(name)
    return queryset, names


def compute(client: Client, last_service: date | None, settings: PracticeSettings) -> Retention:
    years = settings.retention_years
    basis = last_service or timezone.localtime(client.created_at).date()
    until = _add_years(basis, years)
    majority = _add_years(client.date_of_birth, settings.age_of_majority)
    minor_rule = False
    if basis < majority:
        minor_until = _add_years(majority, years)
        if minor_until > until:
            until, minor_rule = minor_until, True
    return Retention(last_service=last_service, retain_until=until, minor_rule=minor_rule)


def retention_for(client: Client) -> Retention:
    qs, names = with_last_service(Client.objects.filter(pk=client.pk))
    row = qs.values(*names).get()
    dates = [d for d in row.values() if d is not None]
    return compute(client, max(dates) if dates else None, PracticeSettings.load())


def past_retention(today: date | None = None) -> list[tuple[Client, Retention]]:
    """Clients whose retain-until date has passed, oldest first. Computed in
    Python per row (the minor rule depends on dates); fine for a practice's
    few thousand clients."""
    today = today or timezone.localdate()
    settings = PracticeSettings.load()
    qs, names = with_last_service(Client.objects.all())
    rows = []
    for client in qs.iterator(chunk_size=500):
        dates = [getattr(client, n) for n in names if getattr(client, n) is not None]
        retention = compute(client, max(dates) if dates else None, settings)
        if retention.retain_until < today:
            rows.append((client, retention))
    rows.sort(key=lambda r: r[1].retain_until)
    return rows
