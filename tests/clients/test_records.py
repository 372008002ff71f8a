"""Registering clients, demographics, diagnoses, collaterals and releases."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import Client, ClientStatus, Diagnosis, ReleaseOfInformation
from practice.models import AuditAction, AuditEvent
from tests.factories import CollateralFactory, ReleaseFactory

pytestmark = pytest.mark.django_db

NEW_CLIENT = {
    "legal_first_name": "Riley",
    "legal_last_name": "Quinn",
    "preferred_name": "Ri",
    "pronouns": "they/them",
    "date_of_birth": "2012-03-04",
    "mrn": "",
    "phone": "555-0199",
    "email": "",
    "address": "1 Main St",
}


@pytest.mark.parametrize(
    "who,status",
    [("fran", 302), ("ada", 302), ("alice", 403), ("bill", 403), ("audrey", 403), ("root", 403)],
)
def test_who_can_register_a_client(people, login, who, status):
    response = login(people[who]).post(reverse("clients:create"), NEW_CLIENT)
    assert response.status_code == status
    assert Client.objects.filter(legal_last_name="Quinn").exists() is (status == 302)


def test_registration_assigns_the_next_mrn_and_flags_a_minor(fran, login):
    login(fran).post(reverse("clients:create"), NEW_CLIENT)
    client = Client.objects.get(legal_last_name="Quinn")
    assert client.mrn == "RB-000001"
    assert client.is_minor
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, client_uuid=client.uuid).exists()


def test_invalid_registration_keeps_what_was_typed(fran, login):
    data = {**NEW_CLIENT, "date_of_birth": (timezone.localdate() + timedelta(days=3)).isoformat()}
    response = login(fran).post(reverse("clients:create"), data)
    assert response.status_code == 200
    assert b"cannot be in the future" in response.content
    assert b'value="Quinn"' in response.content and b'value="555-0199"' in response.content


@pytest.mark.parametrize("who,status", [("fran", 302), ("alice", 403), ("bob", 404), ("bill", 403)])
def test_who_can_edit_demographics(people, client_record, login, who, status):
    data = {
        **NEW_CLIENT,
        "legal_first_name": "Casey",
        "legal_last_name": "Zebulon",
        "date_of_birth": "1990-05-17",
        "mrn": client_record.mrn,
        "phone": "555-0111",
    }
    response = login(people[who]).post(reverse("clients:edit", args=[client_record.uuid]), data)
    assert response.status_code == status
    client_record.refresh_from_db()
    assert (client_record.phone == "555-0111") is (status == 302)


def test_discharge_keeps_the_record(fran, client_record, login):
    login(fran).post(
        reverse("clients:discharge", args=[client_record.uuid]),
        {"discharge_date": timezone.localdate().isoformat()},
    )
    client_record.refresh_from_db()
    assert client_record.status == ClientStatus.DISCHARGED
    assert Client.objects.filter(pk=client_record.pk).exists()


@pytest.mark.parametrize(
    "code,message",
    [
        ("F99.99", b"is not an ICD-10-CM code"),
        ("F32", b"is a category, not a billable code"),
        ("banana", b"is not an ICD-10-CM code"),
    ],
)
def test_diagnosis_codes_are_checked_against_the_code_set(
    alice, client_record, login, code, message
):
    response = login(alice).post(
        reverse("clients:diagnosis_add", args=[client_record.uuid]), {"code": code}
    )
    assert response.status_code == 200
    assert message in response.content


def test_a_valid_code_gets_its_official_description(alice, client_record, login):
    login(alice).post(
        reverse("clients:diagnosis_add", args=[client_record.uuid]),
        {"code": "f431.0", "is_primary": "on"},
    )
    # "F43.10" typed loosely as f431.0 is not a code; the canonical F4310 is:
    login(alice).post(
        reverse("clients:diagnosis_add", args=[client_record.uuid]),
        {"code": "f4310", "is_primary": "on"},
    )
    dx = Diagnosis.objects.get(client=client_record, code="F43.10")
    assert dx.description == "Post-traumatic stress disorder, unspecified"
    assert dx.is_covered_mental_health and dx.is_primary
    # Only one active primary: the earlier one was demoted.
    assert client_record.diagnoses.filter(is_primary=True, resolved_date__isnull=True).count() == 1


@pytest.mark.parametrize(
    "who,status", [("alice", 200), ("bob", 404), ("fran", 403), ("audrey", 403)]
)
def test_who_can_add_diagnoses(people, client_record, login, who, status):
    url = reverse("clients:diagnosis_add", args=[client_record.uuid])
    assert login(people[who]).get(url).status_code == status


def test_front_desk_records_a_collateral_and_release(fran, client_record, login):
    http = login(fran)
    http.post(
        reverse("clients:collateral_add", args=[client_record.uuid]),
        {"name": "Pat Parent", "relationship": "parent", "phone": "555-0123"},
    )
    contact = client_record.collaterals.get()
    today = timezone.localdate()
    http.post(
        reverse("clients:roi_add", args=[client_record.uuid, contact.uuid]),
        {
            "signed_date": today.isoformat(),
            "expires_on": (today + timedelta(days=365)).isoformat(),
            "scope": "Progress",
        },
    )
    roi = contact.releases.get()
    assert roi.is_active_on(today)
    http.post(
        reverse("clients:roi_revoke", args=[client_record.uuid, roi.uuid]),
        {"reason": "Client withdrew consent"},
    )
    roi.refresh_from_db()
    assert roi.revoked_at is not None and not roi.is_active_on(today)


def test_release_that_expires_before_it_was_signed_is_refused(fran, client_record, login):
    contact = CollateralFactory(client=client_record)
    today = timezone.localdate()
    response = login(fran).post(
        reverse("clients:roi_add", args=[client_record.uuid, contact.uuid]),
        {
            "signed_date": today.isoformat(),
            "expires_on": (today - timedelta(days=1)).isoformat(),
            "scope": "Progress",
        },
    )
    assert b"cannot expire before it was signed" in response.content
    assert not ReleaseOfInformation.objects.exists()


@pytest.mark.parametrize(
    "signed,expires,revoked,active",
    [
        (-30, 30, None, True),  # active
        (-400, -1, None, False),  # expired yesterday
        (-400, 0, None, True),  # expires today: still valid today
        (1, 365, None, False),  # not yet signed
        (-30, 30, -1, False),  # revoked yesterday
        (-30, 30, 1, True),  # revoked tomorrow (future revocation date)
    ],
)
def test_release_is_active_on_a_day(client_record, signed, expires, revoked, active):
    today = timezone.localdate()
    roi = ReleaseFactory(
        contact__client=client_record,
        signed_date=today + timedelta(days=signed),
        expires_on=today + timedelta(days=expires),
        revoked_at=timezone.now() + timedelta(days=revoked) if revoked is not None else None,
    )
    assert roi.is_active_on(today) is active
