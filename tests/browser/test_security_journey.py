"""Security features in the browser: MFA enrolment and the second step,
the idle time-out (warning, draft-save event, sign-out), break-the-glass."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from practice.models import AuditAction, AuditEvent
from tests.browser.conftest import assert_accessible, totp_code

pytestmark = pytest.mark.django_db(transaction=True)


def test_first_sign_in_enrols_an_authenticator_then_asks_for_codes(page, sign_in, alice):
    sign_in(alice, mfa=False)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    # The QR code is inline SVG drawn by the server; no navigation yet.
    expect(page.locator(".qr svg")).to_be_visible()
    expect(page.get_by_role("link", name="My caseload")).to_have_count(0)
    assert_accessible(page)
    page.goto("/clients/caseload/")  # a password alone reaches nothing
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()

    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    page.get_by_label("Code from the app").fill(totp_code(device))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()
    expect(page.locator(".backup-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have saved them, continue").click()
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()

    # Next time: password, then the code.
    page.get_by_role("button", name="Sign out").click()
    sign_in(alice)
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()


def test_verify_page_is_accessible_and_refuses_a_wrong_code(page, sign_in, alice):
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    sign_in(alice, mfa=False)
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code did not match")).to_be_visible()


def test_idle_session_warns_saves_drafts_and_signs_out(page, sign_in, alice, settings):
    settings.SESSION_IDLE_SECONDS = 20
    settings.SESSION_WARNING_SECONDS = 15
    sign_in(alice)
    saved = []
    page.expose_function("ehrDraftSaved", lambda: saved.append(page.url))
    page.goto("/clients/caseload/")
    page.evaluate("document.addEventListener('ehr:session-expiring', () => window.ehrDraftSaved())")
    warning = page.locator("#session-warning")
    expect(warning).to_be_visible(timeout=20_000)
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_focused()
    page.wait_for_url("**/accounts/login/**", timeout=30_000)
    assert saved and saved[0].endswith("/clients/caseload/")  # before leaving the page
    expect(page.get_by_text("minutes without activity")).to_be_visible()
    event = AuditEvent.objects.filter(action=AuditAction.LOGOUT, username="alice").last()
    assert event.detail == {"reason": "timeout"}
    page.goto("/clients/caseload/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_stay_signed_in_keeps_the_session(page, sign_in, alice, settings):
    settings.SESSION_IDLE_SECONDS = 30
    settings.SESSION_WARNING_SECONDS = 26
    sign_in(alice)
    page.goto("/clients/caseload/")
    warning = page.locator("#session-warning")
    expect(warning).to_be_visible(timeout=20_000)
    with page.expect_response("**/accounts/session/keep-alive/") as response:
        warning.get_by_role("button", name="Stay signed in").click()
    assert response.value.json()["remaining"] >= 28
    expect(warning).to_be_hidden()
    assert "/accounts/login/" not in page.url
    assert not AuditEvent.objects.filter(action=AuditAction.LOGOUT, username="alice").exists()


def test_break_the_glass_in_the_browser(page, sign_in, bob, client_record):
    sign_in(bob)
    page.goto("/clients/")
    page.get_by_role("link", name="emergency access").click()
    page.get_by_label("MRN").fill(client_record.mrn)
    page.get_by_label("Reason for emergency access").fill(
        "Crisis call; the primary clinician is away today."
    )
    page.get_by_label("I understand").check()
    assert_accessible(page)
    page.get_by_role("button", name="Open the chart in an emergency").click()
    expect(page.get_by_role("heading", name="Casey Zebulon")).to_be_visible()
    expect(page.locator(".emergency-banner")).to_contain_text("Emergency access.")
    expect(page.get_by_role("heading", name="Private process notes")).to_have_count(0)
