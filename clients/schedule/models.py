"""Schedule records that sit above the appointment itself: recurring series,
the clinicians' calendar feeds and the reminders sent. ``Appointment`` stays in
``clients`` (notes below the schedule point at it); these point down at it."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class AppointmentSeries(models.Model):
    """A recurring appointment: an RFC 5545 rule (``recurrence.py``) from a first
    start. Its appointments are booked when the series is created, so the day
    and week views, conflicts and status changes treat them as any other."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rrule = models.CharField("recurrence rule (RFC 5545)", max_length=200)
    first_start = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    service_type = models.CharField(max_length=30)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["first_start", "id"]
        verbose_name_plural = "appointment series"

    def __str__(self) -> str:
        return f"Appointment series {self.uuid}"


class SeriesOccurrence(models.Model):
    """Links an appointment to its series, with the start the rule gave it
    (a moved occurrence keeps its place in the series)."""

    series = models.ForeignKey(
        AppointmentSeries, on_delete=models.PROTECT, related_name="occurrences"
    )
    appointment = models.OneToOneField(
        "clients.Appointment", on_delete=models.PROTECT, related_name="series_occurrence"
    )
    original_start = models.DateTimeField()

    class Meta:
        ordering = ["original_start", "id"]

    def __str__(self) -> str:
        return f"Occurrence {self.original_start:%Y-%m-%d} of {self.series_id}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A clinician's iCalendar feed: a secret URL a calendar app polls without
    signing in. Carries times and client initials only. Revoking it (or making
    a new one) makes the old URL answer 404."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calendar_feeds"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="one_live_feed_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}"


class ReminderSent(models.Model):
    """An appointment's reminder went out (at most one per appointment)."""

    appointment = models.OneToOneField(
        "clients.Appointment", on_delete=models.PROTECT, related_name="reminder_sent"
    )
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Reminder for {self.appointment_id}"
