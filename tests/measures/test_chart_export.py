"""The auditor's chart export carries the measures: the trend (drawn) and every
result with its answers, for the period only."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from practice.documents.models import DocumentJob, JobStatus
from tests.documents.helpers import job_bytes, pdf_pages
from tests.measures.conftest import gad7, phq9

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _documents(documents_settings):
    return documents_settings


def test_the_chart_export_pdf_holds_the_trend_and_the_results(
    give, audrey, client_record, login, django_capture_on_commit_callbacks, tmp_path
):
    for days, total in ((400, 25), (56, 19), (28, 13), (1, 8)):
        give("phq9", phq9(total, item9=max(1 if days == 28 else 0, total - 24)), days_ago=days)
    give("gad7", gad7(12), days_ago=2)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        login(audrey).post(
            reverse("records:chart_export"),
            {
                "client": str(client_record.uuid),
                "start": (today - timedelta(days=90)).isoformat(),
                "end": today.isoformat(),
            },
        )
    job = DocumentJob.objects.get(requested_by=audrey)
    assert job.status == JobStatus.DONE, job.error
    data = job_bytes(job)
    text = "\n".join(pdf_pages(data, tmp_path))
    assert "Standard measures" in text
    assert "PHQ-9 total scores over time" not in text  # the SVG title is not printed text
    for expected in (
        "PHQ-9 of",
        "19 (Moderately severe)",
        "item 9 above 0",
        "GAD-7 of",
        "LOINC 44261-6",
    ):
        assert expected in text, expected
    # The result from before the period is not exported (25 would be "Severe").
    assert "25 (Severe)" not in text
    # The trend is drawn: the page with it renders (looked at as a picture too).
    (tmp_path / "export.pdf").write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(tmp_path / "export.pdf"), str(tmp_path / "page")],
        check=True,
    )
    assert list(tmp_path.glob("page-*.png"))
