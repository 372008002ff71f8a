"""Against a real Celery worker on Redis (its own database number from
TEST_REDIS_URL): a job queued while the broker was unreachable is sent when it
is back, and the worker makes a signed PDF that validates."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from contacts.documents import CONTACT_NOTE_PDF
from practice.documents import jobs, pdf
from practice.documents.models import DocumentJob, JobStatus
from tests.documents.helpers import job_bytes

# One Redis database for these tests: under pytest-xdist (--dist loadgroup) they
# all run on the same worker, so no two of them flush or read it at once.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.worker,
    pytest.mark.xdist_group("redis"),
]

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


@contextlib.contextmanager
def celery_via(broker_url: str):
    from practice.celery import app

    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = broker_url
    app._pool = app.amqp._producer_pool = None
    try:
        yield app
    finally:
        app.conf.task_always_eager, app.conf.broker_url = saved
        app._pool = app.amqp._producer_pool = None


@pytest.fixture
def worker(documents_settings, tmp_path):
    if not REDIS_URL:
        pytest.skip("TEST_REDIS_URL is not set")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # our own database number only
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    env = {
        **os.environ,
        # The worker must see the live test database, not the development one.
        "DATABASE_URL": f"postgres://{auth}@{host}/{db['NAME']}",
        "REDIS_URL": REDIS_URL,
        "PRIVATE_FILES_DIR": str(settings.PRIVATE_FILES_DIR),
        "PRACTICE_CERT_FILE": str(settings.PRACTICE_CERT_FILE),
        "PRACTICE_KEY_FILE": str(settings.PRACTICE_KEY_FILE),
        "PRACTICE_KEY_PASSPHRASE": settings.PRACTICE_KEY_PASSPHRASE,
        "C_FORCE_ROOT": "true",
    }
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "practice",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=str(Path(settings.BASE_DIR)),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


def wait_until_finished(job: DocumentJob, process, limit: float = 120.0) -> DocumentJob:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        assert process.poll() is None, "the worker exited"
        time.sleep(0.3)
    raise AssertionError(f"job still {job.status} after {limit}s")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a worker needs a shared database")
def test_a_real_worker_makes_the_signed_pdf_of_a_job_queued_during_an_outage(
    worker, alice, make_contact_note
):
    note = make_contact_note(alice, summary="Spoke about the new schedule.")
    with celery_via("redis://127.0.0.1:9/11"):
        job = jobs.document_job_start(
            kind=CONTACT_NOTE_PDF,
            requested_by=alice,
            params={"note": str(note.uuid)},
            client=note.client,
        )
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.waiting_for_broker

    with celery_via(REDIS_URL):
        assert jobs.document_jobs_redispatch() == 1
        job = wait_until_finished(job, worker)
    assert job.status == JobStatus.DONE, job.error
    assert job.attempts == 1
    status = pdf.validate_pdf(job_bytes(job))
    assert status.intact and status.bottom_line
