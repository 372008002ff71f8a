"""Credential changes are the user's own (issue 13, attacks 1, 2, 3 and 11).

- no admin sets another user's password: a one-time reset code instead;
- the user sees at sign-in who reset their sign-in and when;
- admins do not manage superusers or other admins, and /staff/ hides superusers;
- every change in /operator/ is in the audit trail; groups are not editable there;
- password change and reset are audited; the e-mail reset is off by default.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client as HttpClient
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from practice.models import AuditAction, AuditEvent, SignInReset, User
from practice.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "my-own-Choice-of-pass-42"


def _staff_form(user, **changes):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "credentials": user.credentials,
        "license_number": "",
        "npi": "",
        "supervisor": "",
        "role": user.role,
        "is_active": "on",
    }
    data.update(changes)
    return data


def _issue(http, user) -> str:
    response = http.post(reverse("staff_sign_in_reset", kwargs={"user_uuid": user.uuid}))
    assert response.status_code == 200
    return re.search(r"<code>([A-Z0-9-]+)</code>", response.content.decode()).group(1)


def _redeem(username, code, password=NEW_PASSWORD):
    return HttpClient().post(
        reverse("reset_with_code"),
        {"username": username, "code": code, "new_password1": password, "new_password2": password},
    )


# --- Attack 1: the staff form set a clinician's password ----------------------


def test_the_staff_form_cannot_set_a_password(login, ada, alice):
    response = login(ada).post(
        reverse("staff_edit", kwargs={"user_uuid": alice.uuid}),
        _staff_form(alice, password=NEW_PASSWORD),
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert not alice.check_password(NEW_PASSWORD)
    assert alice.check_password(PASSWORD)


def test_a_new_account_has_no_password_and_its_code_is_shown_once(login, ada):
    http = login(ada)
    response = http.post(
        reverse("staff_create"),
        {
            "username": "newbie",
            "first_name": "New",
            "last_name": "Person",
            "role": Role.FRONT_DESK,
            "is_active": "on",
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    newbie = User.objects.get(username="newbie")
    assert not newbie.has_usable_password()
    code = re.search(r"<code>([A-Z0-9-]+)</code>", response.content.decode()).group(1)
    reset = SignInReset.objects.get(user=newbie)
    assert code not in reset.code_hash and len(reset.code_hash) == 64
    assert _redeem("newbie", code).status_code == 302
    newbie.refresh_from_db()
    assert newbie.check_password(NEW_PASSWORD)


def test_a_reset_code_works_once_and_only_before_it_expires(login, ada, alice):
    http = login(ada)
    code = _issue(http, alice)
    assert _redeem("alice", code).status_code == 302
    again = _redeem("alice", code, password="yet-another-Pass-77")
    assert again.status_code == 200 and "not valid" in again.content.decode()

    late = _issue(http, alice)
    SignInReset.objects.filter(used_at__isnull=True).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert _redeem("alice", late).status_code == 200
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.LOGIN_FAILED, detail__step="reset_code"
        ).count()
        == 2
    )


def test_redeeming_a_code_removes_the_authenticator_and_is_audited(login, ada, alice):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    login(alice)  # she has an authenticator
    assert TOTPDevice.objects.filter(user=alice).exists()
    _redeem("alice", _issue(login(ada), alice))
    assert not TOTPDevice.objects.filter(user=alice).exists()
    issued = AuditEvent.objects.get(detail__change="sign_in_reset_issued")
    assert issued.username == "ada" and issued.object_id == str(alice.uuid)
    assert AuditEvent.objects.filter(detail__change="password_set_with_reset_code").exists()


def test_at_sign_in_the_user_sees_who_reset_their_sign_in(login, ada, alice):
    ada.first_name, ada.last_name = "Ada", "Admin"
    ada.save()
    login(alice)  # she has an authenticator (lost with her phone)
    login(ada).post(reverse("staff_mfa_reset", kwargs={"user_uuid": alice.uuid}))
    http = HttpClient()
    http.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    page = http.get(reverse("mfa_setup")).content.decode()
    assert "was reset by Ada Admin (ada)" in page
    assert timezone.localtime().strftime("%d %b %Y") in page


# --- Attack 2: an admin became the superuser ---------------------------------


def test_the_staff_list_does_not_show_superusers(login, ada, root):
    page = login(ada).get(reverse("staff_list")).content.decode()
    assert f"/staff/{root.uuid}/" not in page
    assert ">root<" not in page


def test_an_admin_cannot_open_reset_or_edit_a_superuser(login, ada, root):
    http = login(ada)
    password_before = User.objects.get(pk=root.pk).password
    assert http.get(reverse("staff_edit", kwargs={"user_uuid": root.uuid})).status_code == 404
    for name in ("staff_edit", "staff_sign_in_reset", "staff_mfa_reset", "staff_unlock"):
        response = http.post(
            reverse(name, kwargs={"user_uuid": root.uuid}),
            _staff_form(root, role=Role.FRONT_DESK, password=NEW_PASSWORD),
        )
        assert response.status_code == 404, name
    root.refresh_from_db()
    assert root.password == password_before
    assert not SignInReset.objects.filter(user=root).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, object_id=str(root.uuid)
    ).exists()


def test_an_admin_cannot_edit_or_reset_another_admin(login, ada):
    other = UserFactory(username="adam", role=Role.PRACTICE_ADMIN)
    http = login(ada)
    assert http.get(reverse("staff_edit", kwargs={"user_uuid": other.uuid})).status_code == 403
    response = http.post(
        reverse("staff_edit", kwargs={"user_uuid": other.uuid}),
        _staff_form(other, role=Role.CLINICIAN),
    )
    assert response.status_code == 403
    assert (
        http.post(reverse("staff_sign_in_reset", kwargs={"user_uuid": other.uuid})).status_code
        == 403
    )
    other.refresh_from_db()
    assert other.role == Role.PRACTICE_ADMIN


def test_an_admin_cannot_make_anyone_an_admin(login, ada, alice):
    response = login(ada).post(
        reverse("staff_edit", kwargs={"user_uuid": alice.uuid}),
        _staff_form(alice, role=Role.PRACTICE_ADMIN),
    )
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    alice.refresh_from_db()
    assert alice.role == Role.CLINICIAN


# --- Attack 3: operator actions left no audit event ---------------------------


def _admin_change_data(user, **changes):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "groups": [g.pk for g in user.groups.all()],
        "credentials": "",
        "license_number": "",
        "npi": "",
        "supervisor": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_a_superuser_adding_itself_to_a_role_group_is_audited(login, root):
    auditor = Group.objects.get(name=Role.AUDITOR)
    http = login(root)
    url = reverse("admin:practice_user_change", args=[root.pk])
    response = http.post(url, _admin_change_data(root, groups=[auditor.pk]))
    assert response.status_code == 302, response.content.decode()[:3000]
    root.refresh_from_db()
    assert root.groups.filter(name=Role.AUDITOR).exists()
    event = AuditEvent.objects.get(action=AuditAction.PERMISSION_CHANGE, object_id=str(root.uuid))
    assert event.username == "root"
    assert event.detail["groups_to"] == [Role.AUDITOR] and event.detail["self"] is True
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, detail__via="operator_console", object_id=str(root.uuid)
    ).exists()


def test_the_operator_cannot_set_a_password(login, root, alice):
    http = login(root)
    url = reverse("admin:auth_user_password_change", args=[alice.pk])
    response = http.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 403
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    add = http.post(
        reverse("admin:practice_user_add"),
        {"username": "ghost", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert add.status_code == 302
    assert not User.objects.get(username="ghost").has_usable_password()
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, detail__via="operator_console"
    ).exists()


def test_groups_and_permissions_are_not_editable_in_the_operator_console(login, root):
    http = login(root)
    for path in ("/operator/auth/group/", "/operator/auth/permission/"):
        assert http.get(path).status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("admin:auth_group_changelist")


def test_every_registered_operator_admin_is_audited():
    from django.contrib import admin

    for model, model_admin in admin.site._registry.items():
        assert getattr(model_admin, "audited_in_trail", False), model


# --- Attack 11: password reset and change were open and unaudited -------------


def test_the_email_password_reset_is_not_mounted_without_email(client):
    for name in ("password_reset", "password_reset_done", "password_reset_complete"):
        with pytest.raises(NoReverseMatch):
            reverse(name)
    assert client.get("/accounts/password_reset/").status_code == 404
    assert client.post("/accounts/password_reset/", {"email": "a@b.c"}).status_code == 404


def test_changing_ones_password_is_audited_and_a_wrong_old_one_too(login, alice):
    http = login(alice)
    wrong = http.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN_FAILED, detail__step="password_change_old_password"
    ).exists()
    done = http.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    event = AuditEvent.objects.get(detail__change="password_changed_by_user")
    assert event.username == "alice"
