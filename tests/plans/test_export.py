"""The auditor's chart export holds the plan and its versions, with the goals'
session ratings in the period."""

import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notes import services as note_services
from notes.plans import services
from notes.plans.models import GoalProgress
from practice.documents.models import DocumentJob, JobStatus
from tests.documents.helpers import job_bytes
from tests.factories import ProgressNoteFactory
from tests.plans.conftest import write_plan

pytestmark = pytest.mark.django_db


def test_the_chart_export_holds_every_signed_version_and_the_goal_ratings(
    signed_plan,
    client_record,
    alice,
    audrey,
    login,
    documents_settings,
    django_capture_on_commit_callbacks,
    tmp_path,
):
    note = ProgressNoteFactory(client=client_record, author=alice)
    GoalProgress.objects.create(
        note=note,
        plan=signed_plan,
        goal_key=signed_plan.goals()[0]["key"],
        goal_text="Sleep 7 hours",
        rating="improved",
        text="Six hours on four nights",
    )
    note_services.note_sign(note=note, actor=alice)
    revision = services.plan_start(client=client_record, actor=alice)
    services.plan_item_edit(
        plan=revision,
        actor=alice,
        key=revision.goals()[1]["key"],
        text="Back at work 3 days a week",
    )
    write_plan(client_record, alice)  # agreement, signed: version 2
    draft = services.plan_start(client=client_record, actor=alice)  # version 3, never exported
    services.plan_item_edit(plan=draft, actor=alice, key=draft.goals()[0]["key"], text="DRAFT GOAL")

    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        login(audrey).post(
            reverse("records:chart_export"),
            {
                "client": str(client_record.uuid),
                "start": (today - timedelta(days=30)).isoformat(),
                "end": today.isoformat(),
            },
        )
    job = DocumentJob.objects.get(requested_by=audrey)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    source = tmp_path / "chart.pdf"
    source.write_bytes(job_bytes(job))
    # Reading order (not -layout): a wrapped table cell stays one run of words.
    text = subprocess.run(
        ["pdftotext", str(source), "-"], check=True, capture_output=True
    ).stdout.decode("utf-8")
    flat = " ".join(text.split())
    for expected in (
        "2 signed treatment-plan versions",
        "Treatment plan, version 2 (latest)",
        "Treatment plan, version 1",
        "Back at work 3 days a week",  # version 2
        "Return to work full time",  # version 1, as it was signed
        "Improved (Six hours on four nights)",
        "Cognitive behavioral therapy (Weekly, 50 minutes)",
        "The client",
    ):
        assert expected in flat, expected
    assert "DRAFT GOAL" not in flat
