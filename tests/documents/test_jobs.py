"""Document jobs: only the asker reaches them, downloads are audited, files
expire, retries make one file, and a broker outage loses nothing."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from contacts.documents import CONTACT_NOTE_PDF
from practice.documents import jobs
from practice.documents.models import DocumentJob, JobStatus
from practice.models import AuditAction, AuditEvent
from tests.documents.helpers import job_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def printed(alice, make_contact_note, django_capture_on_commit_callbacks):
    """A finished contact-note PDF job asked for by Alice."""
    note = make_contact_note(alice)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.document_job_start(
            kind=CONTACT_NOTE_PDF,
            requested_by=alice,
            params={"note": str(note.uuid)},
            client=note.client,
        )
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    return job


@contextlib.contextmanager
def broker_down():
    """Celery sends to a Redis that is not there (a closed port, our db number)."""
    from practice.celery import app

    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:9/11"
    app._pool = app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.broker_url = saved
        app._pool = app.amqp._producer_pool = None


def test_the_asker_sees_progress_and_downloads_and_the_download_is_audited(alice, printed, login):
    http = login(alice)
    page = http.get(reverse("documents:job", args=[printed.uuid]))
    assert page.status_code == 200
    assert "Download signed PDF" in page.content.decode()
    status = http.get(reverse("documents:job_status", args=[printed.uuid])).json()
    assert status["status"] == "done" and status["progress"] == 100
    url = status["files"][0]["url"]
    response = http.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == job_bytes(printed)
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOAD, object_id=str(printed.uuid))
    assert event.user == alice and event.detail["sha256"] == printed.files["pdf"]["sha256"]


@pytest.mark.parametrize("who", ["bob", "sue", "audrey", "bill", "fran", "ada", "root"])
def test_anyone_but_the_asker_gets_404_everywhere_and_it_is_audited(who, people, printed, login):
    http = login(people[who])
    for name, args in (
        ("documents:job", [printed.uuid]),
        ("documents:job_status", [printed.uuid]),
        ("documents:download", [printed.uuid, "pdf"]),
    ):
        assert http.get(reverse(name, args=args)).status_code == 404
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.ACCESS_DENIED, user=people[who], object_id=str(printed.uuid)
        ).count()
        == 3
    )
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()


def test_the_asker_taken_off_the_care_team_loses_the_download(alice, ada, printed, login):
    _remove(alice, ada)
    assert login(alice).get(reverse("documents:job", args=[printed.uuid])).status_code == 404


def _remove(user, actor):
    from clients import services as client_services
    from clients.models import CareTeamMember

    member = CareTeamMember.objects.get(clinician=user)
    client_services.care_team_remove(member=member, actor=actor)


def test_expired_files_are_purged_and_the_pages_say_so(alice, printed, login):
    folder = jobs.job_dir(printed)
    assert (folder / "pdf").exists()
    assert jobs.document_jobs_purge_expired() == 0  # not yet
    later = printed.expires_at + timedelta(seconds=1)
    assert jobs.document_jobs_purge_expired(now=later) == 1
    assert not folder.exists()
    printed.refresh_from_db()
    assert printed.is_expired and printed.files == {}
    http = login(alice)
    response = http.get(reverse("documents:download", args=[printed.uuid, "pdf"]))
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert "expired" in http.get(reverse("documents:job", args=[printed.uuid])).content.decode()


def test_expiry_follows_the_practice_setting(
    alice, make_contact_note, django_capture_on_commit_callbacks
):
    from practice.models import PracticeSettings

    settings_row = PracticeSettings.load()
    settings_row.export_expiry_days = 2
    settings_row.save()
    note = make_contact_note(alice)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.document_job_start(
            kind=CONTACT_NOTE_PDF, requested_by=alice, params={"note": str(note.uuid)}
        )
    job.refresh_from_db()
    assert job.expires_at - job.finished_at == timedelta(days=2)


def test_a_redelivered_task_makes_the_same_file_once(printed):
    # A worker died after writing but before acking: the broker delivers again.
    DocumentJob.objects.filter(pk=printed.pk).update(status=JobStatus.RUNNING)
    jobs.document_job_run(job_id=printed.pk)
    printed.refresh_from_db()
    assert printed.status == JobStatus.DONE and printed.attempts == 2
    assert sorted(p.name for p in jobs.job_dir(printed).iterdir()) == ["pdf"]
    # And a delivery after it is done changes nothing.
    jobs.document_job_run(job_id=printed.pk)
    printed.refresh_from_db()
    assert printed.attempts == 2


def test_a_transient_error_is_retried_and_then_succeeds(
    alice, make_contact_note, django_capture_on_commit_callbacks
):
    note = make_contact_note(alice)
    real = jobs._builder(CONTACT_NOTE_PDF)
    calls = []

    def flaky(job, progress):
        calls.append(job.pk)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(job, progress)

    with (
        mock.patch.object(jobs, "_builder", autospec=True, return_value=flaky),
        mock.patch("practice.documents.tasks.run_document_job.retry_backoff", 0),
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = jobs.document_job_start(
            kind=CONTACT_NOTE_PDF, requested_by=alice, params={"note": str(note.uuid)}
        )
    job.refresh_from_db()
    assert len(calls) == 2
    assert job.status == JobStatus.DONE and job.attempts == 2
    assert sorted(p.name for p in jobs.job_dir(job).iterdir()) == ["pdf"]


def test_an_unexpected_error_fails_the_job_with_a_message_of_our_own(
    alice, make_contact_note, django_capture_on_commit_callbacks
):
    note = make_contact_note(alice, summary="PHI that must not leak")

    def broken(job, progress):
        raise ValueError("PHI that must not leak")

    with (
        mock.patch.object(jobs, "_builder", autospec=True, return_value=broken),
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = jobs.document_job_start(
            kind=CONTACT_NOTE_PDF, requested_by=alice, params={"note": str(note.uuid)}
        )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "internal error" in job.error and "PHI" not in job.error


def test_when_the_broker_is_down_the_job_waits_and_the_user_is_told(
    alice, make_contact_note, login, django_capture_on_commit_callbacks
):
    note = make_contact_note(alice)
    http = login(alice)
    with broker_down():
        with django_capture_on_commit_callbacks(execute=True):
            response = http.post(
                reverse("contacts:print", args=[note.uuid]), follow=True
            )
        assert response.status_code == 200
        job = DocumentJob.objects.get()
        assert job.status == JobStatus.QUEUED and job.dispatched_at is None
        assert "will start automatically" in response.content.decode()
        status = http.get(reverse("documents:job_status", args=[job.uuid])).json()
        assert status["waiting_for_broker"] and "will start automatically" in status["message"]
        # The rest of the site keeps working.
        assert http.get(reverse("contacts:detail", args=[note.uuid])).status_code == 200
    # The broker is back (eager here): the beat task sends what was waiting.
    assert jobs.document_jobs_redispatch() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE


def test_the_job_page_itself_resends_a_waiting_job_once_the_broker_is_back(
    alice, make_contact_note, login, django_capture_on_commit_callbacks
):
    note = make_contact_note(alice)
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        job = jobs.document_job_start(
            kind=CONTACT_NOTE_PDF, requested_by=alice, params={"note": str(note.uuid)}
        )
    assert DocumentJob.objects.get(pk=job.pk).waiting_for_broker
    page = login(alice).get(reverse("documents:job", args=[job.uuid]))
    assert "Download signed PDF" in page.content.decode()


def test_redispatch_leaves_recently_sent_and_finished_jobs_alone(printed, alice):
    queued = DocumentJob.objects.create(
        kind=CONTACT_NOTE_PDF,
        requested_by=alice,
        params=printed.params,
        dispatched_at=timezone.now(),
    )
    assert jobs.document_jobs_redispatch(older_than_seconds=300) == 0
    DocumentJob.objects.filter(pk=queued.pk).update(
        dispatched_at=timezone.now() - timedelta(minutes=10)
    )
    assert jobs.document_jobs_redispatch(older_than_seconds=300) == 1


def test_my_documents_lists_only_my_own_jobs(alice, bob, printed, login):
    mine = login(alice).get(reverse("documents:list")).content.decode()
    assert reverse("documents:job", args=[printed.uuid]) in mine
    assert "Casey Zebulon" in mine
    theirs = login(bob).get(reverse("documents:list")).content.decode()
    assert reverse("documents:job", args=[printed.uuid]) not in theirs


def test_a_file_changed_on_disk_is_not_handed_out(alice, printed, login):
    path = jobs.job_file_path(printed, "pdf")
    path.write_bytes(path.read_bytes() + b"%")
    response = login(alice).get(reverse("documents:download", args=[printed.uuid, "pdf"]))
    assert response.status_code == 409
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()


def test_signed_out_visitors_are_sent_to_the_login_page(printed, client):
    for url in (
        reverse("documents:list"),
        reverse("documents:job", args=[printed.uuid]),
        reverse("documents:job_status", args=[printed.uuid]),
        reverse("documents:download", args=[printed.uuid, "pdf"]),
        reverse("records:chart_export"),
        reverse("billing:home"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url, url


def test_the_beat_schedule_names_real_tasks(settings):
    from practice.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]
