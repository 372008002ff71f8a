"""Every role's access to a progress note: allowed and denied, 404 versus 403, all audited."""

import pytest

from practice.models import AuditEvent
from tests.notes.conftest import BODY

pytestmark = pytest.mark.django_db

ROLES = ["alice", "bob", "sue", "sam", "fran", "bill", "audrey", "ada", "root"]

# Reading Alice's signed note (Sam and his supervisor Sue are on the care team).
READ_SIGNED = {
    "alice": 200,
    "sue": 200,
    "sam": 200,
    "audrey": 200,
    "bill": 200,  # billing fields only, see below
    "fran": 403,
    "ada": 403,
    "bob": 404,
    "root": 404,
}
ADDEND_SIGNED = {
    "alice": 302,
    "sue": 302,
    "sam": 302,
    "audrey": 403,
    "bill": 403,
    "fran": 403,
    "ada": 403,
    "bob": 404,
    "root": 404,
}
EDIT_SIGNED = {**{k: 403 for k in ROLES}, "bob": 404, "root": 404}
START_NOTE = {
    "alice": 200,
    "sue": 200,
    "sam": 200,
    "audrey": 403,
    "bill": 403,
    "fran": 403,
    "ada": 403,
    "bob": 404,
    "root": 404,
}


@pytest.fixture
def signed_on_team(team, signed):
    return signed


@pytest.mark.parametrize("who", ROLES)
def test_reading_a_signed_note(who, people, signed_on_team, login):
    note = signed_on_team
    before = AuditEvent.objects.count()
    response = login(people[who]).get(f"/notes/{note.uuid}/")
    assert response.status_code == READ_SIGNED[who]
    html = response.content.decode()
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() > before
    if response.status_code == 200:
        assert event.action == "view" and event.object_id == str(note.uuid)
        if who == "bill":
            assert BODY not in html and "Risk narrative" not in html
            assert "90837" in html and "F41.1" in html and "Alice Adams" in html
            assert "53 min" in html
            assert event.detail["level"] == "billing"
        else:
            assert BODY in html
            assert event.detail["level"] == "full"
    else:
        assert BODY not in html
        assert event.action == "access_denied"
        assert event.client_uuid == note.client.uuid


@pytest.mark.parametrize("who", ROLES)
def test_a_draft_exists_only_for_its_author(who, people, team, draft, login):
    http = login(people[who])
    expected = 200 if who == "alice" else 404
    assert http.get(f"/notes/{draft.uuid}/").status_code == expected
    assert http.get(f"/notes/{draft.uuid}/edit/").status_code == expected
    assert http.get(f"/notes/{draft.uuid}/sign/").status_code == expected
    response = http.post(f"/notes/{draft.uuid}/autosave/", {})
    assert response.status_code == (400 if who == "alice" else 404)
    if who != "alice":
        # Outsiders are refused at the client (clients.access), insiders at the note.
        denied = AuditEvent.objects.filter(action="access_denied", user=people[who])
        assert denied.count() == 4
        assert denied.filter(object_id=str(draft.uuid)).exists() == (who not in ("bob", "root"))


@pytest.mark.parametrize("who", ROLES)
def test_nobody_edits_a_signed_note(who, people, signed_on_team, login):
    http = login(people[who])
    assert http.get(f"/notes/{signed_on_team.uuid}/edit/").status_code == EDIT_SIGNED[who]
    assert http.post(f"/notes/{signed_on_team.uuid}/sign/").status_code == EDIT_SIGNED[who]


@pytest.mark.parametrize("who", ROLES)
def test_adding_an_addendum(who, people, signed_on_team, login):
    response = login(people[who]).post(
        f"/notes/{signed_on_team.uuid}/addenda/", {"text": f"addendum by {who}"}
    )
    assert response.status_code == ADDEND_SIGNED[who]
    assert signed_on_team.addenda.filter(text=f"addendum by {who}").exists() == (
        response.status_code == 302
    )


@pytest.mark.parametrize("who", ROLES)
def test_starting_a_note_from_the_chart(who, people, team, login):
    http = login(people[who])
    assert http.get(f"/notes/client/{team.uuid}/new/").status_code == START_NOTE[who]
    chart = http.get(f"/clients/{team.uuid}/")
    if chart.status_code == 200:
        assert ("New progress note" in chart.content.decode()) == (START_NOTE[who] == 200)


@pytest.mark.parametrize("who", ROLES)
def test_the_chart_lists_notes_only_to_readers(who, people, signed_on_team, login):
    response = login(people[who]).get(f"/clients/{signed_on_team.client.uuid}/")
    html = response.content.decode()
    if READ_SIGNED[who] == 200:
        assert 'id="progress-notes"' in html
        assert str(signed_on_team.uuid) in html
    else:
        assert str(signed_on_team.uuid) not in html
    assert BODY not in html  # the chart list never shows note bodies


def test_a_supervisor_outside_the_care_team_gets_a_404(client_record, signed, sue, login):
    # Sue supervises nobody on this client's team, so it is not on her caseload.
    assert login(sue).get(f"/notes/{signed.uuid}/").status_code == 404


def test_a_clinician_removed_from_the_care_team_loses_their_draft(team, draft, alice, ada, login):
    from clients import services as client_services

    member = team.care_team.get(clinician=alice)
    client_services.care_team_remove(member=member, actor=ada)
    assert login(alice).get(f"/notes/{draft.uuid}/edit/").status_code == 404


def test_unknown_note_is_404(alice, login):
    import uuid

    assert login(alice).get(f"/notes/{uuid.uuid4()}/").status_code == 404


def test_anonymous_users_are_sent_to_sign_in(signed, client):
    response = client.get(f"/notes/{signed.uuid}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
