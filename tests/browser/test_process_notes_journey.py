"""Issue 4 in the browser: a clinician keeps a private process note from the
chart; it sits apart from the record and says who can see it; a colleague on
the same care team and the auditor get "Not found" at its URL."""

import re

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import expect

from clients import services as client_services
from clients.models import CareTeamRole
from notes.psychotherapy.models import ProcessNote
from tests.browser.conftest import assert_accessible, assert_fits

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = "I felt protective when the client talked about the move; check my own pull to rescue."


@pytest.fixture(autouse=True)
def process_keys(settings):
    # The live server runs in this process, so it sees the same settings.
    settings.PROCESS_NOTES_KEYS = Fernet.generate_key().decode()


def test_clinician_writes_a_private_process_note_no_one_else_can_open(
    page, sign_in, alice, bob, audrey, ada, client_record
):
    # Bob is on the same care team: he reads the chart, never Alice's process notes.
    client_services.care_team_add(
        client=client_record, clinician=bob, actor=ada, role=CareTeamRole.MEMBER
    )
    sign_in(alice)
    page.get_by_role("link", name=re.compile("Casey Zebulon")).click()
    private = page.locator("section.private-zone")
    expect(private.get_by_role("heading", name=re.compile("Private process notes"))).to_be_visible()
    private.get_by_role("link", name="New process note").click()

    expect(page.get_by_role("heading", name="New process note")).to_be_visible()
    expect(page.get_by_text("Private — only you can see this.")).to_be_visible()
    expect(page.get_by_text(re.compile("Do not record session times, medication"))).to_be_visible()
    assert_accessible(page)
    assert_fits(page, 1280)
    assert_fits(page, 768)
    page.get_by_label("Private process note").fill(TEXT)
    page.get_by_role("button", name="Save private note").click()

    expect(page.get_by_role("heading", name="Private process note")).to_be_visible()
    expect(page.get_by_text(TEXT)).to_be_visible()
    expect(
        page.get_by_text(re.compile("No supervisor, admin, auditor or operator can read them"))
    ).to_be_visible()
    assert_accessible(page)
    assert_fits(page, 1280)
    assert_fits(page, 768)
    note_url = page.url
    note = ProcessNote.objects.get(client=client_record)
    assert note_url.endswith(f"/process-notes/{note.uuid}/")

    # On the chart it is its own box, apart from the record's notes, without its text.
    page.get_by_role("link", name=re.compile("Casey Zebulon")).click()
    expect(private).to_contain_text("You have 1 process note about this client.")
    expect(private.get_by_text("Only you", exact=True)).to_be_visible()
    expect(page.get_by_text(TEXT)).to_have_count(0)
    expect(page.locator("#contact-log")).not_to_contain_text("process note")
    assert_accessible(page)
    assert_fits(page, 1280)
    assert_fits(page, 768)

    # The author's list of them.
    private.get_by_role("link", name="All my process notes").click()
    expect(page.get_by_role("heading", name="My private process notes")).to_be_visible()
    expect(page.get_by_role("link", name="Open")).to_have_count(1)
    assert_accessible(page)
    assert_fits(page, 768)
    list_url = page.url
    # Deleting asks first; keeping it changes nothing.
    page.get_by_role("link", name="Open").click()
    page.get_by_role("link", name="Delete…").click()
    expect(page.get_by_role("heading", name="Delete this private process note?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Keep it").click()
    expect(page.get_by_text(TEXT)).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    for outsider in (bob, audrey):
        sign_in(outsider)
        for url in (note_url, note_url + "edit/", note_url + "delete/"):
            page.goto(url)
            expect(page.get_by_role("heading", name="Not found")).to_be_visible()
            expect(page.get_by_text(TEXT)).to_have_count(0)
        page.goto(list_url)
        if outsider == bob:
            # The list is always one's own: Bob sees his (empty), never Alice's.
            expect(page.get_by_text("You have no process notes about this client.")).to_be_visible()
        else:
            expect(page.get_by_role("heading", name="Not found")).to_be_visible()
        page.get_by_role("button", name="Sign out").click()

    # Bob still reads the chart; his private box shows only his own (none).
    sign_in(bob)
    page.goto(f"/clients/{client_record.uuid}/")
    expect(page.get_by_role("heading", name=re.compile("Casey Zebulon"))).to_be_visible()
    expect(private).to_contain_text("You have no process notes about this client.")
