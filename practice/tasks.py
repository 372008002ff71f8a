"""Celery tasks: thin wrappers around ``practice.jobs``. Arguments are ids only."""

from __future__ import annotations

import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError

from practice import jobs

logger = logging.getLogger(__name__)

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
        jobs.document_job_fail(job_id=job_id, message=message)


@shared_task(
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
    jobs.document_job_run(job_id=job_id)


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240)
def purge_expired_documents() -> int:
    return jobs.document_jobs_purge_expired()


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def redispatch_queued_jobs() -> int:
    return jobs.document_jobs_redispatch()
