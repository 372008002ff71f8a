"""Issue 14 in the browser: a minor's mother is contacted without a release and
the same contact after the client turns 18 is refused; a note refused for a
missing release is kept, the release recorded in place and the note signed
with its original text; the try-out's chart export runs on a real worker."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import ContactNote
from tests.browser.conftest import assert_accessible, assert_fits
from tests.factories import CollateralFactory

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _person(page, name):
    select = page.get_by_label("Person contacted")
    option = select.locator("option", has_text=name)
    expect(option).to_have_count(1)
    select.select_option(value=option.get_attribute("value"))


def _fill_note(page, *, when: str, person: str, summary: str):
    page.get_by_label("Date and time of contact").fill(when)
    _person(page, person)
    page.get_by_label("Reason").select_option(label="Coordination of care")
    page.get_by_label("Phone").check()
    page.get_by_label("Minutes of contact").fill("10")
    page.get_by_label("Summary and outcome").fill(summary)


def test_minor_s_mother_needs_no_release_until_the_client_turns_18(
    page, sign_in, alice, client_record
):
    today = timezone.localdate()
    # The client turned 18 three days ago.
    birthday = today - timedelta(days=3)
    client_record.date_of_birth = date(birthday.year - 18, birthday.month, birthday.day)
    client_record.save()
    CollateralFactory(
        client=client_record,
        name="Maria Zebulon",
        relationship="parent",
        is_personal_representative=True,
    )
    before = (today - timedelta(days=5)).isoformat() + "T10:00"
    sign_in(alice)
    page.goto(f"/contacts/client/{client_record.uuid}/new/")
    _fill_note(page, when=before, person="Maria Zebulon", summary="Mother asked about times.")
    # The list tells the status on the contact date typed, not today's.
    expect(page.get_by_label("Person contacted")).to_contain_text(
        f"Maria Zebulon (Parent) · personal representative on {before[:10]}"
    )
    page.get_by_role("button", name="Save and sign").click()
    expect(page.get_by_role("heading", name=re.compile("Coordination of care"))).to_contain_text(
        "Signed"
    )
    basis = page.locator("dd", has_text="Personal representative: parent of a minor")
    expect(basis).to_be_visible()

    # The same contact today, after the 18th birthday, is not signed.
    page.goto(f"/contacts/client/{client_record.uuid}/new/")
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    _fill_note(page, when=now, person="Maria Zebulon", summary="Mother called again.")
    expect(page.get_by_label("Person contacted")).to_contain_text(
        f"Maria Zebulon (Parent) · no active release on {now[:10]}"
    )
    page.get_by_role("button", name="Save and sign").click()
    expect(page.locator(".signing-blocker")).to_contain_text("reached the age of majority (18)")
    signed = ContactNote.objects.filter(status="signed")
    assert signed.count() == 1 and signed.get().summary == "Mother asked about times."
    draft = ContactNote.objects.get(status="draft")
    assert draft.summary == "Mother called again."


def test_refused_note_is_signed_after_recording_the_release_in_place(
    page, sign_in, alice, client_record
):
    CollateralFactory(client=client_record, name="Dr. Lee Novak", relationship="physician")
    summary = "Coordinated the medication change with the prescriber; agreed to follow up."
    sign_in(alice)
    page.goto(f"/contacts/client/{client_record.uuid}/new/")
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    _fill_note(page, when=now, person="Dr. Lee Novak", summary=summary)
    page.get_by_role("button", name="Save and sign").click()
    expect(page.locator(".signing-blocker")).to_contain_text("no release is on file")
    section = page.locator("details.inline-release")
    expect(section).to_have_attribute("open", "")
    today = timezone.localdate()
    SCREENSHOTS.mkdir(exist_ok=True)
    for width in (1280, 768):
        assert_fits(page, width)
        page.screenshot(path=str(SCREENSHOTS / f"note-form-release-{width}.png"), full_page=True)
    assert_accessible(page)
    section.get_by_label("Signed date").fill(today.isoformat())
    section.get_by_label("Expires on").fill(today.replace(year=today.year + 1).isoformat())
    section.get_by_label("Scope").fill("Medication coordination")
    page.get_by_role("button", name="Save and sign").click()

    expect(page.get_by_role("heading", name=re.compile("Coordination of care"))).to_contain_text(
        "Signed"
    )
    expect(page.get_by_text(summary)).to_be_visible()
    note = ContactNote.objects.get()
    assert note.is_signed and note.summary == summary
    assert note.roi is not None and note.roi.scope == "Medication coordination"


@pytest.fixture
def tryout_worker(documents_settings, tmp_path):
    """A real worker on the try-out's broker: kombu's filesystem transport."""
    from practice.celery import app

    broker = tmp_path / "broker"
    options = {
        "data_folder_in": str(broker / "queue"),
        "data_folder_out": str(broker / "queue"),
        "control_folder": str(broker / "control"),
        "store_processed": False,
    }
    for folder in ("queue", "control"):
        (broker / folder).mkdir(parents=True)
    saved = (app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.task_always_eager = False
    app.conf.broker_url = "filesystem://"
    app.conf.broker_transport_options = options
    app._pool = app.amqp._producer_pool = None
    db = connection.settings_dict
    env = {
        key: value for key, value in os.environ.items() if key not in ("REDIS_URL",)
    } | {
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "BROKER_DIR": str(broker),
        "PRIVATE_FILES_DIR": str(settings.PRIVATE_FILES_DIR),
        "PRACTICE_CERT_FILE": str(settings.PRACTICE_CERT_FILE),
        "PRACTICE_KEY_FILE": str(settings.PRACTICE_KEY_FILE),
        "PRACTICE_KEY_PASSPHRASE": settings.PRACTICE_KEY_PASSPHRASE,
        "C_FORCE_ROOT": "true",
    }
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "practice", "worker", "--pool=solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        cwd=str(settings.BASE_DIR),
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
    app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_transport_options = saved
    app._pool = app.amqp._producer_pool = None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a worker needs a shared database")
def test_tryout_chart_export_returns_the_job_page_at_once_and_shows_progress(
    page, sign_in, audrey, client_record, tryout_worker
):
    sign_in(audrey)
    page.goto("/documents/chart-export/")
    page.get_by_role("combobox", name="Client").select_option(
        label=f"Zebulon, Casey · {client_record.mrn}"
    )
    page.get_by_role("button", name="Export signed PDF").click()
    # The job page comes back before the work is done: queued or running, with a bar.
    expect(page.get_by_role("heading", name=re.compile("Chart export"))).to_be_visible()
    label = page.locator("[data-job-label]")
    assert label.text_content() in ("Queued", "Running")
    expect(page.locator("[data-job-progress]")).to_be_visible()
    # The worker finishes it; the page updates itself to the download.
    expect(label).to_have_text("Ready", timeout=120_000)
    expect(page.get_by_role("link", name="Download signed PDF")).to_be_visible()
    assert tryout_worker.poll() is None
