"""Contact notes: between-session communication about a client.

A note is written as a draft, then signed; once signed it is frozen (here in
``save()`` and, on PostgreSQL, by a trigger) and corrected only by addenda.
"""

from __future__ import annotations

import uuid
from datetime import UTC
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from practice.signing import FrozenWhenSigned, SignedAddendum, SignStatus, hash_matches


class Reason(models.TextChoices):
    RESCHEDULE = "reschedule", "Reschedule"
    CANCELLATION = "cancellation", "Cancellation"
    NO_SHOW = "no_show", "No-show"
    RECORDS_REQUEST = "records_request", "Records request"
    COORDINATION = "coordination_of_care", "Coordination of care"
    COLLATERAL_INFO = "collateral_information", "Collateral information"
    TREATMENT_UPDATE = "treatment_update", "Treatment update"
    CRISIS = "crisis", "Crisis"
    OTHER = "other", "Other"


# Reasons the front desk handles; every other reason is clinical.
ADMINISTRATIVE_REASONS = frozenset(
    {Reason.RESCHEDULE, Reason.CANCELLATION, Reason.NO_SHOW, Reason.RECORDS_REQUEST}
)


# Schedule events that may involve no conversation (the client just did not
# come, or left a message): such notes may record 0 minutes and no means.
NO_CONTACT_REASONS = frozenset({Reason.NO_SHOW, Reason.CANCELLATION, Reason.RESCHEDULE})


class Means(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "E-mail"
    FAX = "fax", "Fax"
    TEXT = "text", "Text message"
    VIDEO = "video", "Video"
    IN_PERSON = "in_person", "In person"
    LETTER = "letter", "Letter"


class Kind(models.TextChoices):
    ADMINISTRATIVE = "administrative", "Administrative"
    CLINICAL = "clinical", "Clinical"


# The one draft/signed enum of every signed record kind.
NoteStatus = SignStatus


def _utc(value) -> str:
    # Hash times in UTC so the hash does not depend on the zone a value was read in.
    return value.astimezone(UTC).isoformat()


def kind_for_reason(reason: str) -> str:
    return Kind.ADMINISTRATIVE if reason in ADMINISTRATIVE_REASONS else Kind.CLINICAL


class ContactNote(FrozenWhenSigned):
    frozen_label = "contact notes"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="contact_notes"
    )
    appointment = models.ForeignKey(
        "clients.Appointment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contact_notes",
    )
    contact_at = models.DateTimeField("date and time of contact")
    # null = the client themself; otherwise one of the client's collaterals.
    collateral = models.ForeignKey(
        "clients.CollateralContact",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contact_notes",
    )
    # Snapshots, so the signed note keeps saying who it was even if the
    # collateral record is later edited.
    person_name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100)
    reason = models.CharField(max_length=30, choices=Reason.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices, editable=False)
    # A list of Means values (JSON so it works on SQLite and PostgreSQL alike).
    means = models.JSONField(default=list, blank=True)
    summary = models.TextField(blank=True)
    minutes = models.PositiveIntegerField()
    billable = models.BooleanField(default=False)
    fee_applies = models.BooleanField(default=False)
    fee_amount = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    is_emergency = models.BooleanField(default=False)
    emergency_justification = models.TextField(blank=True)
    # The release relied on when the person is a collateral (null for the
    # client, and for a documented emergency without one).
    roi = models.ForeignKey(
        "clients.ReleaseOfInformation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contact_notes",
    )
    roi_snapshot = models.CharField(max_length=300, blank=True)
    # Which rule allowed a contact with a collateral: a release, the person
    # being the client's personal representative, or a documented emergency.
    disclosure_basis = models.CharField(max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contact_notes"
    )
    status = models.CharField(max_length=10, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    signed_at = models.DateTimeField(null=True, blank=True)
    signer_name = models.CharField(max_length=200, blank=True)
    signer_credentials = models.CharField(max_length=60, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-contact_at", "-id"]
        permissions = [
            ("add_administrative_contactnote", "Can write administrative contact notes"),
            ("view_administrative_contactnote", "Can read administrative contact notes in full"),
        ]
        indexes = [models.Index(fields=["client", "contact_at"])]
        constraints = [
            # 0 is allowed for no-shows and cancellations where nothing was said
            # (contacts.rules decides); billable contact still needs minutes.
            models.CheckConstraint(
                condition=Q(minutes__gt=0) | Q(billable=False), name="contactnote_billable_minutes"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signed_at__isnull=False, content_hash__gt=""),
                name="contactnote_signed_has_signature",
            ),
            models.CheckConstraint(
                condition=Q(is_emergency=False) | ~Q(emergency_justification=""),
                name="contactnote_emergency_justified",
            ),
        ]

    def __str__(self) -> str:
        return f"Contact note {self.uuid}"

    def save(self, *args, **kwargs):
        self.kind = kind_for_reason(self.reason)
        super().save(*args, **kwargs)

    @property
    def is_administrative(self) -> bool:
        return self.kind == Kind.ADMINISTRATIVE

    @property
    def means_labels(self) -> list[str]:
        labels = dict(Means.choices)
        return [labels.get(m, m) for m in self.means]

    def clean(self):
        bad = [m for m in self.means if m not in Means.values]
        if bad or not isinstance(self.means, list):
            raise ValidationError({"means": "Choose from the listed means of communication."})

    def signed_content(self) -> dict:
        """What the signature covers (hashed with practice.signing.content_hash)."""
        return {
            "uuid": str(self.uuid),
            "client": str(self.client.uuid),
            "appointment": str(self.appointment.uuid) if self.appointment_id else None,
            "contact_at": _utc(self.contact_at),
            "collateral": str(self.collateral.uuid) if self.collateral_id else None,
            "person_name": self.person_name,
            "relationship": self.relationship,
            "reason": self.reason,
            "means": list(self.means),
            "summary": self.summary,
            "minutes": self.minutes,
            "billable": self.billable,
            "fee_applies": self.fee_applies,
            "fee_amount": f"{Decimal(self.fee_amount):.2f}",
            "is_emergency": self.is_emergency,
            "emergency_justification": self.emergency_justification,
            "roi": str(self.roi.uuid) if self.roi_id else None,
            "author": str(self.author.uuid),
            "signer_name": self.signer_name,
            "signer_credentials": self.signer_credentials,
            "signed_at": _utc(self.signed_at) if self.signed_at else None,
        } | (
            # Added later: only in the hash when set, so notes signed before
            # the field existed keep verifying.
            {"disclosure_basis": self.disclosure_basis} if self.disclosure_basis else {}
        )


    def hash_matches(self) -> bool:
        return hash_matches(self.content_hash, self.signed_content())


class ContactNoteAddendum(SignedAddendum):
    """A signed correction or addition to a signed contact note."""

    note = models.ForeignKey(ContactNote, on_delete=models.PROTECT, related_name="addenda")

    class Meta(SignedAddendum.Meta):
        verbose_name_plural = "contact note addenda"
