"""Who can reach a client's chart, and what a refusal looks like."""

import pytest
from django.urls import reverse

from clients import services
from clients.models import CareTeamMember
from clients.selectors import client_search
from practice.models import AuditAction, AuditEvent
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

# who -> expected status of the chart page for a client on Alice's caseload
CHART = {
    "alice": 200,
    "bob": 404,
    "sue": 404,
    "sam": 404,
    "fran": 200,
    "bill": 200,
    "audrey": 200,
    "ada": 200,
    "root": 404,
}


@pytest.mark.parametrize("who,status", CHART.items())
def test_chart_access_by_role(people, client_record, login, who, status):
    response = login(people[who]).get(reverse("records:chart", args=[client_record.uuid]))
    assert response.status_code == status
    action = AuditAction.VIEW if status == 200 else AuditAction.ACCESS_DENIED
    assert AuditEvent.objects.filter(
        user=people[who], action=action, client_uuid=client_record.uuid
    ).exists()


def test_outsider_gets_the_same_404_as_for_a_client_that_does_not_exist(bob, client_record, login):
    http = login(bob)
    real = http.get(reverse("records:chart", args=[client_record.uuid]))
    fake = http.get(reverse("records:chart", args=["00000000-0000-4000-8000-000000000000"]))
    assert real.status_code == fake.status_code == 404
    assert client_record.legal_last_name.encode() not in real.content


@pytest.mark.parametrize(
    "who,sees", [("alice", True), ("audrey", True), ("bill", True), ("fran", False), ("ada", False)]
)
def test_diagnoses_are_shown_only_to_clinical_and_billing_roles(
    people, client_record, login, who, sees
):
    response = login(people[who]).get(reverse("records:chart", args=[client_record.uuid]))
    assert (b"Generalized anxiety disorder" in response.content) is sees


def test_unauthenticated_users_are_sent_to_login(client, client_record):
    response = client.get(reverse("records:chart", args=[client_record.uuid]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "who,count", [("alice", 1), ("bob", 0), ("sue", 0), ("root", 0), ("fran", 2), ("audrey", 2)]
)
def test_client_list_is_scoped_to_what_the_user_may_see(people, client_record, who, count):
    ClientFactory()  # a second client, on nobody's caseload
    assert client_search(people[who]).count() == count


def test_search_by_name_dob_and_mrn(fran, client_record):
    ClientFactory(legal_last_name="Other", date_of_birth="2001-01-01")
    assert list(client_search(fran, "casey zebulon")) == [client_record]
    assert list(client_search(fran, client_record.mrn)) == [client_record]
    assert list(client_search(fran, "1990-05-17")) == [client_record]
    assert list(client_search(fran, "05/17/1990")) == [client_record]


def test_search_page_does_not_log_the_search_text(fran, client_record, login):
    login(fran).get(reverse("clients:list"), {"q": "Casey"})
    event = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert "Casey" not in str(event.detail)
    assert event.detail == {"results": 1}


def test_removing_a_clinician_from_the_care_team_revokes_access(alice, ada, client_record, login):
    url = reverse("records:chart", args=[client_record.uuid])
    assert login(alice).get(url).status_code == 200
    member = CareTeamMember.objects.get(client=client_record, clinician=alice)
    services.care_team_remove(member=member, actor=ada)
    assert login(alice).get(url).status_code == 404


def test_adding_a_supervisee_brings_the_supervisor_onto_the_team(sam, sue, ada, login):
    record = ClientFactory()
    services.care_team_add(client=record, clinician=sam, actor=ada)
    assert set(record.care_team.values_list("clinician__username", "role")) == {
        ("sam", "member"),
        ("sue", "supervisor"),
    }
    assert login(sue).get(reverse("records:chart", args=[record.uuid])).status_code == 200


def test_care_team_page_adds_and_removes_through_the_browser(fran, bob, client_record, login):
    http = login(fran)
    url = reverse("clients:care_team", args=[client_record.uuid])
    assert http.post(url, {"clinician": bob.pk, "role": "member"}).status_code == 302
    assert login(bob).get(reverse("records:chart", args=[client_record.uuid])).status_code == 200
    member = CareTeamMember.objects.get(client=client_record, clinician=bob)
    http.post(reverse("clients:care_team_remove", args=[client_record.uuid, member.pk]))
    assert login(bob).get(reverse("records:chart", args=[client_record.uuid])).status_code == 404


@pytest.mark.parametrize(
    "who,status",
    [("alice", 403), ("bob", 404), ("bill", 403), ("audrey", 403), ("fran", 200), ("ada", 200)],
)
def test_care_team_management_by_role(people, client_record, login, who, status):
    url = reverse("clients:care_team", args=[client_record.uuid])
    assert login(people[who]).get(url).status_code == status


@pytest.mark.parametrize(
    "who,status",
    [("alice", 403), ("bob", 404), ("fran", 403), ("bill", 403), ("audrey", 200), ("ada", 200)],
)
def test_client_audit_trail_page_by_role(people, client_record, login, who, status):
    response = login(people[who]).get(reverse("clients:audit", args=[client_record.uuid]))
    assert response.status_code == status
    if status == 403:
        assert b"Only auditors and practice admins" in response.content
