"""Personal representatives (45 CFR 164.502(g)): a minor's parent or guardian,
or an adult's legal guardian with authority recorded, is contacted without a
release while the representation holds."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients import representatives
from clients.models import CollateralContact
from contacts import services
from contacts.models import ContactNote
from practice.models import AuditAction, AuditEvent
from tests.factories import CollateralFactory

pytestmark = pytest.mark.django_db

# The client turns 18 on 2026-06-15.
BIRTHDAY = date(2008, 6, 15)


def _at(day: date):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=11))


def _sign_contact(client, author, collateral, day):
    return services.contact_note_create(
        client=client,
        author=author,
        collateral=collateral,
        contact_at=_at(day),
        reason="coordination_of_care",
        means=["phone"],
        minutes=10,
        summary="Talked with mother about attendance.",
        now=_at(day) + timedelta(hours=1),
        sign=True,
    )


@pytest.fixture
def mother(client_record):
    client_record.date_of_birth = BIRTHDAY
    client_record.save()
    return CollateralFactory(
        client=client_record, name="Maria Lopez", relationship="parent",
        is_personal_representative=True,
    )


def test_minor_s_parent_needs_no_release_and_the_note_names_the_rule(
    client_record, alice, mother
):
    note = _sign_contact(client_record, alice, mother, date(2026, 6, 14))
    assert note.is_signed and note.roi is None
    assert note.disclosure_basis.startswith("Personal representative: parent of a minor")
    assert "client aged 17 on 2026-06-14" in note.disclosure_basis
    assert note.hash_matches()
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(note.uuid))
    assert event.detail["personal_representative"] is True


def test_representation_lapses_on_the_eighteenth_birthday(client_record, alice, mother):
    with pytest.raises(services.ContactNoteRefused) as exc:
        _sign_contact(client_record, alice, mother, date(2026, 6, 15))
    assert "reached the age of majority (18) on 2026-06-15" in exc.value.errors["person"]
    assert not ContactNote.objects.filter(status="signed").exists()


def test_practice_age_of_majority_is_used(client_record, alice, mother):
    from practice.models import PracticeSettings

    policy = PracticeSettings.load()
    policy.age_of_majority = 19
    policy.save()
    note = _sign_contact(client_record, alice, mother, date(2026, 6, 15))
    assert "age of majority 19" in note.disclosure_basis


def test_parent_not_marked_as_representative_still_needs_a_release(client_record, alice):
    client_record.date_of_birth = BIRTHDAY
    client_record.save()
    father = CollateralFactory(client=client_record, name="Noel Lopez", relationship="parent")
    with pytest.raises(services.ContactNoteRefused):
        _sign_contact(client_record, alice, father, date(2026, 1, 10))


def test_legal_guardian_of_an_adult_needs_the_authority_recorded(client_record, alice):
    guardian = CollateralFactory(
        client=client_record,
        name="Gail Ward",
        relationship="guardian",
        is_personal_representative=True,
    )
    day = timezone.localdate() - timedelta(days=1)
    with pytest.raises(services.ContactNoteRefused) as exc:
        _sign_contact(client_record, alice, guardian, day)
    assert "record the court's authority" in exc.value.errors["person"]
    guardian.representative_authority = "Letters of guardianship, County Court 2024-G-118"
    guardian.save()
    note = _sign_contact(client_record, alice, guardian, day)
    assert "legal guardian (authority: Letters of guardianship" in note.disclosure_basis


def test_only_a_parent_or_guardian_can_be_marked(client_record, fran, login):
    response = login(fran).post(
        reverse("clients:collateral_add", args=[client_record.uuid]),
        {"name": "Dr. Ray", "relationship": "physician", "phone": "555",
         "is_personal_representative": "on"},
    )
    assert response.status_code == 200
    assert "Only a parent or a legal guardian" in response.content.decode()
    assert not CollateralContact.objects.exists()


def test_clinician_suspends_representation_with_a_reason(
    client_record, alice, fran, mother, login
):
    url = reverse("clients:representation_suspend", args=[client_record.uuid, mother.uuid])
    # The front desk cannot make the endangerment judgement.
    assert login(fran).post(url, {"reason": "x"}).status_code == 403
    response = login(alice).post(url, {"reason": "Disclosed fear of the parent at home."})
    assert response.status_code == 302
    mother.refresh_from_db()
    assert mother.representation_suspended_by == alice
    today = timezone.localdate()
    rep = representatives.representation_on(mother, today)
    assert not rep.holds and "suspended by a clinician" in rep.why_not
    # Before the suspension it still held (an earlier note stays valid).
    assert representatives.representation_on(mother, today - timedelta(days=1)).holds is (
        today - timedelta(days=1) < date(2026, 6, 15)
    )
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(mother.uuid))
    assert event.detail == {"change": "personal_representative_suspended"}
    # Suspending twice is refused, not repeated.
    again = login(alice).post(url, {"reason": "again"})
    assert again.status_code == 200


def test_representation_window_for_the_form_script(client_record, mother):
    can_hold, until = representatives.representation_window(mother, age_of_majority=18)
    assert can_hold and until == date(2026, 6, 15)


def test_leap_day_birthday_reaches_majority_on_first_of_march():
    assert representatives.majority_day(date(2008, 2, 29), 18) == date(2026, 3, 1)
