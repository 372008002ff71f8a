from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from practice.documents import registry


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class DocumentJob(models.Model):
    """A document made in the background (Celery) for the one user who asked.

    ``kind`` is a key of a registered document kind (``registry``). ``params``
    hold ids and dates only (never PHI); the finished files live under
    ``PRIVATE_FILES_DIR`` and are listed in ``files`` as
    ``{key: {"name", "path", "sha256", "size", "content_type"}}``, with
    ``path`` relative to that directory. They are served only through
    ``practice.documents.access`` and deleted once ``expires_at`` has passed.

    The table keeps its first name (``practice_documentjob``): the model moved
    from ``practice`` to this app without copying a row.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=30)
    requested_by = models.ForeignKey(
        "practice.User", on_delete=models.PROTECT, related_name="document_jobs"
    )
    # Whose chart the document belongs to, when it is one client's (for the audit trail).
    client_uuid = models.UUIDField(null=True, blank=True)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    # Shown to the user: written by our code, never an exception's text.
    error = models.CharField(max_length=300, blank=True)
    files = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Last successful hand-over to the broker; null while the broker was unreachable.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Touched by the worker while it builds (claim and every progress step): a
    # running job whose heartbeat is older than DOCUMENT_JOB_STALE_SECONDS lost
    # its worker and is run again by the beat redispatch.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "practice_documentjob"
        ordering = ["-created_at", "-id"]
        permissions = [("export_chart", "Can export any client's chart as a signed PDF")]
        indexes = [
            # The names the indexes got when the model was created in ``practice``.
            models.Index(
                fields=["requested_by", "created_at"], name="practice_do_request_b3b575_idx"
            ),
            models.Index(fields=["status", "dispatched_at"], name="practice_do_status_eab69c_idx"),
            models.Index(fields=["expires_at"], name="practice_do_expires_4bfa38_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="documentjob_progress_percent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.uuid}"

    def clean(self) -> None:
        if not registry.is_registered(self.kind):
            raise ValidationError({"kind": "Unknown kind of document."})

    def get_kind_display(self) -> str:
        return registry.label(self.kind)

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def is_expired(self) -> bool:
        return self.purged_at is not None or (
            self.expires_at is not None and self.expires_at <= timezone.now()
        )

    @property
    def waiting_for_broker(self) -> bool:
        return self.status == JobStatus.QUEUED and self.dispatched_at is None
