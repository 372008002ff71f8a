"""Idle and absolute session time-outs, failed-login lockout, security headers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from practice.middleware import SESSION_LAST_SEEN_KEY, SESSION_STARTED_KEY
from practice.models import AuditAction, AuditEvent
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _age_session(http, key: str, seconds: int) -> None:
    session = http.session
    session[key] = session[key] - seconds
    session.save()


def test_idle_session_ends_audited_as_timeout(login, alice, client_record, settings):
    http = login(alice)
    chart = reverse("records:chart", args=[client_record.uuid])
    assert http.get(chart).status_code == 200
    _age_session(http, SESSION_LAST_SEEN_KEY, settings.SESSION_IDLE_SECONDS + 1)
    response = http.get(chart)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "Zebulon" not in response.content.decode()
    event = AuditEvent.objects.filter(action=AuditAction.LOGOUT, username="alice").last()
    assert event.detail == {"reason": "timeout"}
    # The session is gone, not just redirected once.
    assert http.get(chart)["Location"].startswith(reverse("login"))
    page = http.get(response["Location"])
    assert "minutes without activity" in page.content.decode()


def test_activity_keeps_the_session(login, alice, client_record, settings):
    http = login(alice)
    chart = reverse("records:chart", args=[client_record.uuid])
    _age_session(http, SESSION_LAST_SEEN_KEY, settings.SESSION_IDLE_SECONDS - 30)
    assert http.get(chart).status_code == 200  # refreshes the idle clock
    _age_session(http, SESSION_LAST_SEEN_KEY, 60)
    assert http.get(chart).status_code == 200


def test_absolute_limit_ends_even_an_active_session(login, alice, client_record, settings):
    http = login(alice)
    _age_session(http, SESSION_STARTED_KEY, settings.SESSION_ABSOLUTE_SECONDS + 1)
    response = http.get(reverse("records:chart", args=[client_record.uuid]))
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action=AuditAction.LOGOUT, username="alice").last()
    assert event.detail == {"reason": "absolute_limit"}


def test_status_does_not_count_as_activity_keepalive_does(login, alice, settings):
    http = login(alice)
    _age_session(http, SESSION_LAST_SEEN_KEY, 600)
    status = http.get(reverse("session_status")).json()
    assert status["signed_in"] and status["remaining"] <= settings.SESSION_IDLE_SECONDS - 600
    assert http.session[SESSION_LAST_SEEN_KEY] <= http.session[SESSION_STARTED_KEY]
    alive = http.post(reverse("session_keepalive"), HTTP_ACCEPT="application/json").json()
    assert alive["remaining"] >= settings.SESSION_IDLE_SECONDS - 2
    assert http.get(reverse("session_keepalive")).status_code == 405


def test_expired_session_gets_401_json(login, alice, settings):
    http = login(alice)
    _age_session(http, SESSION_LAST_SEEN_KEY, settings.SESSION_IDLE_SECONDS + 5)
    response = http.get(reverse("session_status"), HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert HttpClient().get(reverse("session_status")).status_code == 401


def test_browser_timeout_post_ends_the_session(login, alice, client_record):
    http = login(alice)
    chart = reverse("records:chart", args=[client_record.uuid])
    response = http.post(reverse("session_timeout"), {"next": chart})
    assert response["Location"] == f"{reverse('login')}?next={chart.replace('/', '%2F')}"
    assert http.get(chart).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, username="alice").last().detail == {
        "reason": "timeout"
    }


def test_pages_carry_the_idle_settings_for_the_warning_script(login, alice, settings):
    settings.SESSION_IDLE_SECONDS = 600
    html = login(alice).get(reverse("clients:caseload")).content.decode()
    assert 'data-session-idle="600"' in html
    assert "js/session.js" in html
    assert 'id="session-warning"' in html and "Stay signed in" in html


def test_the_warning_script_saves_drafts_before_signing_out():
    script = (ROOT / "static/js/session.js").read_text()
    assert 'new CustomEvent("ehr:session-expiring")' in script
    # The event comes before the sign-out form is submitted.
    assert script.index('CustomEvent("ehr:session-expiring")') < script.index(
        "setTimeout(endSession"
    )


# --- failed sign-ins ---------------------------------------------------------


def test_failed_logins_are_audited_and_lock_the_account(alice, settings):
    http = HttpClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        http.post(reverse("login"), {"username": "alice", "password": "wrong-password-1"})
    assert (
        AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, detail__username="alice").count()
        >= settings.AXES_FAILURE_LIMIT
    )
    # Now even the right password is refused from that address.
    again = HttpClient()
    response = again.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    assert "_auth_user_id" not in again.session
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN_FAILED, detail__locked_out=True
    ).exists()


def test_one_users_failures_do_not_lock_colleagues_behind_the_same_address(
    alice, bob, settings
):
    # Issue 13, attack 6: behind the reverse proxy every user shares one
    # address; the lock is on username + address, never on the bare address.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        HttpClient().post(reverse("login"), {"username": "alice", "password": "wrong-password-1"})
    for name in ("mallory", "nobody", "x"):
        HttpClient().post(reverse("login"), {"username": name, "password": "wrong-password-1"})
    colleague = HttpClient()
    response = colleague.post(reverse("login"), {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302
    assert colleague.session["_auth_user_id"] == str(bob.pk)
    assert HttpClient().post(
        reverse("login"), {"username": "alice", "password": PASSWORD}
    ).status_code == 429


def test_a_few_typos_do_not_lock(alice, settings):
    http = HttpClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        http.post(reverse("login"), {"username": "alice", "password": "typo"})
    response = http.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302


def test_passwords_are_hashed_with_argon2_in_production():
    # The settings module itself: the tests swap in a fast hasher at run time.
    from practice import settings as live

    assert live.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    names = [v["NAME"].rsplit(".", 1)[1] for v in live.AUTH_PASSWORD_VALIDATORS]
    assert {"MinimumLengthValidator", "CommonPasswordValidator"} <= set(names)


# --- headers -----------------------------------------------------------------


def test_security_headers_on_a_phi_page(login, alice, client_record):
    response = login(alice).get(reverse("records:chart", args=[client_record.uuid]))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_no_template_has_inline_script_style_or_handlers():
    import re

    bad = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle\s*=|\son[a-z]+\s*=", re.I)
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in (ROOT / "templates").rglob("*.html")
        for match in bad.finditer(path.read_text())
    ]
    assert offenders == []


def test_hsts_on_https_when_not_debug(login, alice, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = login(alice).get(reverse("clients:caseload"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def _production_env(**extra) -> dict:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "false",
        "SECRET_KEY": "k" * 20 + "-production-like-" + "x9Q2" * 10,
        "ALLOWED_HOSTS": "ehr.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://ehr.example.org",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_PROXY_SSL_HEADER": "true",
        "SECURE_HSTS_PRELOAD": "true",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:////tmp/ehr-check.sqlite3"),
        # No var/local.env: everything from the environment, as in production.
        "EHR_ENV_FILE": "/nonexistent",
        "AUDIT_HMAC_KEY": "a" * 16 + "-audit-hmac-key-" + "Z7" * 12,
        "SIGNED_RECORD_HMAC_KEY": "s" * 16 + "-record-hmac-key-" + "Q3" * 12,
        # The public half of the practice's process-note recovery key pair.
        "PROCESS_NOTES_RECOVERY_PUBLIC_KEY": "RerNl6J2+ecRwjtTtwC+bV4ImqTHQXKnzQdIKiZNUHI=",
    }
    env.update(extra)
    return env


def _check_deploy(env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings():
    result = _check_deploy(_production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_flags_the_demo_mfa_exemption():
    result = _check_deploy(_production_env(MFA_EXEMPT_USERNAMES="clinician"))
    assert result.returncode != 0
    assert "practice.W001" in result.stdout + result.stderr


def test_check_deploy_warns_without_a_recovery_key_and_refuses_a_malformed_one():
    missing = _check_deploy(_production_env(PROCESS_NOTES_RECOVERY_PUBLIC_KEY=""))
    assert missing.returncode != 0
    assert "psychotherapy.W001" in missing.stdout + missing.stderr
    bad = _check_deploy(_production_env(PROCESS_NOTES_RECOVERY_PUBLIC_KEY="not-a-key"))
    assert bad.returncode != 0
    assert "PROCESS_NOTES_RECOVERY_PUBLIC_KEY must be the base64" in bad.stderr


@pytest.mark.parametrize("value", ["yes", "flase"])
def test_strict_booleans_for_security_switches(value):
    result = _check_deploy(_production_env(SECURE_SSL_REDIRECT=value))
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT must be true or false" in result.stderr


def test_practice_admin_sees_and_lifts_a_lockout_audited(login, ada, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        HttpClient().post(reverse("login"), {"username": "alice", "password": "nope-nope-1"})
    admin = login(ada)
    page = admin.get(reverse("staff_edit", args=[alice.uuid])).content.decode()
    assert "Sign-in locked" in page
    assert admin.post(reverse("staff_unlock", args=[alice.uuid])).status_code == 302
    response = HttpClient().post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(
        action=AuditAction.PERMISSION_CHANGE, detail__change="unlock_sign_in", username="ada"
    ).exists()
    assert (
        "Sign-in locked" not in admin.get(reverse("staff_edit", args=[alice.uuid])).content.decode()
    )


def test_only_admins_unlock(login, people, alice):
    for who in ("alice", "fran", "audrey", "root"):
        assert (
            login(people[who]).post(reverse("staff_unlock", args=[alice.uuid])).status_code == 403
        )
