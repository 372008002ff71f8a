"""Issue 13, attack 7: a worker killed mid-job left the job ``running`` forever
(the redispatch only looked at queued jobs). A running job whose heartbeat is
stale is now run again by the beat, idempotently, and completes once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from contacts.documents import CONTACT_NOTE_PDF
from practice.documents import jobs
from practice.documents.models import DocumentJob, JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def killed(alice, make_contact_note, django_capture_on_commit_callbacks, settings):
    """A contact-note PDF job a worker claimed, then died on (heartbeat long gone)."""
    note = make_contact_note(alice)
    with django_capture_on_commit_callbacks(execute=False):
        job = jobs.document_job_start(
            kind=CONTACT_NOTE_PDF,
            requested_by=alice,
            params={"note": str(note.uuid)},
            client=note.client,
        )
    long_ago = timezone.now() - timedelta(seconds=settings.DOCUMENT_JOB_STALE_SECONDS + 5)
    DocumentJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        attempts=1,
        progress=40,
        started_at=long_ago,
        heartbeat_at=long_ago,
        dispatched_at=long_ago,
    )
    return job


def test_a_running_job_with_a_stale_heartbeat_is_run_again_and_completes_once(killed):
    assert jobs.document_jobs_redispatch() == 1
    killed.refresh_from_db()
    assert killed.status == JobStatus.DONE and killed.attempts == 2
    assert list(killed.files) == ["pdf"]
    assert [p.name for p in jobs.job_dir(killed).iterdir()] == ["pdf"]
    assert Path(jobs.job_file_path(killed, "pdf")).read_bytes().startswith(b"%PDF")
    # Done is done: the next beat sends nothing, and a late redelivery does nothing.
    assert jobs.document_jobs_redispatch() == 0
    jobs.document_job_run(job_id=killed.pk)
    killed.refresh_from_db()
    assert killed.attempts == 2


def test_a_running_job_with_a_fresh_heartbeat_is_left_alone(killed):
    DocumentJob.objects.filter(pk=killed.pk).update(heartbeat_at=timezone.now())
    assert jobs.document_jobs_redispatch() == 0
    killed.refresh_from_db()
    assert killed.status == JobStatus.RUNNING


def test_progress_beats_the_heart(killed):
    before = DocumentJob.objects.get(pk=killed.pk).heartbeat_at
    jobs._set_progress(killed.pk)(60)
    assert DocumentJob.objects.get(pk=killed.pk).heartbeat_at > before


def test_a_job_that_keeps_killing_its_worker_fails_with_a_message(killed, settings):
    DocumentJob.objects.filter(pk=killed.pk).update(attempts=settings.DOCUMENT_JOB_MAX_ATTEMPTS)
    assert jobs.document_jobs_redispatch() == 0
    killed.refresh_from_db()
    assert killed.status == JobStatus.FAILED
    assert "worker making it stopped" in killed.error


def test_redis_in_compose_persists():
    compose = (Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text()
    redis = compose[compose.index("  redis:") :]
    assert "--appendonly yes" in redis and "--appendonly no" not in redis
    assert "redisdata:/data" in redis
