from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from practice.models import PracticeSettings, age_on


class ClientStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DISCHARGED = "discharged", "Discharged"


class Client(models.Model):
    """A person in care. Discharged, never deleted (retention)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mrn = models.CharField("MRN", max_length=20, unique=True)
    legal_first_name = models.CharField(max_length=100)
    legal_last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    pronouns = models.CharField(max_length=40, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    appointment_reminders = models.BooleanField(
        "e-mail appointment reminders",
        default=True,
        help_text="A reminder the day before each appointment (date, time and clinician "
        "only). Untick if the client opts out.",
    )
    status = models.CharField(
        max_length=20, choices=ClientStatus.choices, default=ClientStatus.ACTIVE
    )
    discharge_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["legal_last_name", "legal_first_name", "id"]
        permissions = [
            ("view_clinical", "Can read the clinical record of the client"),
            ("document_care", "Can write clinical documentation for the client"),
            ("manage_care_team", "Can assign clinicians to care teams"),
            ("view_billing", "Can read billing data of the client"),
        ]
        indexes = [
            models.Index(fields=["legal_last_name", "legal_first_name"]),
            models.Index(fields=["date_of_birth"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="active", discharge_date__isnull=True)
                | Q(status="discharged", discharge_date__isnull=False),
                name="client_discharge_date_matches_status",
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.mrn})"

    @property
    def legal_name(self) -> str:
        return f"{self.legal_first_name} {self.legal_last_name}"

    @property
    def display_name(self) -> str:
        """Preferred first name with the legal last name, as staff address them."""
        first = self.preferred_name or self.legal_first_name
        return f"{first} {self.legal_last_name}"

    def age(self, on: date | None = None) -> int:
        return age_on(self.date_of_birth, on or timezone.localdate())

    @property
    def is_minor(self) -> bool:
        return self.age() < PracticeSettings.load().age_of_majority


class CareTeamRole(models.TextChoices):
    PRIMARY = "primary", "Primary clinician"
    MEMBER = "member", "Care team"
    SUPERVISOR = "supervisor", "Supervisor"


class CareTeamMember(models.Model):
    """Membership of a clinician in a client's care team. Creating or removing
    one goes through clients.services, which grants or revokes the guardian
    object permissions; never create or delete these rows directly."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="care_team")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_teams"
    )
    role = models.CharField(
        max_length=20, choices=CareTeamRole.choices, default=CareTeamRole.MEMBER
    )
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["role", "clinician__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["client", "clinician"], name="care_team_unique_member")
        ]

    def __str__(self) -> str:
        return f"{self.clinician} on {self.client_id}"


class Diagnosis(models.Model):
    """An ICD-10-CM diagnosis, validated against the official code set."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="diagnoses")
    code = models.CharField("ICD-10-CM code", max_length=10)
    description = models.CharField(max_length=300)
    is_primary = models.BooleanField("primary", default=False)
    onset_date = models.DateField(null=True, blank=True)
    resolved_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-is_primary", "resolved_date", "code"]
        verbose_name_plural = "diagnoses"
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(is_primary=True, resolved_date__isnull=True),
                name="diagnosis_one_active_primary",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"

    @property
    def is_covered_mental_health(self) -> bool:
        """F-codes (ICD-10-CM chapter 5) are the covered mental-health diagnoses."""
        return self.code.upper().startswith("F")

    @property
    def is_active(self) -> bool:
        return self.resolved_date is None


class Relationship(models.TextChoices):
    PARENT = "parent", "Parent"
    GUARDIAN = "guardian", "Legal guardian"
    SPOUSE = "spouse", "Spouse / partner"
    SIBLING = "sibling", "Sibling"
    CHILD = "child", "Adult child"
    OTHER_FAMILY = "other_family", "Other family"
    PHYSICIAN = "physician", "Primary care physician"
    PSYCHIATRIST = "psychiatrist", "Psychiatrist / prescriber"
    SCHOOL = "school", "School staff"
    ATTORNEY = "attorney", "Attorney"
    CASE_MANAGER = "case_manager", "Case manager"
    PREVIOUS_PROVIDER = "previous_provider", "Previous therapist / outside provider"
    OTHER = "other", "Other"


# Relationships that can make someone a minor's personal representative
# (45 CFR 164.502(g)(3)): a parent, or a guardian acting in loco parentis.
MINOR_REPRESENTATIVE_RELATIONSHIPS = frozenset({Relationship.PARENT, Relationship.GUARDIAN})


class CollateralContact(models.Model):
    """Someone related to the client whom the practice may need to talk to."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="collaterals")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    organization = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    fax = models.CharField(max_length=40, blank=True)
    # Personal representative (HIPAA 45 CFR 164.502(g)): treated as the client
    # for disclosures while clients.representatives says the representation
    # holds on the contact date. See docs/decisions.md.
    is_personal_representative = models.BooleanField(
        "personal representative",
        default=False,
        help_text="A parent or guardian of a minor client, or a legal guardian of an adult "
        "client with the authority recorded below. No release is needed while it holds.",
    )
    representative_authority = models.CharField(
        "legal authority",
        max_length=300,
        blank=True,
        help_text="For a legal guardian: the court order or letters of guardianship "
        "(court, case number, date).",
    )
    representation_suspended_at = models.DateTimeField(null=True, blank=True)
    representation_suspended_reason = models.TextField(blank=True)
    representation_suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display()})"

    def clean(self):
        if self.is_personal_representative and (
            self.relationship not in MINOR_REPRESENTATIVE_RELATIONSHIPS
        ):
            raise ValidationError(
                {
                    "is_personal_representative": "Only a parent or a legal guardian can be "
                    "the client's personal representative."
                }
            )
        if self.representative_authority.strip() and self.relationship != Relationship.GUARDIAN:
            raise ValidationError(
                {"representative_authority": "Legal authority is recorded for a legal guardian."}
            )

    def active_release_on(self, day: date) -> ReleaseOfInformation | None:
        for roi in self.releases.all():
            if roi.is_active_on(day):
                return roi
        return None


class ReleaseOfInformation(models.Model):
    """A client's signed authorisation to exchange information with a collateral."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contact = models.ForeignKey(
        CollateralContact, on_delete=models.CASCADE, related_name="releases"
    )
    signed_date = models.DateField()
    expires_on = models.DateField()
    scope = models.CharField(
        max_length=300, help_text="What may be shared, e.g. attendance and treatment progress."
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-signed_date"]
        verbose_name = "release of information"
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("signed_date")),
                name="roi_expires_after_signed",
            )
        ]

    def __str__(self) -> str:
        return f"ROI {self.signed_date}–{self.expires_on}"

    def is_active_on(self, day: date) -> bool:
        """Signed on or before ``day``, not expired on ``day``, not revoked by then."""
        if self.signed_date > day or self.expires_on < day:
            return False
        return self.revoked_at is None or timezone.localdate(self.revoked_at) > day

    @property
    def can_be_revoked(self) -> bool:
        """Only a release still in force (or not yet in force) can be revoked;
        an expired one has nothing left to revoke."""
        return self.revoked_at is None and self.expires_on >= timezone.localdate()

    @property
    def status_label(self) -> str:
        today = timezone.localdate()
        if self.revoked_at:
            return "Revoked"
        if self.signed_date > today:
            return "Not yet in effect"
        if self.expires_on < today:
            return "Expired"
        return "Active"


class ServiceType(models.TextChoices):
    """Kinds of session, shared by appointments and progress notes."""

    INDIVIDUAL = "individual", "Individual psychotherapy"
    FAMILY_WITH_CLIENT = "family_with_client", "Family therapy with client"
    FAMILY_WITHOUT_CLIENT = "family_without_client", "Family therapy without client"
    INTAKE = "intake", "Intake / diagnostic evaluation"
    GROUP = "group", "Group psychotherapy"
    CRISIS = "crisis", "Crisis psychotherapy"


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "No-show"
    LATE_CANCEL = "late_cancel", "Late cancellation"
    CANCELLED_CLIENT = "cancelled_client", "Cancelled by client"
    CANCELLED_PRACTICE = "cancelled_practice", "Cancelled by practice"
    RESCHEDULED = "rescheduled", "Rescheduled"


class Appointment(models.Model):
    """One booked session. Status changes go through clients.schedule.services, which
    moves a row out of ``scheduled`` exactly once and writes the matching
    contact note in the same transaction."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="appointments")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    start = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=50)
    service_type = models.CharField(
        max_length=30, choices=ServiceType.choices, default=ServiceType.INDIVIDUAL
    )
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED
    )
    # The new appointment points at the one it replaces.
    rescheduled_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="rescheduled_to"
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # When the client (or the practice) gave notice of a cancellation/reschedule.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    notice_hours = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    fee_applies = models.BooleanField(default=False)
    fee_amount = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["start", "id"]
        permissions = [("manage_schedule", "Can book and change any clinician's appointments")]
        indexes = [
            models.Index(fields=["clinician", "start"]),
            models.Index(fields=["start"]),
            models.Index(fields=["client", "start"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0), name="appointment_duration_positive"
            )
        ]

    def __str__(self) -> str:
        return f"Appointment {self.uuid}"

    @property
    def end(self):
        return self.start + timedelta(minutes=self.duration_minutes)

    @property
    def is_open(self) -> bool:
        return self.status == AppointmentStatus.SCHEDULED

    @property
    def status_pill(self) -> str:
        return {
            AppointmentStatus.SCHEDULED: "pill-info",
            AppointmentStatus.COMPLETED: "pill-ok",
            AppointmentStatus.NO_SHOW: "pill-danger",
            AppointmentStatus.LATE_CANCEL: "pill-danger",
            AppointmentStatus.CANCELLED_CLIENT: "pill-warn",
            AppointmentStatus.CANCELLED_PRACTICE: "pill-warn",
        }.get(self.status, "")


class EmergencyAccess(models.Model):
    """Break-the-glass: a clinician outside the care team opened this chart in
    an emergency, with a stated reason, for a limited time.

    While ``expires_at`` is in the future the grant adds read access (view the
    client, read clinical content) in ``clients.access.can``, the one place
    access is decided; never the right to write, and never process notes.
    Rows are kept for the practice admin's review (never deleted).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    reason = models.TextField(help_text="Why this chart must be opened now.")
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["user", "client", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("started_at")),
                name="emergency_access_expires_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"Emergency access {self.uuid}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()


class AmendmentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DENIED = "denied", "Denied"


class AmendmentRequest(models.Model):
    """A client's request to amend their record (HIPAA 45 CFR 164.526).

    Logged as received; then accepted (the amendment text is signed and frozen)
    or denied (the reason is kept, and the client's statement of disagreement
    can be attached once). A decided request is never edited or deleted:
    services change state with conditional updates, and ``save()`` refuses
    changes to a decided row.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="amendments")
    received_on = models.DateField()
    requested_by = models.CharField(
        max_length=120, default="Client", help_text="The client, or their personal representative."
    )
    record_reference = models.CharField(
        "Which record", max_length=200, help_text="e.g. progress note of 2026-10-03, diagnosis"
    )
    requested_change = models.TextField("What the client asks to change, and why")
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=AmendmentStatus.choices, default=AmendmentStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    signer_name = models.CharField(max_length=200, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    amendment_text = models.TextField(blank=True)
    denial_reason = models.TextField(blank=True)
    disagreement_statement = models.TextField(blank=True)
    disagreement_received_on = models.DateField(null=True, blank=True)
    disagreement_logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | Q(status="accepted", decided_at__isnull=False, denial_reason="")
                & ~Q(amendment_text="")
                | Q(status="denied", decided_at__isnull=False, amendment_text="")
                & ~Q(denial_reason=""),
                name="amendment_decision_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(disagreement_statement="") | Q(status="denied"),
                name="amendment_disagreement_only_when_denied",
            ),
        ]

    def __str__(self) -> str:
        return f"Amendment request {self.uuid}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = AmendmentRequest.objects.filter(pk=self.pk).values_list("status", flat=True)
            if stored and stored[0] != AmendmentStatus.PENDING:
                raise RuntimeError("A decided amendment request is frozen.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Amendment requests are part of the record and are never deleted.")

    @property
    def is_decided(self) -> bool:
        return self.status != AmendmentStatus.PENDING
