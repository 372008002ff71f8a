"""Journey 4: the auditor pulls a client's chart for a date range as a signed
PDF, and is refused the client's process notes."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone
from playwright.sync_api import expect

from practice.documents import pdf
from tests.browser.conftest import assert_accessible, assert_fits
from tests.documents.signing import sign_progress_note
from tests.factories import ProgressNoteFactory, process_note_key

pytestmark = pytest.mark.django_db(transaction=True)

PROCESS_TEXT = "My private reflection: the client reminds me of my brother"


@pytest.fixture
def chart_with_process_note(documents_settings, settings, alice, client_record):
    from notes.psychotherapy import services as process_notes

    sign_progress_note(
        ProgressNoteFactory(
            client=client_record,
            author=alice,
            service_date=timezone.localdate() - timedelta(days=12),
            subjective="Client reports fewer panic attacks since starting exposure work.",
        )
    )
    settings.PROCESS_NOTES_KEYS = Fernet.generate_key().decode()
    note = process_notes.process_note_create(
        author=alice, client=client_record, text=PROCESS_TEXT, key=process_note_key(alice)
    )
    return client_record, note


def test_auditor_exports_a_signed_chart_and_cannot_open_process_notes(
    page, sign_in, audrey, chart_with_process_note, tmp_path
):
    client, process_note = chart_with_process_note
    sign_in(audrey)
    page.get_by_role("link", name="Chart export").click()
    expect(page.get_by_role("heading", name="Export a client's chart")).to_be_visible()
    assert_accessible(page)
    assert_fits(page, 768)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("combobox", name="Client").select_option(
        label=f"Zebulon, Casey · {client.mrn}"
    )
    today = timezone.localdate()
    page.get_by_label("From", exact=False).and_(page.locator("input")).fill(
        (today - timedelta(days=30)).isoformat()
    )
    page.get_by_label("To", exact=False).and_(page.locator("input")).fill(today.isoformat())
    page.get_by_role("button", name="Export signed PDF").click()

    expect(page.locator("[data-job-label]")).to_have_text("Ready")
    expect(page.get_by_text(f"MRN {client.mrn}").first).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download signed PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    data = Path(download.value.path()).read_bytes()
    # pyHanko runs its own asyncio loop; Playwright's sync API holds this thread's.
    with ThreadPoolExecutor(max_workers=1) as pool:
        status = pool.submit(pdf.validate_pdf, data).result()
    assert status.intact and status.bottom_line
    target = tmp_path / "chart.pdf"
    target.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", str(target), "-"], check=True, capture_output=True
    ).stdout.decode()
    assert "fewer panic attacks" in text
    assert "reflection" not in text and "brother" not in text

    # The chart shows no process notes to the auditor, and the URLs are refused.
    page.goto(f"/clients/{client.uuid}/")
    expect(page.get_by_role("heading", name="Casey Zebulon")).to_be_visible()
    expect(page.get_by_text("Private process notes")).to_have_count(0)
    for url in (f"/process-notes/client/{client.uuid}/", f"/process-notes/{process_note.uuid}/"):
        page.goto(url)
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
        expect(page.get_by_text("brother")).to_have_count(0)
