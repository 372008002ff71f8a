"""A contact with anyone but the client needs a release active on the contact date."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts import services
from contacts.models import ContactNote
from practice.models import AuditAction, AuditEvent
from tests.factories import CollateralFactory, ReleaseFactory

pytestmark = pytest.mark.django_db

CONTACT_DAY = date(2026, 11, 20)


def _at(day: date):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=11))


def _create(client, author, collateral, *, day=CONTACT_DAY, **kw):
    return services.contact_note_create(
        client=client,
        author=author,
        collateral=collateral,
        contact_at=_at(day),
        reason=kw.pop("reason", "coordination_of_care"),
        means=["phone"],
        minutes=10,
        summary="Discussed attendance.",
        now=_at(day) + timedelta(hours=2),
        sign=kw.pop("sign", True),
        **kw,
    )


@pytest.fixture
def pat(client_record):
    return CollateralFactory(client=client_record, name="Pat Rivera", relationship="parent")


def test_active_release_allows_the_note_and_is_recorded_on_it(client_record, alice, pat):
    roi = ReleaseFactory(contact=pat, signed_date=date(2026, 1, 1), expires_on=CONTACT_DAY)
    note = _create(client_record, alice, pat)
    assert note.roi == roi
    assert note.person_name == "Pat Rivera" and note.relationship == "Parent"
    assert "expires 2026-11-20" in note.roi_snapshot


def test_expired_release_is_refused_with_a_message_naming_it(client_record, alice, pat):
    ReleaseFactory(contact=pat, signed_date=date(2025, 10, 1), expires_on=date(2026, 10, 1))
    with pytest.raises(services.ContactNoteRefused) as exc:
        _create(client_record, alice, pat)
    assert exc.value.errors["person"] == (
        "No active release of information for Pat Rivera (Parent) on 2026-11-20: "
        "the release expired on 2026-10-01. Record a new release or document an emergency."
    )
    assert not ContactNote.objects.exists()


def test_revoked_release_is_refused(client_record, alice, pat):
    roi = ReleaseFactory(contact=pat, signed_date=date(2026, 1, 1), expires_on=date(2026, 12, 31))
    roi.revoked_at = _at(date(2026, 11, 2))
    roi.save()
    with pytest.raises(services.ContactNoteRefused) as exc:
        _create(client_record, alice, pat)
    assert "the release was revoked on 2026-11-02" in exc.value.errors["person"]


def test_release_revoked_after_the_contact_still_covers_it(client_record, alice, pat):
    roi = ReleaseFactory(contact=pat, signed_date=date(2026, 1, 1), expires_on=date(2026, 12, 31))
    roi.revoked_at = _at(date(2026, 11, 21))
    roi.save()
    assert _create(client_record, alice, pat).roi == roi


def test_release_not_yet_signed_on_the_contact_date_is_refused(client_record, alice, pat):
    ReleaseFactory(contact=pat, signed_date=date(2026, 11, 21), expires_on=date(2027, 11, 21))
    with pytest.raises(services.ContactNoteRefused) as exc:
        _create(client_record, alice, pat)
    assert "the release was not signed until 2026-11-21" in exc.value.errors["person"]


def test_no_release_on_file_is_refused(client_record, alice, pat):
    with pytest.raises(services.ContactNoteRefused) as exc:
        _create(client_record, alice, pat)
    assert "Pat Rivera (Parent)" in exc.value.errors["person"]
    assert "no release is on file" in exc.value.errors["person"]


def test_contact_with_the_client_needs_no_release(client_record, alice):
    note = _create(client_record, alice, None)
    assert note.roi is None and note.relationship == "Client"


def test_documented_emergency_proceeds_and_is_flagged(client_record, alice, pat):
    note = _create(
        client_record,
        alice,
        pat,
        reason="crisis",
        is_emergency=True,
        emergency_justification="Client expressed intent; parent needed to secure the home.",
    )
    assert note.is_emergency and note.roi is None
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(note.uuid))
    assert event.detail["emergency"] is True
    assert "secure the home" not in str(event.detail)  # no clinical text in the audit trail


@pytest.mark.parametrize(
    "reason,flag,justification,field",
    [
        ("coordination_of_care", True, "Urgent.", "is_emergency"),  # not a crisis
        ("crisis", True, "   ", "emergency_justification"),  # no justification
        ("crisis", False, "Urgent.", "person"),  # flag not ticked: the ROI rule applies
    ],
)
def test_emergency_needs_crisis_flag_and_justification(
    client_record, alice, pat, reason, flag, justification, field
):
    with pytest.raises(services.ContactNoteRefused) as exc:
        _create(
            client_record,
            alice,
            pat,
            reason=reason,
            is_emergency=flag,
            emergency_justification=justification,
        )
    assert field in exc.value.errors
    assert not ContactNote.objects.exists()


def test_collateral_of_another_client_is_refused(client_record, alice):
    stranger = CollateralFactory(name="Other Person")
    ReleaseFactory(contact=stranger, signed_date=date(2026, 1, 1), expires_on=date(2026, 12, 31))
    with pytest.raises(services.ContactNoteRefused) as exc:
        _create(client_record, alice, stranger)
    assert "person" in exc.value.errors


def _form(person, **extra):
    data = {
        "contact_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "person": person,
        "reason": "coordination_of_care",
        "means": ["phone", "email"],
        "minutes": "12",
        "summary": "Typed summary that must survive a refusal",
        "action": "sign",
    }
    data.update(extra)
    return data


def test_clinician_documents_call_with_parent_with_active_release(
    client_record, alice, parent, login
):
    url = reverse("contacts:create", args=[client_record.uuid])
    response = login(alice).post(url, _form(str(parent.uuid), billable="on"))
    note = ContactNote.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("contacts:detail", args=[note.uuid])
    assert note.is_signed and note.billable and note.collateral == parent
    assert note.means == ["phone", "email"]


def test_refused_note_is_kept_as_a_draft_that_says_what_blocks_signing(
    client_record, alice, doctor, login
):
    http = login(alice)
    url = reverse("contacts:create", args=[client_record.uuid])
    response = http.post(url, _form(str(doctor.uuid)))
    note = ContactNote.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("contacts:edit", args=[note.uuid])
    assert not note.is_signed and note.collateral == doctor
    assert note.summary == "Typed summary that must survive a refusal" and note.minutes == 12
    body = http.get(response.url).content.decode()
    assert "Cannot be signed yet" in body
    assert "No active release of information for Dr. Lee Novak (Primary care physician)" in body
    assert "Typed summary that must survive a refusal" in body
    denied = AuditEvent.objects.get(action=AuditAction.ACCESS_DENIED, user=alice)
    assert denied.detail == {"rule": "release_of_information", "collateral": str(doctor.uuid)}
    # Signing the draft from its page is refused the same way.
    http.post(reverse("contacts:sign", args=[note.uuid]))
    note.refresh_from_db()
    assert not note.is_signed


def test_release_recorded_in_place_lets_the_draft_be_signed_with_its_text(
    client_record, alice, doctor, login
):
    http = login(alice)
    http.post(reverse("contacts:create", args=[client_record.uuid]), _form(str(doctor.uuid)))
    note = ContactNote.objects.get()
    today = timezone.localdate()
    response = http.post(
        reverse("contacts:edit", args=[note.uuid]),
        _form(
            str(doctor.uuid),
            **{
                "release-signed_date": today.isoformat(),
                "release-expires_on": today.replace(year=today.year + 1).isoformat(),
                "release-scope": "Medication coordination",
            },
        ),
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.is_signed and note.summary == "Typed summary that must survive a refusal"
    assert note.roi is not None and note.roi.contact == doctor
    assert note.disclosure_basis.startswith("Release of information signed")
    assert note.hash_matches()


def test_bad_release_in_place_keeps_note_and_release_fields(client_record, alice, doctor, login):
    response = login(alice).post(
        reverse("contacts:create", args=[client_record.uuid]),
        _form(
            str(doctor.uuid),
            **{
                "release-signed_date": "2020-01-01",
                "release-expires_on": "2019-01-01",
                "release-scope": "Scope typed",
            },
        ),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "The release cannot expire before it was signed." in body
    assert "Scope typed" in body and "Typed summary that must survive a refusal" in body
    assert not ContactNote.objects.exists()


def test_person_list_shows_release_status_on_the_contact_date(client_record, alice, pat, login):
    ReleaseFactory(contact=pat, signed_date=date(2023, 1, 1), expires_on=date(2023, 12, 31))
    response = login(alice).post(
        reverse("contacts:create", args=[client_record.uuid]),
        _form(str(pat.uuid), contact_at="2023-04-27T10:00", reason=""),
    )
    body = response.content.decode()
    assert "Pat Rivera (Parent) · release active on 2023-04-27" in body
    today = login(alice).get(reverse("contacts:create", args=[client_record.uuid]))
    assert f"Pat Rivera (Parent) · no active release on {timezone.localdate():%Y-%m-%d}" in (
        today.content.decode()
    )


def test_emergency_note_is_flagged_in_the_chart(client_record, alice, doctor, login):
    http = login(alice)
    url = reverse("contacts:create", args=[client_record.uuid])
    response = http.post(
        url,
        _form(
            str(doctor.uuid),
            reason="crisis",
            is_emergency="on",
            emergency_justification="Imminent risk; prescriber had to be reached.",
        ),
    )
    assert response.status_code == 302
    chart = http.get(reverse("records:chart", args=[client_record.uuid])).content.decode()
    assert "pill-danger" in chart and ">Emergency<" in chart
