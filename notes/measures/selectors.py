"""Reads of measures that are more than a filter: the chart section and the caseload list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from clients.selectors import caseload_for
from notes.measures import instruments, rules, trends
from notes.measures.models import MeasureResult, MeasureSchedule


@dataclass(frozen=True)
class Due:
    schedule: MeasureSchedule
    client: object
    due_on: date
    last_on: date | None

    @property
    def is_due(self) -> bool:
        return self.due_on <= timezone.localdate()

    @property
    def instrument_name(self) -> str:
        return instruments.get(self.schedule.instrument).name


def _local_date(value) -> date | None:
    return timezone.localtime(value).date() if value else None


def client_results(client) -> QuerySet[MeasureResult]:
    return MeasureResult.objects.filter(client=client).select_related("clinician")


def chart_measures(client) -> dict:
    """Everything the chart shows about measures, in three queries whatever the
    number of results: the results, the active repeats and the open alerts."""
    results = list(client_results(client).order_by("completed_at", "id"))
    schedules = list(MeasureSchedule.objects.filter(client=client, active=True))
    alerts = list(rules.open_alerts(client)[:5])
    last = {}
    for r in results:
        last[r.instrument] = r.completed_at
    due = sorted(
        (
            Due(
                schedule=s,
                client=client,
                due_on=s.next_due(_local_date(last.get(s.instrument))),
                last_on=_local_date(last.get(s.instrument)),
            )
            for s in schedules
        ),
        key=lambda d: d.due_on,
    )
    return {
        "results": results,
        "trends": trends.trends_for(results),
        "due": due,
        "alerts": alerts,
    }


def due_for(user, *, today: date | None = None) -> list[Due]:
    """Repeats due (on or before today) for the active clients on the user's
    own caseload, soonest first: one query."""
    today = today or timezone.localdate()
    last = (
        MeasureResult.objects.filter(client=OuterRef("client"), instrument=OuterRef("instrument"))
        .order_by("-completed_at")
        .values("completed_at")[:1]
    )
    schedules = (
        MeasureSchedule.objects.filter(active=True, client__in=caseload_for(user))
        .select_related("client")
        .annotate(last_completed=Subquery(last))
    )
    due = []
    for s in schedules:
        last_on = _local_date(s.last_completed)
        due_on = s.next_due(last_on)
        if due_on <= today:
            due.append(Due(schedule=s, client=s.client, due_on=due_on, last_on=last_on))
    return sorted(due, key=lambda d: (d.due_on, d.client.display_name))


def alerts_for(user) -> list[MeasureResult]:
    """Open PHQ-9 item-9 alerts on the user's own caseload, the newest per
    client, newest first (one query)."""
    seen, alerts = set(), []
    for alert in (
        rules.unanswered_alerts().filter(client__in=caseload_for(user)).select_related("client")
    ):
        if alert.client_id not in seen:
            seen.add(alert.client_id)
            alerts.append(alert)
    return alerts
