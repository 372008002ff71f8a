"""Background documents: start a job, hand it to Celery, run it, expire its files.

A job is recorded in the database first and handed to the broker only after
the transaction commits, with its id as the only argument. If the broker is
down the job simply stays queued (``dispatched_at`` empty): the job page and
the ``redispatch_queued_jobs`` beat task send it again later, so nothing is lost.

The Celery tasks are defined here too (thin wrappers, ids only) and exported
by ``practice.documents.tasks`` for the worker's autodiscovery: the engine
queues them and they call the engine, so one module keeps that loop inside.

Running is idempotent: a worker claims the job with a conditional update, the
builder writes each file to a temporary name and renames it over a path fixed
by the job's uuid, so a retried or redelivered task makes the same file once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from practice import audit, integrity
from practice.documents import pdf, registry
from practice.documents.models import DocumentJob, JobStatus
from practice.documents.pdf import CertificateMissing
from practice.models import AuditAction, PracticeSettings
from practice.refusals import Refused

logger = logging.getLogger(__name__)

BROKER_DOWN_MESSAGE = (
    "The background service is not reachable right now. Your request is saved and "
    "will start automatically as soon as it is back; you can leave this page."
)


class DocumentRefused(Refused):
    """The document cannot be made; the message is safe to show the user (no PHI)."""


@dataclass
class OutputFile:
    key: str  # e.g. "pdf", "csv", "xlsx"
    name: str  # download file name (no PHI: ids and dates only)
    content_type: str
    data: bytes
    label: str = ""  # what the download button says, e.g. "Billable sessions (CSV)"


Progress = Callable[[int], None]


# The params key that records the role a job was asked for under.
MADE_AS = "made_as_role"


def job_dir(job: DocumentJob) -> Path:
    return Path(settings.PRIVATE_FILES_DIR) / "jobs" / str(job.uuid)


# -- start and dispatch -------------------------------------------------------


@transaction.atomic
def document_job_start(
    *, kind: str, requested_by, params: dict, client=None, request=None
) -> DocumentJob:
    """Record a job and queue it once this transaction commits.

    The asker's role is recorded with the job: the files are served only while
    they still hold it (see ``practice.documents.access``).
    """
    job = DocumentJob(
        kind=kind,
        requested_by=requested_by,
        params={**params, MADE_AS: requested_by.role},
        client_uuid=client.uuid if client is not None else None,
    )
    job.full_clean()
    job.save()
    job_id = job.pk
    transaction.on_commit(lambda: document_job_dispatch(job_id=job_id))
    return job


def document_job_dispatch(*, job_id: int) -> bool:
    """Hand a queued job to the broker. False (and the job stays queued) if it is down."""
    try:
        run_document_job.apply_async(
            args=[job_id],
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
        )
    except Exception as exc:  # kombu/redis raise many kinds; all mean "not sent"
        logger.warning("document job %s not dispatched: %s", job_id, type(exc).__name__)
        return False
    # The task may already have run (eager mode): only stamp a still-queued job.
    DocumentJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        dispatched_at=timezone.now()
    )
    return True


STALE_REFUSAL = (
    "The document could not be made: the worker making it stopped several times. "
    "Try a shorter date range; if it keeps failing, tell your practice admin."
)


def document_jobs_redispatch(*, older_than_seconds: int | None = None) -> int:
    """Send again the queued jobs never handed over, or not picked up for too long,
    and the running jobs whose worker died (heartbeat older than
    DOCUMENT_JOB_STALE_SECONDS); running a job again is idempotent."""
    if older_than_seconds is None:
        older_than_seconds = settings.DOCUMENT_JOB_REDISPATCH_SECONDS
    now = timezone.now()
    stale = now - timedelta(seconds=older_than_seconds)
    ids = list(
        DocumentJob.objects.filter(status=JobStatus.QUEUED)
        .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=stale))
        .values_list("pk", flat=True)[:500]
    )
    return sum(document_job_dispatch(job_id=pk) for pk in ids) + _redispatch_stale_running(now)


def _redispatch_stale_running(now) -> int:
    # The hard task time limit has long passed: no live worker still holds these.
    dead = now - timedelta(seconds=settings.DOCUMENT_JOB_STALE_SECONDS)
    sent = 0
    for job in DocumentJob.objects.filter(status=JobStatus.RUNNING).filter(
        Q(heartbeat_at__lt=dead) | Q(heartbeat_at__isnull=True, started_at__lt=dead)
    )[:100]:
        if job.attempts >= settings.DOCUMENT_JOB_MAX_ATTEMPTS:
            document_job_fail(job_id=job.pk, message=STALE_REFUSAL)
            continue
        # Take the job for this redispatch (a second beat racing us finds it fresh).
        taken = DocumentJob.objects.filter(
            pk=job.pk, status=JobStatus.RUNNING, heartbeat_at=job.heartbeat_at
        ).update(heartbeat_at=now)
        if taken == 1:
            logger.warning("document job %s lost its worker; running it again", job.pk)
            sent += document_job_dispatch(job_id=job.pk)
    return sent


# -- run ----------------------------------------------------------------------


def _claim(job_id: int) -> DocumentJob | None:
    """queued/running -> running, once per delivery; None when already finished."""
    now = timezone.now()
    changed = DocumentJob.objects.filter(
        pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    ).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        error="",
    )
    if changed != 1:
        return None
    return DocumentJob.objects.select_related("requested_by").get(pk=job_id)


def _set_progress(job_id: int) -> Progress:
    def progress(percent: int) -> None:
        DocumentJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
            progress=max(0, min(99, int(percent))), heartbeat_at=timezone.now()
        )

    return progress


def _builder(kind: str):
    return registry.get(kind).builder


def _write(job: DocumentJob, output: OutputFile) -> dict:
    folder = job_dir(job)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / output.key
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(output.data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        # Atomic rename: a retried run replaces the same file, never a second copy.
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return {
        "name": output.name,
        "path": str(target.relative_to(settings.PRIVATE_FILES_DIR)),
        "sha256": hashlib.sha256(output.data).hexdigest(),
        "size": len(output.data),
        "content_type": output.content_type,
        "label": output.label or output.name,
    }


def document_job_run(*, job_id: int) -> None:
    """Build a job's files. Transient errors propagate (the task retries them)."""
    job = _claim(job_id)
    if job is None:
        logger.info("document job %s already finished; nothing to do", job_id)
        return
    try:
        outputs = _builder(job.kind)(job, _set_progress(job.pk))
    except (DocumentRefused, CertificateMissing) as exc:
        # Our own words, safe to show (no PHI); a retry would not help.
        document_job_fail(job_id=job.pk, message=str(exc))
        return
    files = {out.key: {**_write(job, out), "order": i} for i, out in enumerate(outputs)}
    now = timezone.now()
    days = PracticeSettings.load().export_expiry_days
    DocumentJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        status=JobStatus.DONE,
        progress=100,
        files=files,
        finished_at=now,
        expires_at=now + timedelta(days=days),
    )
    logger.info("document job %s done (%s files)", job.pk, len(files))


def document_job_fail(*, job_id: int, message: str) -> None:
    DocumentJob.objects.filter(pk=job_id).exclude(status=JobStatus.DONE).update(
        status=JobStatus.FAILED, error=message[:300], finished_at=timezone.now()
    )


# -- files --------------------------------------------------------------------


def job_file_path(job: DocumentJob, key: str) -> Path | None:
    info = job.files.get(key)
    if not info:
        return None
    path = (Path(settings.PRIVATE_FILES_DIR) / info["path"]).resolve()
    root = Path(settings.PRIVATE_FILES_DIR).resolve()
    if root not in path.parents:
        return None
    return path


def document_jobs_purge_expired(*, now=None) -> int:
    """Delete the files of expired jobs; the job rows stay (they say it expired)."""
    now = now or timezone.now()
    purged = 0
    for job in DocumentJob.objects.filter(expires_at__lte=now, purged_at__isnull=True):
        shutil.rmtree(job_dir(job), ignore_errors=True)
        purged += DocumentJob.objects.filter(pk=job.pk, purged_at__isnull=True).update(
            purged_at=now, files={}
        )
    # Failed jobs keep no files either (a half-built one may have been written).
    for job in DocumentJob.objects.filter(
        status=JobStatus.FAILED, purged_at__isnull=True, finished_at__lte=now - timedelta(days=1)
    ):
        shutil.rmtree(job_dir(job), ignore_errors=True)
        DocumentJob.objects.filter(pk=job.pk).update(purged_at=now, files={})
    if purged:
        logger.info("purged the files of %s expired document jobs", purged)
    return purged


# -- signed note PDFs ---------------------------------------------------------

DRAFT_REFUSAL = "Only signed notes can be printed as signed documents. Sign the note first."


def build_signed_note_pdf(
    job: DocumentJob,
    progress: Progress,
    *,
    notes,
    title: str,
    template: str,
    file_stem: str,
    day_field: str,
    heading: Callable[[Any], str] | None = None,
) -> list[OutputFile]:
    """One signed note (progress or contact note) with its addenda as a signed PDF.

    ``notes`` is the queryset the note is taken from (with its joins); the file
    is named by the note's date and id only, never by the client. ``heading``
    titles the document by the note itself (e.g. "Progress note · date · SOAP");
    ``title`` alone is the short footer label.
    """
    note = notes.filter(uuid=job.params["note"]).first()
    if note is None:
        raise DocumentRefused("The note no longer exists.")
    if not note.is_signed:
        raise DocumentRefused(DRAFT_REFUSAL)
    progress(20)
    addenda = list(note.addenda.all())
    # A note changed below the application prints with a visible warning (audited).
    integrity.check_signed([note, *addenda], context="note_pdf", user=job.requested_by)
    context = {
        "title": heading(note) if heading else title,
        "footer_label": title,
        "client": note.client,
        "note": note,
        "addenda": addenda,
        "generated_at": timezone.now(),
    }
    data = pdf.render_pdf(template, context)
    progress(70)
    signed = pdf.sign_pdf(data, reason=f"Signed {title.lower()}")
    name = f"{file_stem}-{getattr(note, day_field):%Y%m%d}-{str(note.uuid)[:8]}.pdf"
    return [OutputFile("pdf", name, "application/pdf", signed, "signed PDF")]


def audit_export(*, request, job: DocumentJob, client=None, action=AuditAction.EXPORT, **detail):
    """Audit the asking for a document (export or print): ids only."""
    audit.record(
        action,
        request=request,
        obj=job,
        client=client,
        detail={"kind": job.kind, **detail},
    )


# -- Celery tasks (thin wrappers; arguments are ids only) ---------------------

# Worth another try: the database or the file system was briefly unavailable.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, OSError)


class DocumentTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Retries are used up, or the error was not transient: tell the user in
        # words of our own; the log gets the job id and the error's type only.
        job_id = args[0] if args else kwargs.get("job_id")
        logger.error("document job %s failed: %s", job_id, type(exc).__name__)
        if isinstance(exc, SoftTimeLimitExceeded):
            message = "The document took too long to make. Try a shorter date range."
        else:
            message = (
                "The document could not be made because of an internal error. "
                "Try again; if it keeps failing, tell your practice admin."
            )
        document_job_fail(job_id=job_id, message=message)


@shared_task(
    name="practice.documents.tasks.run_document_job",
    bind=True,
    base=DocumentTask,
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def run_document_job(self, job_id: int) -> None:
    document_job_run(job_id=job_id)


@shared_task(
    name="practice.documents.tasks.purge_expired_documents",
    acks_late=True,
    time_limit=300,
    soft_time_limit=240,
)
def purge_expired_documents() -> int:
    return document_jobs_purge_expired()


@shared_task(
    name="practice.documents.tasks.redispatch_queued_jobs",
    acks_late=True,
    time_limit=120,
    soft_time_limit=100,
)
def redispatch_queued_jobs() -> int:
    return document_jobs_redispatch()
