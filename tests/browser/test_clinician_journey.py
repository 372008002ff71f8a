"""Journey 1: a clinician writes, autosaves, signs, amends and prints a SOAP note in the browser."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from notes.models import ProgressNote
from practice.documents import pdf
from tests.browser.conftest import assert_accessible, assert_fits
from tests.documents.helpers import pdf_pages

pytestmark = pytest.mark.django_db(transaction=True)

SAVED = re.compile(r"^Saved \d{2}:\d{2}$")


def _wait_saved(page):
    state = page.locator("#save-state")
    expect(state).not_to_have_text(SAVED)  # the edit was noticed...
    expect(state).to_have_text(SAVED)  # ...and saved


def test_clinician_writes_autosaves_signs_amends_and_prints_a_soap_note(
    page, sign_in, alice, client_record, documents_settings, tmp_path
):
    sign_in(alice)  # password, then the code from her authenticator app
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    page.get_by_role("link", name="Casey Zebulon").click()
    expect(page.get_by_role("heading", name=re.compile("Casey Zebulon"))).to_be_visible()
    assert_accessible(page)

    # Start a SOAP note from the chart.
    page.get_by_role("link", name="New progress note").click()
    page.get_by_label("SOAP").check()
    page.get_by_role("button", name="Start the note").click()
    expect(page.get_by_role("heading", name=re.compile("SOAP progress note"))).to_be_visible()
    expect(page.locator("form[data-autosave-ready]")).to_have_count(1)
    note = ProgressNote.objects.get(client=client_record)
    assert_accessible(page)

    # Autosave while typing: the save state changes and the server has the text.
    page.locator("#id_start_time").fill("10:00")
    page.locator("#id_end_time").fill("10:50")
    page.locator("#id_subjective").fill("Reports worry most days and poor sleep.")
    _wait_saved(page)
    note.refresh_from_db()
    assert note.subjective == "Reports worry most days and poor sleep."
    expect(page.locator("[data-cpt]")).to_have_text("90834")  # 50 minutes

    # The idle-timeout script's warning saves at once, without waiting for the pause.
    page.locator("#id_objective").fill("Anxious affect, good eye contact.")
    page.evaluate("document.dispatchEvent(new Event('ehr:session-expiring'))")
    expect(page.locator("#save-state")).to_have_text(SAVED)
    note.refresh_from_db()
    assert note.objective == "Anxious affect, good eye contact."

    # A person-first language hint appears, and never blocks.
    page.locator("#id_assessment").fill("Client is an addict per referral; anxiety persists.")
    _wait_saved(page)
    expect(page.locator("#language-hints")).to_contain_text("has a substance use disorder")
    page.locator("#id_assessment").fill(
        "Client has a substance use disorder per referral; anxiety persists."
    )
    page.locator("#id_plan").fill("Weekly CBT; breathing practice daily.")
    page.locator("#id_symptoms").fill("Worry, insomnia, muscle tension.")
    page.locator("#id_progress").fill("Uses breathing twice a week.")
    page.get_by_label("Cognitive behavioral therapy").check()
    page.locator("#id_risk_level").select_option("low")
    _wait_saved(page)

    # Review: the medical-necessity check names what is missing.
    page.get_by_role("button", name="Review and sign…").click()
    expect(page.get_by_role("heading", name="Medical-necessity check")).to_be_visible()
    expect(page.locator(".missing")).to_contain_text("Functional impairment")
    assert_accessible(page)

    # Complete it and sign.
    page.get_by_role("link", name="Complete the note").click()
    expect(page.locator("form[data-autosave-ready]")).to_have_count(1)  # the script is listening
    page.locator("#id_functional_impairment").fill("Missed two workdays this month.")
    _wait_saved(page)
    page.get_by_role("button", name="Review and sign…").click()
    expect(page.get_by_text("are documented")).to_be_visible()
    page.get_by_role("button", name="Sign the note").click()

    # Signed and frozen: signature block, no edit controls.
    expect(page.get_by_text("Note signed.")).to_be_visible()
    expect(page.get_by_text("Electronically signed by")).to_contain_text("Alice Adams, LCSW")
    expect(page.locator(".signature")).to_contain_text("Intact")
    expect(page.get_by_role("button", name="Save draft")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("Continue the draft|Edit"))).to_have_count(0)
    note.refresh_from_db()
    assert note.is_signed and note.hash_matches() and note.cpt_code == "90834"
    assert_accessible(page)
    assert_fits(page, 1280)
    assert_fits(page, 768)

    # The editor is closed for good.
    page.goto(f"/notes/{note.uuid}/edit/")
    expect(page.get_by_text("signed and can no longer be changed")).to_be_visible()
    page.goto(f"/notes/{note.uuid}/")

    # Corrections are signed addenda, shown under the note.
    page.locator("#id_text").fill("Correction: the session ended at 10:50, not 10:55.")
    page.get_by_role("button", name="Sign and add addendum").click()
    expect(page.get_by_text("Addendum signed and added.")).to_be_visible()
    expect(page.locator(".addendum")).to_contain_text("Correction: the session ended")
    expect(page.locator("h1 .pill")).to_have_text("Amended")
    assert ProgressNote.objects.get(pk=note.pk).hash_matches()

    # Print the signed PDF: the job page reaches Ready, the download is the
    # practice-signed PDF of the note with its addendum.
    page.get_by_role("button", name="Print signed PDF").click()
    expect(page.locator("[data-job-label]")).to_have_text("Ready")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download signed PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    data = Path(download.value.path()).read_bytes()
    status = pdf.validate_pdf(data)  # in a thread of its own: Playwright holds this loop
    assert status.intact and status.bottom_line
    text = "\n".join(pdf_pages(data, tmp_path))
    assert "Casey Zebulon" in text and client_record.mrn in text
    for section in ("Subjective", "Objective", "Assessment", "Plan"):
        assert section in text
    assert "Reports worry most days and poor sleep." in text
    assert "Alice Adams" in text and "LCSW" in text
    assert "Correction: the session ended at 10:50" in text
    page.goto(f"/notes/{note.uuid}/")

    # The chart lists the note, amended, newest first.
    page.get_by_role("link", name=re.compile("Casey Zebulon")).click()
    expect(page.locator("#progress-notes")).to_contain_text("Amended")
    assert_accessible(page)


def test_autosave_says_when_it_could_not_save_and_retries(page, sign_in, alice, client_record):
    from notes import services

    note = services.note_create(client=client_record, author=alice, format="dap")
    sign_in(alice)
    page.goto(f"/notes/{note.uuid}/edit/")
    expect(page.locator("form[data-autosave-ready]")).to_have_count(1)
    # The network drops: the page says so and keeps trying.
    page.route("**/autosave/", lambda route: route.abort())
    page.locator("#id_data").fill("Written while offline.")
    expect(page.locator("#save-state")).to_have_text("Not saved — retrying")
    page.unroute("**/autosave/")
    expect(page.locator("#save-state")).to_have_text(SAVED, timeout=20_000)
    note.refresh_from_db()
    assert note.data == "Written while offline."
    # A value the server refuses is named, and nothing is lost from the page.
    page.locator("#id_cpt_code").select_option("90837")
    expect(page.locator("#save-state")).to_contain_text("Give the reason for changing")
    page.locator("#id_cpt_override_reason").fill("Interactive complexity")
    expect(page.locator("#save-state")).to_have_text(SAVED)
    note.refresh_from_db()
    assert note.cpt_code == "90837" and note.cpt_override_reason == "Interactive complexity"
