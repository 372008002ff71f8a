"""Issue 13 in the browser: an admin resets a clinician's sign-in and signs in as
them. The sign-in page says who reset it and when; every process note shows
"Sealed" and none opens. The clinician then unseals with the previous password."""

import re

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = "I noticed my own impatience; bring it to consultation."
NEW_PASSWORD = "chosen-by-whoever-Redeemed-7"


@pytest.fixture(autouse=True)
def process_keys(settings):
    settings.PROCESS_NOTES_KEYS = Fernet.generate_key().decode()


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"sealed-{name}.png"), full_page=True)


def test_a_reset_sign_in_sees_sealed_notes_and_the_author_unseals_them(
    page, sign_in, alice, ada, client_record
):
    ada.first_name, ada.last_name = "Ada", "Admin"
    ada.save()
    sign_in(alice)
    page.goto(f"/process-notes/client/{client_record.uuid}/new/")
    page.get_by_label("Private process note").fill(TEXT)
    page.get_by_role("button", name="Save private note").click()
    expect(page.get_by_text(TEXT)).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # The admin: reset two-factor, then issue a reset code (no password field).
    sign_in(ada)
    page.goto(f"/staff/{alice.uuid}/")
    expect(page.locator("input[type=password]")).to_have_count(0)
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Reset two-factor sign-in").click()
    page.get_by_role("button", name="Issue a reset code").click()
    code = page.locator(".reset-code code").inner_text()
    _shot(page, "reset-code")
    page.get_by_role("button", name="Sign out").click()

    # Whoever holds the code sets a password and signs in as Alice.
    page.goto("/accounts/login/")
    page.get_by_role("link", name="use a reset code").click()
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Reset code").fill(code)
    page.get_by_label(re.compile(r"^New password:?$")).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_text(re.compile("Your new password is set"))).to_be_visible()
    sign_in(alice, NEW_PASSWORD)
    # The notice stays on the page after the second factor (messages of the
    # password step are shown on the next page: the code step).
    page.goto("/accounts/mfa/setup/")
    # Two resets: the authenticator (lost phone) and the password (reset code).
    notices = page.get_by_text(re.compile(r"was reset by Ada Admin \(ada\) on"))
    expect(notices).to_have_count(2)
    expect(notices.first).to_contain_text("password and two-factor")
    _shot(page, "who-reset-notice")

    page.goto(f"/process-notes/client/{client_record.uuid}/")
    expect(page.locator(".pill-danger", has_text="Sealed")).to_have_count(1)
    expect(page.get_by_role("link", name="New process note")).to_have_count(0)
    assert_accessible(page)
    _shot(page, "sealed-list")
    page.get_by_role("link", name="Open").click()
    expect(page.get_by_role("heading", name=re.compile("Sealed"))).to_be_visible()
    expect(page.get_by_text(TEXT)).to_have_count(0)
    _shot(page, "sealed-note")

    # The author knows her previous password: she unseals.
    page.get_by_role("link", name="Unseal with your previous password").click()
    page.get_by_label("Your previous password, or a recovery code").fill(
        "correct-horse-battery-staple"
    )
    page.get_by_label("Your current password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Unseal").click()
    expect(page.get_by_text("Your process notes are unsealed.")).to_be_visible()
    page.goto(f"/process-notes/client/{client_record.uuid}/")
    page.get_by_role("link", name="Open").click()
    expect(page.get_by_text(TEXT)).to_be_visible()
