"""Treatment plans: what a client's sessions are meant to carry out.

A plan is kept as versions. Each version is a draft, written and signed by a
clinician (co-signed by their supervisor when they are pre-licensed), with the
client's agreement recorded; signing freezes it (here in ``save()``/``delete()``
and, on PostgreSQL, by the triggers of migration ``0002_freeze_signed_plans``).
A revision is a new draft version that starts as a copy of the latest signed
one; earlier versions stay as they were signed. The active plan is the latest
signed version that is not waiting for its co-signature.

The content of a version (problems, goals, objectives, interventions) is one
JSON document, validated by ``notes.plans.services``, so one row is one
frozen version. Every item has a ``key`` that a revision keeps, so a goal's
session ratings (``GoalProgress``) follow it from version to version.

Writes go through ``notes.plans.services``; reads through ``notes.plans.access``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from notes.models import ProgressNote
from practice.signing import (
    FrozenRecordError,
    FrozenWhenSigned,
    SignStatus,
    hash_matches,
)

# The one draft/signed status of every signed record.
PlanStatus = SignStatus


class AgreementMethod(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VERBAL = "verbal", "Verbally (phone or video)"


class Rating(models.TextChoices):
    IMPROVED = "improved", "Improved"
    UNCHANGED = "unchanged", "Unchanged"
    WORSENED = "worsened", "Worsened"


def _utc(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


# Columns the freeze trigger still lets change on a signed plan: the one-time
# co-signature and the bookkeeping timestamp (as for progress notes).
COSIGN_COLUMNS = (
    "cosigned_at",
    "cosigner_id",
    "cosigner_name",
    "cosigner_credentials",
    "cosign_hash",
    "updated_at",
)


class TreatmentPlan(FrozenWhenSigned):
    """One version of a client's treatment plan."""

    frozen_label = "treatment plans"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="treatment_plans"
    )
    version = models.PositiveSmallIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="treatment_plans"
    )
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    # [{"key", "diagnosis": {"code", "description"}, "statement",
    #   "goals": [{"key", "text", "objectives": [{"key", "text", "target_date"}]}],
    #   "interventions": [{"key", "modality", "frequency"}]}]
    # Diagnoses are snapshotted, as on progress notes.
    problems = models.JSONField(default=list, blank=True)
    review_due = models.DateField("review date")

    # The client's agreement with this version: who, when and how.
    agreed_by = models.CharField(
        "agreed by",
        max_length=200,
        blank=True,
        help_text="The client, or who agreed for them (e.g. a parent of a minor).",
    )
    agreed_on = models.DateField("agreed on", null=True, blank=True)
    agreement_method = models.CharField(
        "how", max_length=10, choices=AgreementMethod.choices, blank=True
    )

    signed_at = models.DateTimeField(null=True, blank=True)
    signer_name = models.CharField(max_length=200, blank=True)
    signer_credentials = models.CharField(max_length=60, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)

    cosign_required = models.BooleanField(default=False)
    cosigned_at = models.DateTimeField(null=True, blank=True)
    cosigner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cosigned_plans",
    )
    cosigner_name = models.CharField(max_length=200, blank=True)
    cosigner_credentials = models.CharField(max_length=60, blank=True)
    cosign_hash = models.CharField(max_length=64, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["client", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["client", "version"], name="plans_one_row_per_version"),
            # One revision at a time: two drafts would race to become the next version.
            models.UniqueConstraint(
                fields=["client"], condition=Q(status="draft"), name="plans_one_draft_per_client"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signed_at__isnull=False, content_hash__gt=""),
                name="plans_signed_has_signature",
            ),
            models.CheckConstraint(
                condition=Q(cosigned_at__isnull=True)
                | Q(status="signed", cosigner__isnull=False, cosign_hash__gt=""),
                name="plans_cosign_after_sign",
            ),
        ]

    def __str__(self) -> str:
        return f"Treatment plan {self.uuid} (version {self.version})"

    # -- derived state --------------------------------------------------------

    @property
    def awaiting_cosign(self) -> bool:
        return self.is_signed and self.cosign_required and self.cosigned_at is None

    @property
    def is_in_effect(self) -> bool:
        """Signed, and co-signed where required."""
        return self.is_signed and not self.awaiting_cosign

    def review_overdue(self, today) -> bool:
        return self.review_due < today

    @property
    def display_status(self) -> str:
        if not self.is_signed:
            return "Draft"
        if self.awaiting_cosign:
            return "Awaiting co-signature"
        return "Co-signed" if self.cosigned_at else "Signed"

    def goals(self) -> list[dict]:
        """Every goal of the plan, each with its problem's statement and diagnosis."""
        return [
            {**goal, "problem": problem["statement"], "diagnosis": problem["diagnosis"]}
            for problem in self.problems
            for goal in problem.get("goals", [])
        ]

    # -- signature ------------------------------------------------------------

    def signed_content(self) -> dict:
        """What the author's signature covers (hashed with practice.signing.content_hash)."""
        return {
            "uuid": str(self.uuid),
            "client": str(self.client.uuid),
            "author": str(self.author.uuid),
            "version": self.version,
            "problems": self.problems,
            "review_due": self.review_due.isoformat(),
            "agreed_by": self.agreed_by,
            "agreed_on": self.agreed_on.isoformat() if self.agreed_on else None,
            "agreement_method": self.agreement_method,
            "cosign_required": self.cosign_required,
            "signer_name": self.signer_name,
            "signer_credentials": self.signer_credentials,
            "signed_at": _utc(self.signed_at),
        }

    def hash_matches(self) -> bool:
        return hash_matches(self.content_hash, self.signed_content())

    def cosign_content(self) -> dict:
        """What a co-signature covers: the author's signed hash and the co-signer."""
        return {
            "plan": str(self.uuid),
            "plan_hash": self.content_hash,
            "cosigner": str(self.cosigner.uuid),
            "cosigner_name": self.cosigner_name,
            "cosigner_credentials": self.cosigner_credentials,
            "cosigned_at": _utc(self.cosigned_at),
        }

    def cosign_hash_matches(self) -> bool:
        return hash_matches(self.cosign_hash, self.cosign_content())


class GoalProgress(models.Model):
    """What one progress note says about one treatment-plan goal.

    Written while the note is a draft (from the note editor's goal panel) and
    frozen with the note when it is signed: ``save()``/``delete()`` refuse, and
    on PostgreSQL a trigger refuses INSERT, UPDATE and DELETE once the note is
    signed. ``goal_key`` is the goal's key, kept across plan versions; the goal's
    text is snapshotted as the clinician saw it.
    """

    note = models.ForeignKey(ProgressNote, on_delete=models.PROTECT, related_name="goal_progress")
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="+")
    goal_key = models.CharField(max_length=36)
    goal_text = models.CharField(max_length=500)
    rating = models.CharField(max_length=10, choices=Rating.choices, blank=True)
    text = models.CharField("progress", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "goal progress"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["note", "goal_key"], name="plans_one_rating_per_goal")
        ]
        indexes = [models.Index(fields=["goal_key"])]

    def __str__(self) -> str:
        return f"Goal progress {self.pk}"

    def save(self, *args, **kwargs):
        if self._note_signed():
            raise FrozenRecordError("The note is signed: its goal progress cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._note_signed():
            raise FrozenRecordError("The note is signed: its goal progress cannot be deleted.")
        return super().delete(*args, **kwargs)

    def _note_signed(self) -> bool:
        # Asked of the database: the note in memory may be older than its row.
        return ProgressNote.objects.filter(pk=self.note_id, status="signed").exists()
