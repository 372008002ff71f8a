"""Standard measures (PHQ-9, GAD-7) given to a client, and their scheduled repeats.

A ``MeasureResult`` is written once, scored when it is recorded, and never
changed or deleted (``save()`` refuses a second write; on PostgreSQL a trigger,
migration ``0002_freeze_results``, refuses UPDATE and DELETE). What the client
answered is clinical content: reads go through ``notes.measures.access``.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

from notes.measures import instruments
from practice.signing import FrozenRecordError


class InstrumentKey(models.TextChoices):
    # The keys of data/instruments.json (a test keeps the two in step).
    PHQ9 = "phq9", "PHQ-9"
    GAD7 = "gad7", "GAD-7"


class GivenBy(models.TextChoices):
    CLINICIAN = "clinician", "Entered by the clinician in session"
    CLIENT = "client", "Completed by the client (client mode)"


class MeasureResult(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="measure_results"
    )
    instrument = models.CharField(max_length=10, choices=InstrumentKey.choices)
    # One answer value per item, in item order (0-3 for PHQ-9 and GAD-7).
    answers = models.JSONField()
    # The unscored "how difficult" question, when answered.
    difficulty = models.PositiveSmallIntegerField(null=True, blank=True)
    total = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=30)
    # An item answered above its alert threshold (PHQ-9 item 9 above 0).
    alert = models.BooleanField(default=False)
    given_by = models.CharField(max_length=10, choices=GivenBy.choices)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="measure_results"
    )
    completed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["completed_at", "id"]
        indexes = [models.Index(fields=["client", "instrument", "completed_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(total__lte=27), name="measure_total_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_instrument_display()} {self.completed_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise FrozenRecordError("A recorded measure cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenRecordError("A recorded measure cannot be deleted.")

    @property
    def spec(self) -> instruments.Instrument:
        return instruments.get(self.instrument)

    @property
    def band_label(self) -> str:
        return self.spec.band_label(self.band)

    def item_rows(self) -> list[tuple]:
        """(item, answer label, value) for each item, for the detail page and the PDF."""
        spec = self.spec
        labels = {a.value: a.label for a in spec.answers}
        return [
            (item, labels.get(value, str(value)), value)
            for item, value in zip(spec.items, self.answers, strict=False)
        ]

    @property
    def difficulty_label(self) -> str:
        if self.difficulty is None:
            return ""
        return next(
            (a.label for a in self.spec.difficulty_answers if a.value == self.difficulty), ""
        )


class MeasureSchedule(models.Model):
    """Give ``instrument`` to ``client`` every ``every_days`` days (e.g. 28)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="measure_schedules"
    )
    instrument = models.CharField(max_length=10, choices=InstrumentKey.choices)
    every_days = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "instrument"],
                condition=Q(active=True),
                name="one_active_schedule_per_measure",
            ),
            models.CheckConstraint(
                condition=Q(every_days__gte=7) & Q(every_days__lte=365),
                name="measure_schedule_interval_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_instrument_display()} every {self.every_days} days"

    def next_due(self, last_completed: date | None) -> date:
        """The start date until it is first given, then the last time plus the interval."""
        if last_completed is None:
            return self.starts_on
        return max(self.starts_on, last_completed + timedelta(days=self.every_days))
