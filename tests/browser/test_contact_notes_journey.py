"""Issue 3 in the browser: a clinician documents a call with a client's parent
who has an active release; a note with a collateral without one is kept as a
draft that says why it cannot be signed (issue 14); the front desk cannot read
a clinical summary."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import ContactNote
from practice.models import AuditEvent
from tests.browser.conftest import assert_accessible, assert_fits
from tests.factories import CollateralFactory, ReleaseFactory

pytestmark = pytest.mark.django_db(transaction=True)

SUMMARY = "Parent called about school refusal; agreed a morning plan with the school."


@pytest.fixture
def parent(client_record):
    contact = CollateralFactory(client=client_record, name="Pat Rivera", relationship="parent")
    ReleaseFactory(contact=contact)
    return contact


@pytest.fixture
def lapsed_aunt(client_record):
    """A collateral whose only release expired last week."""
    contact = CollateralFactory(client=client_record, name="Lou Rivera", relationship="other")
    today = timezone.localdate()
    ReleaseFactory(
        contact=contact,
        signed_date=today - timedelta(days=400),
        expires_on=today - timedelta(days=7),
    )
    return contact


@pytest.fixture
def doctor(client_record):
    return CollateralFactory(client=client_record, name="Dr. Lee Novak", relationship="physician")


def _choose_person(page, name):
    """Pick the person by the name the option shows (it also shows the release state)."""
    select = page.get_by_label("Person contacted")
    option = select.locator("option", has_text=name)
    expect(option).to_have_count(1)
    select.select_option(value=option.get_attribute("value"))


def _open_new_note(page):
    page.get_by_role("link", name="New contact note").click()
    expect(page.get_by_role("heading", name="New contact note")).to_be_visible()


def test_clinician_documents_a_call_with_a_parent_who_has_an_active_release(
    page, sign_in, alice, client_record, parent
):
    sign_in(alice)
    page.get_by_role("link", name=re.compile("Casey Zebulon")).click()
    _open_new_note(page)
    _choose_person(page, "Pat Rivera")
    expect(page.get_by_label("Person contacted")).to_contain_text(
        "Pat Rivera (Parent) · release active"
    )
    page.get_by_label("Reason").select_option(label="Collateral information")
    page.get_by_label("Phone").check()
    page.get_by_label("Minutes of contact").fill("15")
    page.get_by_label("Summary and outcome").fill(SUMMARY)
    page.get_by_label("Billable").check()
    assert_accessible(page)
    assert_fits(page, 1280)
    assert_fits(page, 768)
    page.get_by_role("button", name="Save and sign").click()

    expect(page.get_by_role("heading", name=re.compile("Collateral information"))).to_contain_text(
        "Signed"
    )
    expect(page.get_by_text(SUMMARY)).to_be_visible()
    expect(page.get_by_text(re.compile("Signed by Alice Adams, LCSW"))).to_be_visible()
    expect(page.locator("dd").filter(has_text="Attendance and progress")).to_be_visible()
    assert_accessible(page)
    assert_fits(page, 1280)
    assert_fits(page, 768)
    note = ContactNote.objects.get(client=client_record)
    assert note.is_signed and note.collateral == parent and note.billable and note.minutes == 15

    # The chart's contact log lists it, with the period's minute totals.
    page.get_by_role("link", name=re.compile("Casey Zebulon")).click()
    log = page.locator("#contact-log")
    expect(log.get_by_role("row").filter(has_text="Pat Rivera")).to_contain_text(
        "Collateral information"
    )
    expect(log.locator("[data-total=billable]")).to_have_text("15")
    expect(log.locator("[data-total=non-billable]")).to_have_text("0")
    # A period that ends before the call sums nothing.
    yesterday = timezone.localdate() - timedelta(days=1)
    log.get_by_label("to").fill(yesterday.isoformat())
    log.get_by_role("button", name="Show").click()
    expect(page.locator("#contact-log [data-total=billable]")).to_have_text("0")
    expect(
        page.locator("#contact-log").get_by_text("No contact notes in this period.")
    ).to_be_visible()


@pytest.mark.parametrize(
    ("who", "why"),
    [
        ("Dr. Lee Novak", "no release is on file"),
        ("Lou Rivera", "the release expired on"),
    ],
)
def test_contact_without_an_active_release_is_kept_as_a_draft_that_says_why(
    page, sign_in, alice, client_record, doctor, lapsed_aunt, who, why
):
    sign_in(alice)
    page.goto(f"/clients/{client_record.uuid}/")
    _open_new_note(page)
    _choose_person(page, who)
    page.get_by_label("Reason").select_option(label="Coordination of care")
    page.get_by_label("E-mail").check()
    page.get_by_label("Minutes of contact").fill("12")
    page.get_by_label("Summary and outcome").fill("Typed before the refusal.")
    page.get_by_role("button", name="Save and sign").click()

    # Saved as a draft (issue 14): the page says what blocks signing.
    expect(page.get_by_role("heading", name="Edit contact note")).to_be_visible()
    blocker = page.locator(".signing-blocker")
    expect(blocker).to_contain_text(f"No active release of information for {who}")
    expect(blocker).to_contain_text(why)
    # Everything typed is still there.
    expect(page.get_by_label("Summary and outcome")).to_have_value("Typed before the refusal.")
    expect(page.get_by_label("Minutes of contact")).to_have_value("12")
    expect(page.get_by_label("E-mail")).to_be_checked()
    expect(page.get_by_label("Reason")).to_have_value("coordination_of_care")
    assert_accessible(page)
    note = ContactNote.objects.get(client=client_record)
    assert not note.is_signed and note.summary == "Typed before the refusal."
    assert AuditEvent.objects.filter(
        action="access_denied", detail__rule="release_of_information"
    ).exists()


def test_front_desk_cannot_read_a_clinical_contact_notes_summary(
    page, sign_in, alice, fran, client_record, parent
):
    from contacts import services

    note = services.contact_note_create(
        client=client_record,
        author=alice,
        contact_at=timezone.now() - timedelta(hours=2),
        collateral=parent,
        reason="collateral_information",
        means=["phone"],
        minutes=10,
        summary=SUMMARY,
        sign=True,
    )
    sign_in(fran)
    page.goto(f"/clients/{client_record.uuid}/")
    row = page.locator("#contact-log").get_by_role("row").filter(has_text="Pat Rivera")
    expect(row).to_contain_text("Clinical summary not shown to your role.")
    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name=re.compile("Collateral information"))).to_be_visible()
    expect(
        page.get_by_text("The summary of this contact note is not shown to your role.")
    ).to_be_visible()
    expect(page.get_by_text("school refusal")).to_have_count(0)
    assert_accessible(page)
    assert page.url.endswith(f"/contacts/{note.uuid}/")
