"""Sealed process notes: a reset of someone's sign-in cannot open their notes.

Attack 1 of issue 13: a practice admin reset a clinician's MFA, set a new
password on the staff form, signed in as the clinician, enrolled an
authenticator and read /process-notes/<uuid>/. Each test here walks the real
sign-in (password form, then the second factor) the way that attacker did.
"""

from __future__ import annotations

import base64
import io
import re

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils.html import escape
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from notes.psychotherapy import crypto, sealing
from notes.psychotherapy.models import AuthorKey, ProcessNote
from practice.models import AuditAction, AuditEvent, SignInReset
from practice.session_vault import COOKIE_NAME
from tests.conftest import mark_mfa_verified
from tests.factories import PASSWORD
from tests.psychotherapy.conftest import SECRET as _SECRET

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "admin-chosen-Pa55word-x9"
# The note text as a page shows it (HTML-escaped): what an "in" check must look for.
SECRET = escape(_SECRET)


@pytest.fixture
def recovery_pair(settings):
    private, public = sealing.new_recovery_key_pair()
    settings.PROCESS_NOTES_RECOVERY_PUBLIC_KEY = public
    return private


def _code(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def sign_in(username: str, password: str) -> HttpClient:
    """The real two-step sign-in: password form, then enrol or verify the app."""
    http = HttpClient()
    response = http.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, "the password step failed"
    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is None:
        http.get(reverse("mfa_setup"))
        device = TOTPDevice.objects.get(user__username=username, confirmed=False)
        response = http.post(reverse("mfa_setup"), {"code": _code(device)})
        assert response.status_code == 200
    else:
        # A code of the same 30 s window is refused the second time (django-otp);
        # the second factor itself is tested in tests/practice/test_mfa.py.
        mark_mfa_verified(http, device.user)
    return http


def _issue_reset_code(admin_http, user) -> str:
    response = admin_http.post(reverse("staff_sign_in_reset", kwargs={"user_uuid": user.uuid}))
    assert response.status_code == 200
    match = re.search(r"<code>([A-Z0-9-]+)</code>", response.content.decode())
    assert match, "the code is shown once on the page"
    return match.group(1)


def _redeem(username, code, password=NEW_PASSWORD):
    response = HttpClient().post(
        reverse("reset_with_code"),
        {
            "username": username,
            "code": code,
            "new_password1": password,
            "new_password2": password,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.fixture
def authored(alice, client_record, write_note):
    """Alice signs in once (her key is made then) and has two notes."""
    sign_in("alice", PASSWORD)
    return [
        write_note(alice, client_record, text=_SECRET),
        write_note(alice, client_record, text="Second"),
    ]


def test_an_admin_reset_then_sign_in_as_the_clinician_shows_only_sealed_notes(
    alice, ada, client_record, authored, login
):
    admin = login(ada)
    # The lost-phone reset and a reset code: the only ways an admin has now.
    admin.post(reverse("staff_mfa_reset", kwargs={"user_uuid": alice.uuid}))
    code = _issue_reset_code(admin, alice)
    _redeem("alice", code)

    # The admin (or whoever holds the code) signs in as Alice and enrols an app.
    attacker = sign_in("alice", NEW_PASSWORD)
    listing = attacker.get(
        reverse("psychotherapy:list", kwargs={"client_uuid": client_record.uuid})
    )
    page = listing.content.decode()
    assert listing.status_code == 200
    assert page.count("Sealed</span>") == len(authored)
    assert "Readable</span>" not in page
    for note in authored:
        for name in ("psychotherapy:detail", "psychotherapy:edit"):
            response = attacker.get(reverse(name, kwargs={"note_uuid": note.uuid}))
            body = response.content.decode()
            assert SECRET not in body and "Second" not in body
            assert "Sealed" in body
        assert (
            attacker.post(
                reverse("psychotherapy:edit", kwargs={"note_uuid": note.uuid}),
                {"text": "overwritten"},
            ).status_code
            == 200
        )
    # Nothing was overwritten, and no new note can be written under a new key.
    assert (
        attacker.post(
            reverse("psychotherapy:create", kwargs={"client_uuid": client_record.uuid}),
            {"text": "planted"},
        ).status_code
        == 200
    )
    assert ProcessNote.objects.filter(author=alice).count() == 2
    assert AuthorKey.objects.filter(author=alice).count() == 1
    # The failed reads are in the audit trail as sealed.
    sealed_reads = AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_id=str(authored[0].uuid), detail__sealed=True
    )
    assert sealed_reads.exists()


def test_the_author_opens_their_notes_at_an_ordinary_sign_in(alice, client_record, authored):
    http = sign_in("alice", PASSWORD)
    listing = http.get(reverse("psychotherapy:list", kwargs={"client_uuid": client_record.uuid}))
    assert listing.content.decode().count("Readable</span>") == 2
    detail = http.get(reverse("psychotherapy:detail", kwargs={"note_uuid": authored[0].uuid}))
    assert SECRET in detail.content.decode()


def test_after_a_reset_the_author_unseals_with_the_previous_password(
    alice, ada, client_record, authored, login
):
    _redeem("alice", _issue_reset_code(login(ada), alice))
    http = sign_in("alice", NEW_PASSWORD)
    url = reverse("psychotherapy:detail", kwargs={"note_uuid": authored[0].uuid})
    assert SECRET not in http.get(url).content.decode()

    wrong = http.post(
        reverse("psychotherapy:unseal"), {"secret": "not-it", "current_password": NEW_PASSWORD}
    )
    assert wrong.status_code == 200 and "opens nothing" in wrong.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN_FAILED, detail__step="unseal"
    ).exists()

    done = http.post(
        reverse("psychotherapy:unseal"), {"secret": PASSWORD, "current_password": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert SECRET in http.get(url).content.decode()
    # From now on the new password opens them at sign-in, the old one no longer.
    assert SECRET in sign_in("alice", NEW_PASSWORD).get(url).content.decode()
    assert sealing.unlock_with_password(alice, PASSWORD) is None
    assert not SignInReset.objects.filter(
        user=alice, settled_at__isnull=True, used_at__isnull=False
    )


def test_changing_ones_own_password_rewraps_the_key(alice, client_record, authored):
    http = sign_in("alice", PASSWORD)
    response = http.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    url = reverse("psychotherapy:detail", kwargs={"note_uuid": authored[0].uuid})
    assert SECRET in http.get(url).content.decode()  # still open in this session
    assert SECRET in sign_in("alice", NEW_PASSWORD).get(url).content.decode()
    assert AuditEvent.objects.filter(detail__change="password_changed_by_user").exists()


def test_recovery_with_the_offline_key_restores_access_and_is_audited(
    alice, ada, client_record, recovery_pair, write_note, login
):
    sign_in("alice", PASSWORD)  # her key is made and wrapped to the recovery key
    note = write_note(alice, client_record)
    _redeem("alice", _issue_reset_code(login(ada), alice))
    # She has forgotten the previous password too: the practice runs a recovery.
    out = io.StringIO()
    call_command(
        "recover_process_notes",
        "alice",
        stdin=io.StringIO(f"# comment\n{recovery_pair}\n"),
        stdout=out,
    )
    code = re.search(r"^\s+([A-Z0-9]{5}(?:-[A-Z0-9]{5}){4})$", out.getvalue(), re.M).group(1)
    assert recovery_pair not in out.getvalue()
    event = AuditEvent.objects.filter(
        action=AuditAction.KEY_ROTATION, detail__operation="process_note_recovery"
    ).get()
    assert event.detail["author"] == str(alice.uuid)

    http = sign_in("alice", NEW_PASSWORD)
    url = reverse("psychotherapy:detail", kwargs={"note_uuid": note.uuid})
    assert SECRET not in http.get(url).content.decode()
    http.post(reverse("psychotherapy:unseal"), {"secret": code, "current_password": NEW_PASSWORD})
    assert SECRET in http.get(url).content.decode()
    # The code was for one use.
    assert not AuthorKey.objects.get(author=alice).handover_wrap


def test_a_wrong_recovery_key_opens_nothing(alice, client_record, recovery_pair, write_note):
    sign_in("alice", PASSWORD)
    write_note(alice, client_record)
    other_private, _ = sealing.new_recovery_key_pair()
    with pytest.raises(Exception, match="does not open"):
        call_command("recover_process_notes", "alice", stdin=io.StringIO(other_private + "\n"))
    assert not AuditEvent.objects.filter(detail__operation="process_note_recovery").exists()


def test_the_recovery_command_takes_no_key_argument():
    from notes.psychotherapy.management.commands.recover_process_notes import Command

    options = {a.dest for a in Command().create_parser("manage.py", "x")._actions}
    assert not {o for o in options if "key" in o}


def test_the_unwrapped_key_is_nowhere_in_the_database(alice, client_record, authored):
    http = sign_in("alice", PASSWORD)
    dek = sealing.unlock_with_password(alice, PASSWORD)
    needles = [dek, base64.b64encode(dek), base64.urlsafe_b64encode(dek), dek.hex().encode()]
    with connection.cursor() as cursor:
        cursor.execute("SELECT session_data FROM django_session")
        sessions = repr(cursor.fetchall()).encode()
        cursor.execute("SELECT * FROM psychotherapy_authorkey")
        keys = repr(cursor.fetchall()).encode()
    for needle in needles:
        assert needle not in sessions and needle not in keys
    # The session holds it only under the cookie's key: without the cookie, sealed.
    assert Session.objects.exists()
    http.cookies.pop(COOKIE_NAME)
    url = reverse("psychotherapy:detail", kwargs={"note_uuid": authored[0].uuid})
    assert SECRET not in http.get(url).content.decode()


def test_the_vault_cookie_is_httponly_and_goes_at_sign_out(alice, client_record, authored):
    http = HttpClient()
    response = http.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    out = http.post(reverse("logout"))
    assert out.cookies[COOKIE_NAME].value == ""


def test_notes_from_before_sealing_are_sealed_at_the_authors_next_sign_in(
    alice, client_record, write_note
):
    legacy = write_note(alice, client_record)
    token, key_id = crypto.encrypt("Written before sealing")
    ProcessNote.objects.filter(pk=legacy.pk).update(ciphertext=token, key_id=key_id, sealed_with="")
    AuthorKey.objects.filter(author=alice).delete()  # as before the migration

    http = sign_in("alice", PASSWORD)
    legacy.refresh_from_db()
    assert legacy.sealed_with == AuthorKey.objects.get(author=alice).key_id
    url = reverse("psychotherapy:detail", kwargs={"note_uuid": legacy.uuid})
    assert "Written before sealing" in http.get(url).content.decode()


def test_notes_from_before_sealing_are_not_sealed_under_a_reset_password(
    alice, ada, client_record, write_note, login
):
    legacy = write_note(alice, client_record)
    token, key_id = crypto.encrypt("Written before sealing")
    ProcessNote.objects.filter(pk=legacy.pk).update(ciphertext=token, key_id=key_id, sealed_with="")
    AuthorKey.objects.filter(author=alice).delete()

    _redeem("alice", _issue_reset_code(login(ada), alice))
    http = sign_in("alice", NEW_PASSWORD)
    legacy.refresh_from_db()
    assert legacy.sealed_with == ""
    url = reverse("psychotherapy:detail", kwargs={"note_uuid": legacy.uuid})
    assert "Written before sealing" not in http.get(url).content.decode()


def test_each_sign_in_gets_a_new_vault_key(alice, client_record, authored):
    http = HttpClient()
    first = http.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    # Signing in again in the same browser, with the vault cookie still there.
    second = http.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert first.cookies[COOKIE_NAME].value != second.cookies[COOKIE_NAME].value


def test_guessing_on_the_unseal_page_is_throttled(
    alice, ada, client_record, authored, login, settings
):
    _redeem("alice", _issue_reset_code(login(ada), alice))
    http = sign_in("alice", NEW_PASSWORD)
    url = reverse("psychotherapy:unseal")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        http.post(url, {"secret": "guess", "current_password": NEW_PASSWORD})
    # Even the right previous password is refused until the window has passed.
    refused = http.post(url, {"secret": PASSWORD, "current_password": NEW_PASSWORD})
    assert refused.status_code == 200 and "Too many wrong attempts" in refused.content.decode()
    detail = reverse("psychotherapy:detail", kwargs={"note_uuid": authored[0].uuid})
    assert SECRET not in http.get(detail).content.decode()
