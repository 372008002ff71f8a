import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from practice.models import AuditAction, AuditEvent, User
from practice.roles import CARE_TEAM_PERMISSIONS, ROLE_PERMISSIONS, Role

pytestmark = pytest.mark.django_db


def test_every_role_group_exists_with_exactly_its_permissions():
    for role, perms in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        have = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert have == set(perms), role


def test_every_listed_permission_exists():
    listed = {p for perms in ROLE_PERMISSIONS.values() for p in perms} | set(CARE_TEAM_PERMISSIONS)
    for dotted in listed:
        app_label, codename = dotted.split(".")
        assert Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).exists(), dotted


def test_clinicians_have_no_practice_wide_client_access():
    assert (
        not Group.objects.get(name=Role.CLINICIAN)
        .permissions.filter(codename="view_client")
        .exists()
    )


@pytest.mark.parametrize("who", ["alice", "sue", "fran", "bill", "audrey", "root"])
def test_only_practice_admins_manage_staff(people, login, who):
    response = login(people[who]).get(reverse("staff_list"))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, user=people[who]).exists()


def test_admin_creates_a_user_with_a_role(ada, login):
    http = login(ada)
    assert http.get(reverse("staff_list")).status_code == 200
    response = http.post(
        reverse("staff_create"),
        {
            "username": "newdoc",
            "first_name": "New",
            "last_name": "Doc",
            "email": "newdoc@example.invalid",
            "credentials": "LMFT",
            "role": "clinician",
            "is_active": "on",
        },
    )
    # The page shows the one-time reset code; the admin never sets a password.
    assert response.status_code == 200, response.content
    assert b"One-time reset code" in response.content
    user = User.objects.get(username="newdoc")
    assert user.role == "clinician"
    assert not user.has_usable_password()
    assert AuditEvent.objects.filter(
        action=AuditAction.PERMISSION_CHANGE, object_id=str(user.uuid)
    ).exists()


def test_a_refused_form_keeps_what_was_typed(ada, alice, login):
    response = login(ada).post(
        reverse("staff_create"),
        {
            "username": "alice",  # taken
            "first_name": "Wendy",
            "last_name": "Weak",
            "role": "biller",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(first_name="Wendy").exists()
    assert b'value="Wendy"' in response.content
    assert b"already exists" in response.content


def test_admin_changes_a_role(ada, alice, login):
    login(ada).post(
        reverse("staff_edit", args=[alice.uuid]),
        {
            "username": "alice",
            "first_name": "Alice",
            "last_name": "Adams",
            "role": "supervisor",
            "is_active": "on",
        },
    )
    alice = User.objects.get(pk=alice.pk)
    assert alice.role == "supervisor"
    assert set(alice.groups.values_list("name", flat=True)) == {"supervisor"}
