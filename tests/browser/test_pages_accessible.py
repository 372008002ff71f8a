"""The smaller pages around a chart pass the same accessibility and layout
checks as the journeys' pages (axe: no serious or critical violations; no
horizontal scrolling at 1280 px or on a 768 px tablet)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_fits
from tests.factories import CollateralFactory, ReleaseFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _check(page, url):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.title().strip(), f"{url} has no document title"
    assert_accessible(page)
    assert_fits(page, 1280)
    assert_fits(page, 768)


def test_front_desk_pages(page, sign_in, fran, client_record):
    contact = CollateralFactory(client=client_record, name="Pat Rivera")
    roi = ReleaseFactory(contact=contact)
    uuid = client_record.uuid
    sign_in(fran)
    for url in (
        reverse("clients:list") + "?q=Zebulon",
        reverse("clients:create"),
        reverse("clients:edit", args=[uuid]),
        reverse("clients:care_team", args=[uuid]),
        reverse("clients:collateral_add", args=[uuid]),
        reverse("clients:roi_add", args=[uuid, contact.uuid]),
        reverse("clients:roi_revoke", args=[uuid, roi.uuid]),
        reverse("schedule:book", args=[uuid]),
        reverse("clients:discharge", args=[uuid]),
        reverse("contacts:create", args=[uuid]),
        reverse("schedule:day"),
    ):
        _check(page, url)


def test_clinician_pages(page, sign_in, alice, client_record):
    sign_in(alice)
    for url in (
        reverse("clients:caseload"),
        reverse("clients:diagnosis_add", args=[client_record.uuid]),
        reverse("schedule:clinician_day"),
    ):
        _check(page, url)


def test_admin_and_auditor_pages(page, sign_in, ada, audrey, client_record):
    sign_in(ada)
    for url in (
        reverse("staff_list"),
        reverse("staff_create"),
        reverse("practice_settings"),
        reverse("clients:audit", args=[client_record.uuid]),
    ):
        _check(page, url)
    page.get_by_role("button", name="Sign out").click()
    sign_in(audrey)
    _check(page, reverse("clients:audit", args=[client_record.uuid]))
    # The refusal and not-found pages are ordinary pages too.
    _check(page, reverse("staff_list"))
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    _check(page, reverse("records:chart", args=["00000000-0000-4000-8000-000000000000"]))
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()


def test_reading_works_without_javascript(chromium, live_server, fran, alice, client_record):
    """Progressive enhancement: with JavaScript off, sign in (both factors), find
    and read a chart."""
    from tests.browser.conftest import authenticator_for, totp_code
    from tests.factories import PASSWORD

    device = authenticator_for(fran)

    context = chromium.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("fran")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_label("Code").fill(totp_code(device))
        page.get_by_role("button", name="Verify").click()
        page.get_by_label("Find by name, MRN or date of birth").fill("Zebulon")
        page.get_by_role("button", name="Search").click()
        page.get_by_role("link", name="Zebulon, Casey").click()
        expect(page.get_by_role("heading", name="Casey Zebulon")).to_be_visible()
        expect(page.get_by_role("heading", name="Contact log")).to_be_visible()
        expect(page.get_by_text("Alice Adams, LCSW")).to_be_visible()
    finally:
        context.close()
