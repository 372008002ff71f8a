"""Progress notes: the clinical documentation of a session (part of the record set).

Lifecycle: a draft (autosaved, editable by its author only) is signed, which
records the signer, their credentials, the time and a SHA-256 of the note's
canonical content; the row is then frozen (here in ``save()``/``delete()`` and,
on PostgreSQL, by the trigger of migration ``0002_freeze_signed_progress_notes``).
Only the co-signature columns may still be filled in once. Corrections are
addenda, each signed when written.

Writes go through ``notes.services``; reads through ``notes.access``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clients.models import ServiceType
from notes.formats import ALL_SECTION_FIELDS, NoteFormat, sections_for
from practice.signing import FrozenWhenSigned, SignedAddendum, SignStatus, hash_matches

# The one draft/signed enum of every signed record kind.
NoteStatus = SignStatus


class PlaceOfService(models.TextChoices):
    """CMS place-of-service codes used by outpatient mental health."""

    OFFICE = "11", "11 Office"
    TELEHEALTH_HOME = "10", "10 Telehealth in the client's home"
    TELEHEALTH_OTHER = "02", "02 Telehealth outside the client's home"
    SCHOOL = "03", "03 School"
    HOME = "12", "12 Home"
    OTHER = "99", "99 Other"


# A note signed more than this many days after the session is flagged as late
# documentation on the note, in the chart and in printed copies.
LATE_DOCUMENTATION_DAYS = 3


class RiskLevel(models.TextChoices):
    NONE = "none", "None"
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"


ELEVATED_RISK = frozenset({RiskLevel.MODERATE, RiskLevel.HIGH})


class CssrsResult(models.TextChoices):
    NOT_DONE = "", "Not done"
    NEGATIVE = "negative", "Negative"
    LOW = "positive_low", "Positive, low risk"
    MODERATE = "positive_moderate", "Positive, moderate risk"
    HIGH = "positive_high", "Positive, high risk"


class SafetyPlan(models.TextChoices):
    NONE = "", "Not addressed"
    CREATED = "created", "Created"
    REVIEWED = "reviewed", "Reviewed / updated"


class Intervention(models.TextChoices):
    CBT = "cbt", "Cognitive behavioral therapy"
    DBT = "dbt", "DBT skills"
    MI = "mi", "Motivational interviewing"
    PSYCHOEDUCATION = "psychoeducation", "Psychoeducation"
    MINDFULNESS = "mindfulness", "Mindfulness / relaxation"
    EXPOSURE = "exposure", "Exposure"
    EMDR = "emdr", "EMDR"
    SUPPORTIVE = "supportive", "Supportive therapy"
    PSYCHODYNAMIC = "psychodynamic", "Psychodynamic exploration"
    FAMILY_SYSTEMS = "family_systems", "Family systems"
    SAFETY_PLANNING = "safety_planning", "Safety planning"
    SOLUTION_FOCUSED = "solution_focused", "Solution-focused"
    OTHER = "other", "Other (describe in the note)"


def _utc(value: datetime | None) -> str | None:
    # Hash times in UTC so the hash does not depend on the zone a value was read in.
    return value.astimezone(UTC).isoformat() if value else None


# Columns the freeze trigger still lets change on a signed note: the one-time
# co-signature and the bookkeeping timestamp.
COSIGN_COLUMNS = (
    "cosigned_at",
    "cosigner_id",
    "cosigner_name",
    "cosigner_credentials",
    "cosign_hash",
    "updated_at",
)


# A session's plausible shape (issue 13, attack 8): it ends after it starts
# (an end earlier on the clock is past midnight) and lasts at most
# MAX_SESSION_MINUTES, the longest booking the schedule takes; so 10:00-09:59 is
# refused, not a 1,439-minute 90837. It happened on or after
# EARLIEST_SERVICE_DATE and the client's birth.
MAX_SESSION_MINUTES = 480
EARLIEST_SERVICE_DATE = date(2000, 1, 1)


def session_minutes(start_time: time | None, end_time: time | None) -> int | None:
    """Minutes from start to end, past midnight when the end is earlier on the
    clock; None when a time is missing."""
    if start_time is None or end_time is None:
        return None
    start = datetime.combine(EARLIEST_SERVICE_DATE, start_time)
    end = datetime.combine(EARLIEST_SERVICE_DATE, end_time)
    if end < start:  # a session that ran past midnight
        end += timedelta(days=1)
    return int((end - start).total_seconds() // 60)


def session_time_errors(
    service_date: date | None,
    start_time: time | None,
    end_time: time | None,
    *,
    date_of_birth: date | None = None,
) -> dict[str, str]:
    """What is impossible about a session's date and times, keyed by form field.

    The one rule for the editor's form, the draft service and signing; blank
    times are left to the signing checks (a draft may not have them yet).
    """
    errors: dict[str, str] = {}
    if service_date is not None:
        if service_date < EARLIEST_SERVICE_DATE:
            errors["service_date"] = (
                f"Check the service date: sessions before {EARLIEST_SERVICE_DATE.year} "
                "are not documented here."
            )
        elif date_of_birth is not None and service_date < date_of_birth:
            errors["service_date"] = "Check the service date: it is before the client's birth."
    minutes = session_minutes(start_time, end_time)
    if minutes is not None and not 0 < minutes <= MAX_SESSION_MINUTES:
        errors["end_time"] = (
            f"The session must end after it starts and last at most "
            f"{MAX_SESSION_MINUTES // 60} hours: check the start and end times."
        )
    return errors


class ProgressNote(FrozenWhenSigned):
    # Co-signing is a conditional UPDATE in notes.services, never a save().
    frozen_label = "progress notes"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="progress_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="progress_notes"
    )
    # The session this note documents, when it was booked in the schedule.
    appointment = models.OneToOneField(
        "clients.Appointment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="progress_note",
    )
    format = models.CharField(max_length=10, choices=NoteFormat.choices)

    # Header shared by every format.
    service_date = models.DateField()
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    service_type = models.CharField(
        max_length=30, choices=ServiceType.choices, default=ServiceType.INDIVIDUAL
    )
    place_of_service = models.CharField(
        max_length=2, choices=PlaceOfService.choices, default=PlaceOfService.OFFICE
    )
    client_location = models.CharField(
        "client's location",
        max_length=200,
        blank=True,
        help_text="For telehealth: where the client was (city and state).",
    )
    # ICD-10-CM codes addressed, snapshotted as [{"code", "description"}] so the
    # signed note keeps them even if the chart's diagnoses change later.
    diagnoses = models.JSONField(default=list, blank=True)
    interventions = models.JSONField(default=list, blank=True)  # Intervention values

    # Medical-necessity elements asked for in every format.
    symptoms = models.TextField("symptoms", blank=True)
    functional_impairment = models.TextField("functional impairment", blank=True)
    progress = models.TextField("response / progress toward goals", blank=True)
    next_appointment = models.CharField(max_length=200, blank=True)

    # Format sections (which ones a note uses depends on its format).
    subjective = models.TextField(blank=True)
    objective = models.TextField(blank=True)
    data = models.TextField("data / description", blank=True)
    behavior = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    intervention = models.TextField(blank=True)
    response = models.TextField(blank=True)
    plan = models.TextField(blank=True)

    # Risk.
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    cssrs_result = models.CharField(
        "C-SSRS screening", max_length=20, choices=CssrsResult.choices, blank=True
    )
    risk_factors = models.TextField(blank=True)
    protective_factors = models.TextField(blank=True)
    risk_narrative = models.TextField(blank=True)
    safety_plan = models.CharField(max_length=10, choices=SafetyPlan.choices, blank=True)
    crisis_resources_given = models.BooleanField(default=False)

    # Billing code: suggested from the session, changeable with a reason.
    cpt_code = models.CharField("CPT code", max_length=5, blank=True)
    cpt_suggested = models.CharField(max_length=5, blank=True)
    cpt_override_reason = models.CharField(max_length=300, blank=True)
    units = models.PositiveSmallIntegerField(default=1)

    # Signing.
    status = models.CharField(max_length=10, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    signed_at = models.DateTimeField(null=True, blank=True)
    signer_name = models.CharField(max_length=200, blank=True)
    signer_credentials = models.CharField(max_length=60, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    # What the medical-necessity check found missing at signing, and why the
    # clinician signed anyway.
    necessity_missing = models.JSONField(default=list, blank=True)
    necessity_override_reason = models.TextField(blank=True)

    # Co-signature (pre-licensed authors): required is fixed at signing.
    cosign_required = models.BooleanField(default=False)
    cosigned_at = models.DateTimeField(null=True, blank=True)
    cosigner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cosigned_notes",
    )
    cosigner_name = models.CharField(max_length=200, blank=True)
    cosigner_credentials = models.CharField(max_length=60, blank=True)
    cosign_hash = models.CharField(max_length=64, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-service_date", "-start_time", "-id"]
        indexes = [
            models.Index(fields=["client", "service_date"]),
            models.Index(fields=["author", "status"]),
            models.Index(fields=["status", "service_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signed_at__isnull=False, content_hash__gt=""),
                name="progressnote_signed_has_signature",
            ),
            models.CheckConstraint(
                condition=Q(cosigned_at__isnull=True)
                | Q(status="signed", cosigner__isnull=False, cosign_hash__gt=""),
                name="progressnote_cosign_after_sign",
            ),
            models.CheckConstraint(condition=Q(units__gte=1), name="progressnote_units_positive"),
        ]

    def __str__(self) -> str:
        return f"Progress note {self.uuid}"

    # -- derived state --------------------------------------------------------

    @property
    def awaiting_cosign(self) -> bool:
        return self.is_signed and self.cosign_required and self.cosigned_at is None

    @property
    def is_billable(self) -> bool:
        """Signed, co-signed where required, and with a CPT code."""
        return self.is_signed and not self.awaiting_cosign and bool(self.cpt_code)

    @property
    def duration_minutes(self) -> int | None:
        """Session length (past midnight when the end is earlier on the clock);
        None without both times or when the times are impossible, so no CPT
        code is suggested for them."""
        minutes = session_minutes(self.start_time, self.end_time)
        if minutes is None or not 0 < minutes <= MAX_SESSION_MINUTES:
            return None
        return minutes

    def clean(self) -> None:
        super().clean()
        dob = self.client.date_of_birth if self.client_id else None
        errors = session_time_errors(
            self.service_date, self.start_time, self.end_time, date_of_birth=dob
        )
        if errors:
            raise ValidationError(errors)

    @property
    def late_documentation_days(self) -> int | None:
        """Days between the session and the signature when more than
        LATE_DOCUMENTATION_DAYS (payers and auditors ask about late notes);
        None when signed in time or not signed."""
        if self.signed_at is None:
            return None
        days = (timezone.localdate(self.signed_at) - self.service_date).days
        return days if days > LATE_DOCUMENTATION_DAYS else None

    @property
    def sections(self) -> list[tuple[str, str, str]]:
        """(label, guidance, text) of this note's format sections, in order."""
        return [(s.label, s.guidance, getattr(self, s.field)) for s in sections_for(self.format)]

    @property
    def diagnosis_codes(self) -> list[str]:
        return [d["code"] for d in self.diagnoses]

    @property
    def interventions_labels(self) -> list[str]:
        labels = dict(Intervention.choices)
        return [labels.get(i, i) for i in self.interventions]

    def display_status(self, addenda_count: int | None = None) -> str:
        """Draft, Awaiting co-signature, Co-signed, Amended or Signed."""
        if not self.is_signed:
            return "Draft"
        if self.awaiting_cosign:
            return "Awaiting co-signature"
        if addenda_count is None:
            addenda_count = self.addenda.count()
        if addenda_count:
            return "Amended"
        return "Co-signed" if self.cosigned_at else "Signed"

    # -- signature ------------------------------------------------------------

    def signed_content(self) -> dict:
        """What the author's signature covers (hashed with practice.signing.content_hash)."""
        content = {
            "uuid": str(self.uuid),
            "client": str(self.client.uuid),
            "author": str(self.author.uuid),
            "appointment": str(self.appointment.uuid) if self.appointment_id else None,
            "format": self.format,
            "service_date": self.service_date.isoformat(),
            "start_time": self.start_time.isoformat() if self.start_time else None,
            "end_time": self.end_time.isoformat() if self.end_time else None,
            "service_type": self.service_type,
            "place_of_service": self.place_of_service,
            "client_location": self.client_location,
            "diagnoses": list(self.diagnoses),
            "interventions": list(self.interventions),
            "symptoms": self.symptoms,
            "functional_impairment": self.functional_impairment,
            "progress": self.progress,
            "next_appointment": self.next_appointment,
            "risk_level": self.risk_level,
            "cssrs_result": self.cssrs_result,
            "risk_factors": self.risk_factors,
            "protective_factors": self.protective_factors,
            "risk_narrative": self.risk_narrative,
            "safety_plan": self.safety_plan,
            "crisis_resources_given": self.crisis_resources_given,
            "cpt_code": self.cpt_code,
            "cpt_suggested": self.cpt_suggested,
            "cpt_override_reason": self.cpt_override_reason,
            "units": self.units,
            "necessity_missing": list(self.necessity_missing),
            "necessity_override_reason": self.necessity_override_reason,
            "cosign_required": self.cosign_required,
            "signer_name": self.signer_name,
            "signer_credentials": self.signer_credentials,
            "signed_at": _utc(self.signed_at),
        }
        for field in ALL_SECTION_FIELDS:
            content[field] = getattr(self, field)
        return content


    def hash_matches(self) -> bool:
        return hash_matches(self.content_hash, self.signed_content())


class ProgressNoteAddendum(SignedAddendum):
    """A signed correction or addition to a signed progress note."""

    note = models.ForeignKey(ProgressNote, on_delete=models.PROTECT, related_name="addenda")

    class Meta(SignedAddendum.Meta):
        verbose_name_plural = "progress note addenda"
