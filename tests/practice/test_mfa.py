"""Two-factor sign-in: a password alone reaches no page with PHI."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from practice.models import AuditAction, AuditEvent, PracticeSettings
from tests.factories import PASSWORD


def code_for(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def password_only(user) -> HttpClient:
    """Sign in through the real login form, stopping before the second factor."""
    http = HttpClient()
    response = http.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return http


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("records:chart", "client"),
        ("clients:list", None),
        ("clients:caseload", None),
        ("clients:audit", "client"),
        ("staff_list", None),
        ("home", None),
    ],
)
def test_a_password_only_session_reaches_no_page(alice, client_record, name, kwargs):
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    http = password_only(alice)
    url = reverse(name, args=[client_record.uuid] if kwargs else [])
    response = http.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_verify"))
    assert "Zebulon" not in response.content.decode()
    # A write is refused the same way.
    assert http.post(reverse("clients:edit", args=[client_record.uuid]), {}).status_code == 302
    assert http.get(reverse("records:chart", args=[client_record.uuid]), follow=True).templates[
        0
    ].name == ("registration/mfa_verify.html")


def test_every_role_must_enrol_before_any_page(people, client_record):
    for user in people.values():
        http = password_only(user)
        response = http.get(reverse("clients:list"))
        assert response.status_code == 302, user.username
        assert response["Location"].startswith(reverse("mfa_setup"))


def test_json_requests_get_401_without_the_second_factor(alice):
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    http = password_only(alice)
    response = http.get(reverse("clients:list"), HTTP_ACCEPT="application/json")
    assert response.status_code == 401


def test_enrolment_shows_an_inline_qr_confirms_with_a_code_and_shows_backup_codes(alice):
    http = password_only(alice)
    page = http.get(reverse("mfa_setup"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "<img" not in html  # inline, no external QR service
    assert "otpauth" not in html  # the secret is not echoed as a URL either
    device = TOTPDevice.objects.get(user=alice, confirmed=False)

    wrong = http.post(reverse("mfa_setup"), {"code": "000000"})
    assert "did not match" in wrong.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)

    done = http.post(reverse("mfa_setup"), {"code": code_for(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    for code in codes:
        assert code in done.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    # The session is verified now; the chart list opens.
    assert http.get(reverse("clients:list")).status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="practice.mfa", detail__mfa="enrolled"
    ).exists()
    # Codes are shown once: the status page never lists them again.
    status = http.get(reverse("mfa_setup")).content.decode()
    assert codes[0] not in status and "Backup codes left: <strong>10</strong>" in status


def test_verify_with_totp_then_backup_code_once(alice):
    device = TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    http = password_only(alice)
    bad = http.post(reverse("mfa_verify"), {"code": "123456"})
    assert bad.status_code == 200 and "did not match" in bad.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN_FAILED, username="alice", detail__step="mfa"
    ).exists()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    ok = http.post(reverse("mfa_verify"), {"code": code_for(device), "next": "/clients/"})
    assert ok.status_code == 302 and ok["Location"] == "/clients/"
    assert http.get(reverse("clients:list")).status_code == 200

    # A backup code works once.
    from practice import mfa

    codes = mfa._new_backup_codes(alice)
    for expected in (302, 200):
        other = password_only(alice)
        response = other.post(reverse("mfa_verify"), {"code": codes[0]})
        assert response.status_code == expected
    assert StaticToken.objects.filter(token=codes[0]).count() == 0


def test_verify_refuses_an_offsite_next(alice):
    device = TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    http = password_only(alice)
    response = http.post(
        reverse("mfa_verify"), {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_wrong_codes_are_throttled(alice):
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    http = password_only(alice)
    http.post(reverse("mfa_verify"), {"code": "111111"})
    second = http.post(reverse("mfa_verify"), {"code": "222222"})
    assert "Too many wrong codes" in second.content.decode()


def test_practice_setting_off_lets_unenrolled_users_in_but_not_enrolled_ones(alice, bob):
    PracticeSettings.objects.filter(pk=PracticeSettings.load().pk).update(require_mfa=False)
    assert password_only(bob).get(reverse("clients:caseload")).status_code == 200
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    assert password_only(alice).get(reverse("clients:caseload")).status_code == 302


def test_demo_exemption_comes_from_the_environment_setting(settings, alice, bob):
    settings.MFA_EXEMPT_USERNAMES = ["alice"]
    assert password_only(alice).get(reverse("clients:caseload")).status_code == 200
    assert password_only(bob).get(reverse("clients:caseload")).status_code == 302


def test_admin_resets_mfa_audited(login, ada, alice):
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    http = login(ada)
    page = http.get(reverse("staff_edit", args=[alice.uuid]))
    assert "Reset two-factor sign-in" in page.content.decode()
    response = http.post(reverse("staff_mfa_reset", args=[alice.uuid]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists()
    event = AuditEvent.objects.get(action=AuditAction.PERMISSION_CHANGE, object_id=str(alice.uuid))
    assert event.username == "ada" and event.detail["change"] == "mfa_reset"
    # Alice must enrol again.
    assert (
        password_only(alice)
        .get(reverse("clients:caseload"))["Location"]
        .startswith(reverse("mfa_setup"))
    )


@pytest.mark.parametrize("who", ["alice", "fran", "audrey", "root"])
def test_only_practice_admins_reset_mfa(login, people, who):
    target = people["bob"]
    TOTPDevice.objects.create(user=target, name="phone", confirmed=True)
    response = login(people[who]).post(reverse("staff_mfa_reset", args=[target.uuid]))
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=target, name="phone").exists()


def test_mfa_reset_is_post_only(login, ada, alice):
    assert login(ada).get(reverse("staff_mfa_reset", args=[alice.uuid])).status_code == 405


def test_backup_codes_can_be_regenerated_old_ones_stop(login, alice):
    from practice import mfa

    old = mfa._new_backup_codes(alice)
    http = login(alice)
    response = http.post(reverse("mfa_backup_codes"))
    new = response.context["codes"]
    assert set(new).isdisjoint(old)
    assert not StaticToken.objects.filter(token__in=old).exists()


def test_otp_secrets_are_not_in_the_operator_admin():
    from django.contrib import admin
    from django_otp.plugins.otp_static.models import StaticDevice

    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)


def test_operator_admin_also_needs_the_second_factor(root):
    TOTPDevice.objects.create(user=root, name="phone", confirmed=True)
    response = password_only(root).get("/operator/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_verify"))


def test_passing_the_second_factor_gives_a_new_session_id(alice):
    device = TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    http = password_only(alice)
    before = http.cookies["sessionid"].value
    http.post(reverse("mfa_verify"), {"code": code_for(device)})
    assert http.cookies["sessionid"].value != before
    assert http.get(reverse("clients:caseload")).status_code == 200


def test_a_reset_ends_verified_sessions_of_that_user(login, ada, alice):
    http = login(alice)
    assert http.get(reverse("clients:caseload")).status_code == 200
    login(ada).post(reverse("staff_mfa_reset", args=[alice.uuid]))
    response = http.get(reverse("clients:caseload"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_setup"))
