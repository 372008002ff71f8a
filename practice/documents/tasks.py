"""Celery tasks of the documents engine, for the worker's autodiscovery.

They are defined next to the engine in ``practice.documents.jobs`` (the engine
queues them; they call the engine) and take ids only, never PHI.
"""

from practice.documents.jobs import (  # noqa: F401  (registered with Celery on import)
    purge_expired_documents,
    redispatch_queued_jobs,
    run_document_job,
)

__all__ = ["purge_expired_documents", "redispatch_queued_jobs", "run_document_job"]
