"""What each role finds on a chart beyond access itself, and the guardian
grants behind a care-team membership."""

import pytest
from django.urls import reverse
from guardian.shortcuts import get_user_perms

from clients import services
from clients.models import CareTeamMember
from practice.roles import CARE_TEAM_PERMISSIONS
from tests.factories import CollateralFactory, ReleaseFactory

pytestmark = pytest.mark.django_db

CODENAMES = {p.split(".", 1)[1] for p in CARE_TEAM_PERMISSIONS}


def test_care_team_add_grants_and_remove_revokes_the_object_permissions(
    alice, bob, ada, client_record
):
    assert set(get_user_perms(alice, client_record)) == CODENAMES
    assert set(get_user_perms(bob, client_record)) == set()

    member = services.care_team_add(client=client_record, clinician=bob, actor=ada)
    assert set(get_user_perms(bob, client_record)) == CODENAMES

    services.care_team_remove(member=member, actor=ada)
    assert set(get_user_perms(bob, client_record)) == set()
    # Alice's own grant is untouched by a colleague's removal.
    assert set(get_user_perms(alice, client_record)) == CODENAMES
    assert not CareTeamMember.objects.filter(client=client_record, clinician=bob).exists()


@pytest.mark.parametrize(
    "who,sees",
    [
        ("alice", True),
        ("fran", True),
        ("audrey", True),
        ("ada", True),
        # Billers bill: no collateral names, numbers or release scopes.
        ("bill", False),
    ],
)
def test_collateral_contacts_and_releases_on_the_chart_by_role(
    people, client_record, login, who, sees
):
    contact = CollateralFactory(client=client_record, name="Pat Quirinal", phone="555-0199")
    ReleaseFactory(contact=contact, scope="Attendance only")
    response = login(people[who]).get(reverse("records:chart", args=[client_record.uuid]))
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("Pat Quirinal", "555-0199", "Attendance only", "Contacts &amp; releases"):
        assert (text in body) is sees, text
