"""The foundation, as the front desk and a clinician use it in the browser."""

import re

import pytest
from playwright.sync_api import expect

from clients.models import Client
from tests.browser.conftest import assert_accessible, assert_fits

pytestmark = pytest.mark.django_db(transaction=True)


def test_front_desk_registers_a_client_and_a_clinician_opens_the_chart(
    page, sign_in, fran, alice, bob
):
    sign_in(fran)
    page.get_by_role("link", name="Register a client").click()
    page.get_by_label("Legal first name").fill("Robin")
    page.get_by_label("Legal last name").fill("Quill")
    page.get_by_label("Date of birth").fill("2011-02-03")
    page.get_by_label("Pronouns").fill("he/him")
    page.get_by_role("button", name="Save").click()

    # Registration leads straight to the care team.
    expect(page.get_by_role("heading", name="Care team")).to_be_visible()
    page.get_by_label("Clinician").select_option(label="Alice Adams, LCSW")
    page.get_by_label("Role").select_option("primary")
    page.get_by_role("button", name="Add to care team").click()
    expect(page.get_by_text("Alice Adams, LCSW")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(alice)
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    page.get_by_role("link", name="Robin Quill").click()
    expect(page.get_by_role("heading", name=re.compile("Robin Quill"))).to_be_visible()
    expect(page.get_by_text("Minor")).to_be_visible()
    assert_accessible(page)
    assert_fits(page, 1280)
    assert_fits(page, 768)
    chart_url = page.url
    page.get_by_role("button", name="Sign out").click()

    # A clinician outside the care team gets the same page as for no client at all.
    sign_in(bob)
    page.goto(chart_url)
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.get_by_text("Quill")).to_have_count(0)


def test_invalid_registration_keeps_what_was_typed(page, sign_in, fran):
    sign_in(fran)
    page.goto("/clients/new/")
    page.get_by_label("Legal first name").fill("Taylor")
    page.get_by_label("Legal last name").fill("Typed")
    page.get_by_label("Date of birth").fill("2999-01-01")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("cannot be in the future")).to_be_visible()
    expect(page.get_by_label("Legal last name")).to_have_value("Typed")
    assert not Client.objects.filter(legal_last_name="Typed").exists()
    assert_accessible(page)
