"""Only the author: every other person, whatever their role, gets a 404."""

import re

import pytest
from django.urls import reverse
from guardian.shortcuts import remove_perm

from clients import services as client_services
from clients.models import CareTeamMember, CareTeamRole
from notes.psychotherapy.models import ProcessNote
from practice.models import AuditAction, AuditEvent
from tests.psychotherapy.conftest import SECRET

pytestmark = pytest.mark.django_db

OUTSIDERS = ["bob", "sue", "sam", "fran", "bill", "audrey", "ada", "root"]


def _urls(note):
    return {
        "list": reverse("psychotherapy:list", args=[note.client.uuid]),
        "new": reverse("psychotherapy:create", args=[note.client.uuid]),
        "detail": reverse("psychotherapy:detail", args=[note.uuid]),
        "edit": reverse("psychotherapy:edit", args=[note.uuid]),
        "delete": reverse("psychotherapy:delete", args=[note.uuid]),
    }


def _assert_denial_audited_without_text(user, note):
    events = AuditEvent.objects.filter(user=user, action=AuditAction.ACCESS_DENIED)
    assert events.exists()
    for event in events:
        assert event.object_type == "psychotherapy.processnote"
        assert SECRET not in repr(event.detail)
        assert "Lorenzo" not in repr(event.detail)


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("page", ["list", "new", "detail", "edit", "delete"])
def test_everyone_but_the_author_gets_404_on_get(people, note, login, who, page):
    response = login(people[who]).get(_urls(note)[page])
    assert response.status_code == 404
    assert b"Lorenzo" not in response.content
    _assert_denial_audited_without_text(people[who], note)


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("page", ["new", "edit", "delete"])
def test_everyone_but_the_author_gets_404_on_post_and_nothing_changes(
    people, note, login, who, page
):
    before = ProcessNote.objects.values_list("uuid", "ciphertext", "key_id").get()
    response = login(people[who]).post(
        _urls(note)[page], {"text": "overwritten by someone else", "session_date": ""}
    )
    assert response.status_code == 404
    assert list(ProcessNote.objects.values_list("uuid", "ciphertext", "key_id")) == [before]


def test_the_404_is_the_same_as_for_a_note_that_does_not_exist(bob, note, login):
    http = login(bob)
    real = http.get(reverse("psychotherapy:detail", args=[note.uuid]))
    fake = http.get(reverse("psychotherapy:detail", args=["00000000-0000-4000-8000-000000000000"]))
    assert real.status_code == fake.status_code == 404

    # Identical apart from the per-response CSRF token of the sign-out form.
    def strip_token(content):
        return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)

    assert strip_token(real.content) == strip_token(fake.content)


@pytest.mark.parametrize("page", ["detail", "edit", "delete"])
def test_supervisor_on_the_care_team_cannot_read_a_supervisees_note(
    sue, sams_note, sams_client, login, page
):
    # Sue is on the care team as Sam's supervisor: she can co-sign his progress
    # notes, but his process notes stay his.
    assert CareTeamMember.objects.filter(client=sams_client, clinician=sue).exists()
    response = login(sue).get(_urls(sams_note)[page])
    assert response.status_code == 404
    _assert_denial_audited_without_text(sue, sams_note)


def test_supervisors_own_list_never_shows_the_supervisees_notes(sue, sams_note, login):
    response = login(sue).get(reverse("psychotherapy:list", args=[sams_note.client.uuid]))
    assert response.status_code == 200
    assert str(sams_note.uuid).encode() not in response.content
    assert b"no process notes" in response.content


def test_a_colleague_on_the_same_care_team_gets_404_on_the_authors_note(
    bob, ada, note, client_record, login
):
    client_services.care_team_add(
        client=client_record, clinician=bob, actor=ada, role=CareTeamRole.MEMBER
    )
    http = login(bob)
    for page in ("detail", "edit", "delete"):
        assert http.get(_urls(note)[page]).status_code == 404
    listing = http.get(_urls(note)["list"])
    assert listing.status_code == 200
    assert str(note.uuid).encode() not in listing.content


def test_a_superuser_clinician_on_the_care_team_still_cannot_read_anothers_note(
    root, ada, note, client_record, login
):
    from django.contrib.auth.models import Group

    root.groups.add(Group.objects.get(name="clinician"))
    root = type(root).objects.get(pk=root.pk)
    client_services.care_team_add(
        client=client_record, clinician=root, actor=ada, role=CareTeamRole.MEMBER
    )
    http = login(root)
    for page in ("detail", "edit", "delete"):
        assert http.get(_urls(note)[page]).status_code == 404


def test_the_author_off_the_care_team_loses_access_until_added_back(
    alice, ada, note, client_record, login
):
    member = CareTeamMember.objects.get(client=client_record, clinician=alice)
    client_services.care_team_remove(member=member, actor=ada)
    assert login(alice).get(_urls(note)["detail"]).status_code == 404
    client_services.care_team_add(
        client=client_record, clinician=alice, actor=ada, role=CareTeamRole.PRIMARY
    )
    assert login(alice).get(_urls(note)["detail"]).status_code == 200


def test_the_author_without_the_guardian_grant_gets_404(alice, note, login):
    remove_perm("view_processnote", alice, note)
    assert login(alice).get(_urls(note)["detail"]).status_code == 404
    assert login(alice).get(_urls(note)["edit"]).status_code == 200  # change is separate


def test_no_role_group_carries_a_process_note_permission():
    from django.contrib.auth.models import Group

    assert not Group.objects.filter(permissions__content_type__app_label="psychotherapy").exists()


def test_grants_on_a_note_belong_to_its_author_alone(people, note):
    from guardian.shortcuts import get_users_with_perms

    holders = get_users_with_perms(note, with_superusers=False, with_group_users=True)
    assert list(holders) == [people["alice"]]


def test_anonymous_visitors_are_sent_to_login(client, note):
    response = client.get(reverse("psychotherapy:detail", args=[note.uuid]))
    assert response.status_code == 302
    assert "/login" in response.url
