"""Journey: a treatment plan is written and signed, a progress note addresses
two of its goals, and the chart and the chart export show the plan.

Written in steps (one function each) so later parts of issue 15 (measures:
a PHQ-9 in client mode, the trend) can be added to the same journey.
"""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients import services as client_services
from clients.models import CareTeamRole
from notes.models import ProgressNote
from notes.plans.models import GoalProgress, TreatmentPlan
from tests.browser.conftest import assert_accessible, assert_fits
from tests.factories import ClientFactory, DiagnosisFactory, ProgressNoteFactory

pytestmark = pytest.mark.django_db(transaction=True)

GOALS = ("Sleep 7 hours on five nights a week", "Back at work three days a week")


@pytest.fixture
def new_client(alice, ada):
    """A client on Alice's caseload with a diagnosis and no treatment plan yet."""
    record = ClientFactory(legal_first_name="Robin", legal_last_name="Quill")
    client_services.care_team_add(
        client=record, clinician=alice, actor=ada, role=CareTeamRole.PRIMARY
    )
    DiagnosisFactory(client=record)
    return record


def write_and_sign_the_plan(page, client) -> TreatmentPlan:
    page.goto(f"/clients/{client.uuid}/")
    expect(page.locator("#treatment-plan")).to_contain_text("No signed treatment plan")
    page.get_by_role("button", name="Write the treatment plan").click()
    expect(
        page.get_by_role("heading", name=re.compile("Treatment plan, version 1"))
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Problem:").fill("Worry keeps Robin awake and away from work.")
    page.get_by_role("button", name="Add problem").click()
    expect(page.get_by_text("Problem added.")).to_be_visible()
    for text in GOALS:
        page.get_by_label("New goal").fill(text)
        page.get_by_role("button", name="Add goal").click()
        expect(page.get_by_role("heading", name=re.compile(re.escape(text)))).to_be_visible()
    target = (timezone.localdate() + timedelta(days=30)).isoformat()
    for number, objective in enumerate(("Sleep diary every night", "Two half days at work")):
        page.get_by_label("New objective").nth(number).fill(objective)
        page.get_by_label("Target date").nth(number).fill(target)
        page.get_by_role("button", name="Add objective").nth(number).click()
        expect(page.get_by_text(objective)).to_be_visible()
    page.get_by_label("Modality").select_option(label="Cognitive behavioral therapy")
    page.get_by_label("Frequency").fill("Weekly, 50 minutes")
    page.get_by_role("button", name="Add intervention").click()
    expect(page.locator(".interventions")).to_contain_text("Weekly, 50 minutes")

    # Signing is refused until the client's agreement is recorded.
    page.get_by_role("link", name="Review and sign…").click()
    expect(page.locator(".missing")).to_contain_text("Record the client's agreement")
    expect(page.get_by_role("button", name="Sign the plan")).to_have_count(0)
    page.get_by_role("link", name="Edit the draft").click()
    page.get_by_label("Agreed by").fill("Robin Quill (client)")
    page.get_by_label("Agreed on").fill(timezone.localdate().isoformat())
    page.get_by_label("How").select_option(label="In person")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    assert_accessible(page)
    assert_fits(page, 768)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Review and sign…").click()
    assert_accessible(page)
    page.get_by_role("button", name="Sign the plan").click()
    expect(page.get_by_text("Plan signed.")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("In effect")
    expect(page.locator(".signature")).to_contain_text("Alice Adams, LCSW")
    expect(page.locator(".signature")).to_contain_text("Intact")
    assert_accessible(page)
    assert_fits(page, 768)
    page.set_viewport_size({"width": 1280, "height": 900})
    plan = TreatmentPlan.objects.get(client=client)
    assert plan.is_signed and plan.hash_matches() and len(plan.goals()) == 2
    return plan


def a_note_addresses_two_goals(page, client, author) -> ProgressNote:
    # A complete draft of today's session; the goals are marked in the editor.
    note = ProgressNoteFactory(client=client, author=author, service_date=timezone.localdate())
    page.goto(f"/notes/{note.uuid}/edit/")
    expect(page.locator("form[data-autosave-ready]")).to_have_count(1)
    panel = page.locator("#plan-goals")
    for goal, rating, line in (
        (GOALS[0], "Improved", "Slept 6 hours on four nights"),
        (GOALS[1], "Unchanged", ""),
    ):
        panel.get_by_role("checkbox", name=re.compile(re.escape(goal))).check()
        panel.get_by_label(f'Progress on the goal "{goal}"').select_option(label=rating)
        if line:
            panel.get_by_label(f'In a line about the goal "{goal}"').fill(line)
    expect(page.locator("#save-state")).to_have_text(re.compile(r"^Saved \d{2}:\d{2}$"))
    assert_accessible(page)
    page.get_by_role("button", name="Review and sign…").click()
    expect(page.get_by_text("are documented")).to_be_visible()
    page.get_by_role("button", name="Sign the note").click()
    expect(page.get_by_text("Note signed.")).to_be_visible()
    goals = page.locator("#plan-goals")
    expect(goals).to_contain_text("Improved")
    expect(goals).to_contain_text("Unchanged")
    expect(goals).to_contain_text("Slept 6 hours on four nights")
    assert_accessible(page)
    rows = GoalProgress.objects.filter(note=note).order_by("goal_text")
    assert [(r.goal_text, r.rating) for r in rows] == [
        (GOALS[1], "unchanged"),
        (GOALS[0], "improved"),
    ]
    return note


def the_chart_shows_the_goal_history(page, client):
    page.goto(f"/clients/{client.uuid}/")
    section = page.locator("#treatment-plan")
    expect(section).to_contain_text(GOALS[0])
    expect(section).to_contain_text("Improved")
    expect(section).to_contain_text("Unchanged")
    assert_accessible(page)


def the_chart_export_holds_the_plan(page, client, tmp_path) -> str:
    page.goto(f"/clients/{client.uuid}/")
    page.get_by_role("link", name="Export chart (PDF)").click()
    today = timezone.localdate()
    page.get_by_label("From", exact=False).and_(page.locator("input")).fill(
        (today - timedelta(days=30)).isoformat()
    )
    page.get_by_label("To", exact=False).and_(page.locator("input")).fill(today.isoformat())
    # The PDF is made (and signed) in the web process here: give a busy machine time.
    page.get_by_role("button", name="Export signed PDF").click(timeout=120_000)
    expect(page.locator("[data-job-label]")).to_have_text("Ready", timeout=120_000)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download signed PDF").click()
    target = tmp_path / "chart.pdf"
    target.write_bytes(Path(download.value.path()).read_bytes())
    text = subprocess.run(
        ["pdftotext", str(target), "-"], check=True, capture_output=True
    ).stdout.decode()
    flat = " ".join(text.split())
    assert "Treatment plan, version 1 (latest)" in flat
    for goal in GOALS:
        assert goal in flat
    assert "Improved (Slept 6 hours on four nights)" in flat
    # A picture of the plan's page, to look at (test-artifacts/).
    pages = (
        subprocess.run(["pdftotext", "-layout", str(target), "-"], check=True, capture_output=True)
        .stdout.decode()
        .split("\f")
    )
    number = next(i for i, p in enumerate(pages, start=1) if "Treatment plan, version 1" in p)
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            str(number),
            "-l",
            str(number),
            str(target),
            str(artifacts / "plans-journey-export"),
        ],
        check=True,
    )
    return flat


def test_a_plan_is_written_and_signed_and_a_note_addresses_two_goals(
    page, sign_in, alice, new_client, documents_settings, tmp_path
):
    sign_in(alice)
    write_and_sign_the_plan(page, new_client)
    a_note_addresses_two_goals(page, new_client, alice)
    the_chart_shows_the_goal_history(page, new_client)
    the_chart_export_holds_the_plan(page, new_client, tmp_path)
