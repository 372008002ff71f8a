"""Issue 13, attack 10: a demoted user kept downloading the chart exports they
made in their old role (full note text), because the download checked only
that they could still see the client. Downloads now re-check the role the
file was made under, and the rule that let them start it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients import services as client_services
from practice.documents.models import DocumentJob, JobStatus
from practice.models import AuditAction, AuditEvent
from practice.roles import Role
from practice.services import user_set_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _documents(documents_settings):
    return documents_settings


def _chart_export(http, client, capture) -> DocumentJob:
    today = timezone.localdate()
    with capture(execute=True):
        http.post(
            reverse("records:chart_export"),
            {
                "client": str(client.uuid),
                "start": (today - timedelta(days=30)).isoformat(),
                "end": today.isoformat(),
            },
        )
    job = DocumentJob.objects.filter(client_uuid=client.uuid).latest("id")
    assert job.status == JobStatus.DONE, job.error
    return job


def test_a_demoted_auditor_no_longer_downloads_their_chart_exports(
    audrey, client_record, login, django_capture_on_commit_callbacks
):
    http = login(audrey)
    job = _chart_export(http, client_record, django_capture_on_commit_callbacks)
    download = reverse("documents:download", args=[job.uuid, "pdf"])
    assert http.get(download).status_code == 200

    # Now front desk: still sees the client (demographics), not the chart export.
    user_set_role(user=audrey, role=Role.FRONT_DESK)
    assert http.get(reverse("records:chart", args=[client_record.uuid])).status_code == 200
    assert http.get(download).status_code == 404
    assert http.get(reverse("documents:job", args=[job.uuid])).status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, user=audrey, object_id=str(job.uuid)
    ).exists()
    downloads = AuditEvent.objects.filter(
        action=AuditAction.DOWNLOAD, user=audrey, object_id=str(job.uuid)
    )
    assert downloads.count() == 1  # the one made while still an auditor

    # Given the role back, the file is theirs again.
    user_set_role(user=audrey, role=Role.AUDITOR)
    assert http.get(download).status_code == 200


def test_a_clinician_made_auditor_does_not_reuse_a_care_team_export(
    alice, bob, ada, client_record, login, django_capture_on_commit_callbacks
):
    """The other way round: an export made on the care team is not served to the
    same person under another role, even one that could make its own."""
    http = login(alice)
    job = _chart_export(http, client_record, django_capture_on_commit_callbacks)
    download = reverse("documents:download", args=[job.uuid, "pdf"])
    assert http.get(download).status_code == 200
    user_set_role(user=alice, role=Role.AUDITOR)
    assert http.get(download).status_code == 404


def test_a_clinician_taken_off_the_care_team_loses_the_export(
    alice, bob, ada, client_record, login, django_capture_on_commit_callbacks
):
    client_services.care_team_add(client=client_record, clinician=bob, actor=ada)
    http = login(bob)
    job = _chart_export(http, client_record, django_capture_on_commit_callbacks)
    download = reverse("documents:download", args=[job.uuid, "pdf"])
    assert http.get(download).status_code == 200
    member = client_record.care_team.get(clinician=bob)
    client_services.care_team_remove(member=member, actor=ada)
    assert http.get(download).status_code == 404
