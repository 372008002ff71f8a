"""Writes of standard measures: record a completed measure, set or stop a repeat."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clients.models import Client, ClientStatus
from notes.measures import access, instruments
from notes.measures.models import GivenBy, MeasureResult, MeasureSchedule
from practice import audit
from practice.models import AuditAction
from practice.refusals import Refused


class MeasureRefused(Refused):
    """A rule refused the write (messages never carry what the client answered)."""


def _check_writer(client: Client, actor) -> None:
    if not access.can_give(actor, client):
        raise MeasureRefused({None: "Only clinicians on this client's care team give measures."})
    if client.status != ClientStatus.ACTIVE:
        raise MeasureRefused({None: "The client is discharged."})


@transaction.atomic
def measure_record(
    *,
    client: Client,
    instrument: str,
    answers: list[int],
    clinician,
    given_by: str = GivenBy.CLINICIAN,
    difficulty: int | None = None,
    request=None,
    now: datetime | None = None,
) -> MeasureResult:
    """Score and store one completed measure; ``clinician`` gave it (in client
    mode the client answered on the clinician's device). The result is final."""
    _check_writer(client, clinician)
    try:
        spec = instruments.get(instrument)
        score = spec.score(answers)
    except instruments.ScoringError as exc:
        raise MeasureRefused({None: str(exc)}) from None
    if difficulty is not None and difficulty not in {a.value for a in spec.difficulty_answers}:
        raise MeasureRefused({"difficulty": "Choose one of the answers."})
    if given_by not in GivenBy.values:
        raise ValueError(f"unknown given_by {given_by!r}")
    result = MeasureResult(
        client=client,
        instrument=spec.key,
        answers=list(answers),
        difficulty=difficulty,
        total=score.total,
        band=score.band.key,
        alert=bool(score.alert_items),
        given_by=given_by,
        clinician=clinician,
        completed_at=now or timezone.now(),
    )
    try:
        result.full_clean(exclude=["client", "clinician"])
    except ValidationError as exc:
        raise MeasureRefused({None: " ".join(exc.messages)}) from None
    result.save()
    audit.record(
        AuditAction.CREATE,
        request=request,
        user=clinician,
        obj=result,
        client=client,
        # The instrument and how it was given; never the answers or the score.
        detail={"instrument": spec.key, "given_by": given_by},
    )
    return result


@transaction.atomic
def measure_schedule_set(
    *,
    client: Client,
    instrument: str,
    every_days: int,
    starts_on: date,
    actor,
    request=None,
) -> MeasureSchedule:
    """Give ``instrument`` every ``every_days`` days from ``starts_on``; replaces
    the measure's current repeat, if any (kept, stopped, for the record)."""
    _check_writer(client, actor)
    if instrument not in {i.key for i in instruments.all_instruments()}:
        raise MeasureRefused({"instrument": "Choose a measure."})
    if not 7 <= every_days <= 365:
        raise MeasureRefused({"every_weeks": "Repeat between every week and once a year."})
    now = timezone.now()
    for old in MeasureSchedule.objects.select_for_update().filter(
        client=client, instrument=instrument, active=True
    ):
        _stop(old, actor=actor, request=request, now=now)
    schedule = MeasureSchedule(
        client=client,
        instrument=instrument,
        every_days=every_days,
        starts_on=starts_on,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            schedule.save()
    except IntegrityError:
        # Two clicks raced: the other one created the active repeat.
        raise MeasureRefused({None: "This repeat was just changed; reload the page."}) from None
    audit.record(
        AuditAction.CREATE,
        request=request,
        user=actor,
        obj=schedule,
        client=client,
        detail={"instrument": instrument, "every_days": every_days},
    )
    return schedule


def _stop(schedule: MeasureSchedule, *, actor, request, now) -> None:
    updated = MeasureSchedule.objects.filter(pk=schedule.pk, active=True).update(
        active=False, stopped_at=now
    )
    if updated:
        audit.record(
            AuditAction.UPDATE,
            request=request,
            user=actor,
            obj=schedule,
            client=schedule.client,
            detail={"fields": ["active"], "stopped": True},
        )


@transaction.atomic
def measure_schedule_stop(*, schedule: MeasureSchedule, actor, request=None) -> None:
    """Stop a repeat (the row stays, stopped, as the record of what was planned);
    also for a discharged client."""
    if not access.can_give(actor, schedule.client):
        raise MeasureRefused({None: "Only clinicians on this client's care team change repeats."})
    _stop(schedule, actor=actor, request=request, now=timezone.now())
