"""Contact notes: validation, who sees which summary, signing, freezing, totals."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone

from contacts import services
from contacts.chart import minute_totals
from contacts.models import ContactNote, ContactNoteAddendum
from practice.models import AuditAction, AuditEvent
from practice.signing import FrozenRecordError

pytestmark = pytest.mark.django_db


def _form(**extra):
    data = {
        "contact_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "person": "client",
        "reason": "treatment_update",
        "means": ["phone"],
        "minutes": "10",
        "summary": "Typed text to keep",
        "action": "draft",
    }
    data.update(extra)
    return data


# --- validation --------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", ["0", "-5", "2.5", "ten", ""])
def test_minutes_must_be_a_positive_whole_number(client_record, alice, login, minutes):
    response = login(alice).post(
        reverse("contacts:create", args=[client_record.uuid]), _form(minutes=minutes)
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Minutes must be a positive whole number." in body
    assert "Typed text to keep" in body
    assert not ContactNote.objects.exists()


def test_contact_date_cannot_be_in_the_future(client_record, alice, login):
    future = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = login(alice).post(
        reverse("contacts:create", args=[client_record.uuid]), _form(contact_at=future)
    )
    body = response.content.decode()
    assert "cannot be in the future" in body and "Typed text to keep" in body
    assert not ContactNote.objects.exists()


def test_means_are_required(client_record, alice, login):
    data = _form()
    del data["means"]
    response = login(alice).post(reverse("contacts:create", args=[client_record.uuid]), data)
    assert "Choose at least one means of communication." in response.content.decode()


def test_billable_contact_needs_a_clinician_author(client_record, fran):
    with pytest.raises(services.ContactNoteRefused) as exc:
        services.contact_note_create(
            client=client_record,
            author=fran,
            contact_at=timezone.now(),
            reason="records_request",
            means=["fax"],
            minutes=10,
            billable=True,
        )
    assert exc.value.errors == {"billable": "Only a clinician's contact can be billed."}


def test_service_rejects_non_positive_minutes_too(client_record, alice):
    for minutes in (0, -1, 1.5, True):
        with pytest.raises(services.ContactNoteRefused) as exc:
            services.contact_note_create(
                client=client_record,
                author=alice,
                contact_at=timezone.now(),
                reason="other",
                means=["phone"],
                minutes=minutes,
                billable=True,
            )
        assert "minutes" in exc.value.errors


def test_front_desk_cannot_write_a_clinical_note(client_record, fran, login):
    response = login(fran).post(
        reverse("contacts:create", args=[client_record.uuid]),
        _form(reason="treatment_update", means=["phone"]),
    )
    assert "The front desk writes administrative contact notes only" in response.content.decode()
    with pytest.raises(services.ContactNoteRefused, match="administrative contact notes only"):
        services.contact_note_create(
            client=client_record,
            author=fran,
            contact_at=timezone.now(),
            reason="crisis",
            means=["phone"],
            minutes=5,
        )
    assert not ContactNote.objects.exists()


def test_front_desk_writes_an_administrative_note(client_record, fran, login):
    response = login(fran).post(
        reverse("contacts:create", args=[client_record.uuid]),
        _form(reason="records_request", means=["fax"], action="sign"),
    )
    assert response.status_code == 302
    note = ContactNote.objects.get()
    assert note.kind == "administrative" and note.is_signed and not note.billable


@pytest.mark.parametrize(
    "who,status",
    [("bob", 404), ("sue", 404), ("root", 404), ("bill", 403), ("audrey", 403), ("alice", 200)],
)
def test_who_may_open_the_new_note_form(people, client_record, login, who, status):
    response = login(people[who]).get(reverse("contacts:create", args=[client_record.uuid]))
    assert response.status_code == status


# --- visibility -----------------------------------------------------------------------------

# who -> (status of the detail page, clinical summary shown, administrative summary shown)
VISIBILITY = {
    "alice": (200, True, True),
    "bob": (404, False, False),
    "sue": (404, False, False),
    "sam": (404, False, False),
    "fran": (200, False, True),
    "bill": (200, False, False),
    "audrey": (200, True, True),
    "ada": (200, False, True),
    "root": (404, False, False),
}


@pytest.mark.parametrize("who,expected", VISIBILITY.items())
def test_summary_visibility_per_role(
    people, client_record, alice, fran, make_note, login, who, expected
):
    status, sees_clinical, sees_admin = expected
    clinical = make_note(alice, reason="coordination_of_care", summary="CLINICAL-SECRET")
    admin = make_note(fran, reason="records_request", summary="ADMIN-TEXT", means=["fax"])
    http = login(people[who])
    for note, sees, text in (
        (clinical, sees_clinical, "CLINICAL-SECRET"),
        (admin, sees_admin, "ADMIN-TEXT"),
    ):
        response = http.get(reverse("contacts:detail", args=[note.uuid]))
        assert response.status_code == status
        body = response.content.decode()
        assert (text in body) is sees
        if status == 200:
            # Everyone who may open it sees date, minutes, reason and means.
            assert note.get_reason_display() in body and note.means_labels[0] in body
            assert AuditEvent.objects.filter(
                user=people[who], action=AuditAction.VIEW, object_id=str(note.uuid)
            ).exists()
        else:
            assert AuditEvent.objects.filter(
                user=people[who], action=AuditAction.ACCESS_DENIED
            ).exists()
    if status == 200:
        chart = http.get(reverse("records:chart", args=[client_record.uuid])).content.decode()
        assert ("CLINICAL-SECRET" in chart) is sees_clinical
        assert ("ADMIN-TEXT" in chart) is sees_admin


def test_biller_sees_billing_fields_but_never_the_summary(
    client_record, alice, bill, parent, make_note, login
):
    note = make_note(
        alice,
        reason="coordination_of_care",
        billable=True,
        minutes=25,
        summary="XYZ",
        collateral=parent,
    )
    body = login(bill).get(reverse("contacts:detail", args=[note.uuid])).content.decode()
    assert "XYZ" not in body
    assert "Pat Rivera" not in body  # billers need minutes, not who was called
    assert "25" in body and "Yes" in body and alice.signature_name in body
    chart = login(bill).get(reverse("records:chart", args=[client_record.uuid])).content.decode()
    log = chart.split('id="contact-log"')[1].split("</section>")[0]
    assert "XYZ" not in chart and "Billable" in log and "Pat Rivera" not in log


def test_drafts_are_seen_by_their_author_only(client_record, alice, fran, audrey, make_note, login):
    draft = make_note(alice, sign=False, summary="DRAFT-TEXT")
    assert login(alice).get(reverse("contacts:detail", args=[draft.uuid])).status_code == 200
    for other in (fran, audrey):
        assert login(other).get(reverse("contacts:detail", args=[draft.uuid])).status_code == 404
        chart = login(other).get(reverse("records:chart", args=[client_record.uuid]))
        assert "DRAFT-TEXT" not in chart.content.decode()


# --- signing and freezing -----------------------------------------------------------------


def test_only_the_author_signs_and_signing_twice_signs_once(
    client_record, alice, sue, make_note, login
):
    from clients import services as client_services

    client_services.care_team_add(client=client_record, clinician=sue, actor=alice)
    draft = make_note(alice, sign=False)
    # Sue is on the care team but is not the author; the draft is not hers to see.
    assert login(sue).post(reverse("contacts:sign", args=[draft.uuid])).status_code == 404
    http = login(alice)
    http.post(reverse("contacts:sign", args=[draft.uuid]))
    second = http.post(reverse("contacts:sign", args=[draft.uuid]))
    assert second.status_code == 403
    draft.refresh_from_db()
    assert draft.is_signed and draft.signer_name == "Alice Adams"
    assert draft.signer_credentials == "LCSW" and draft.hash_matches()
    assert (
        AuditEvent.objects.filter(action=AuditAction.SIGN, object_id=str(draft.uuid)).count() == 1
    )


def test_signed_note_refuses_changes_in_python(alice, make_note):
    note = make_note(alice)
    note.summary = "rewritten"
    with pytest.raises(FrozenRecordError):
        note.save()
    with pytest.raises(FrozenRecordError):
        note.delete()
    with pytest.raises(services.ContactNoteRefused):
        services.contact_note_update(note=note, actor=alice, summary="rewritten")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger exists on PostgreSQL only")
def test_signed_note_is_frozen_in_the_database(alice, make_note):
    note = make_note(alice)
    draft = make_note(alice, sign=False)
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT s1")
        with pytest.raises(DatabaseError, match="frozen"):
            cursor.execute("UPDATE contacts_contactnote SET summary = 'x' WHERE id = %s", [note.pk])
        cursor.execute("ROLLBACK TO SAVEPOINT s1")
        with pytest.raises(DatabaseError, match="frozen"):
            cursor.execute("DELETE FROM contacts_contactnote WHERE id = %s", [note.pk])
        cursor.execute("ROLLBACK TO SAVEPOINT s1")
        # updated_at may still move; drafts stay editable.
        cursor.execute(
            "UPDATE contacts_contactnote SET updated_at = now() WHERE id = %s", [note.pk]
        )
        cursor.execute("UPDATE contacts_contactnote SET summary = 'y' WHERE id = %s", [draft.pk])
    note.refresh_from_db()
    assert note.hash_matches()


def test_editing_a_draft_follows_the_same_rules(client_record, alice, doctor, make_note, login):
    draft = make_note(alice, sign=False)
    http = login(alice)
    response = http.post(
        reverse("contacts:edit", args=[draft.uuid]), _form(person=str(doctor.uuid), action="sign")
    )
    # The edit is kept as a draft; only signing is refused, with the reason.
    assert "No active release of information for Dr. Lee Novak" in response.content.decode()
    draft.refresh_from_db()
    assert draft.collateral == doctor and not draft.is_signed
    response = http.post(
        reverse("contacts:edit", args=[draft.uuid]),
        _form(person="client", summary="Better wording", action="sign"),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.summary == "Better wording" and draft.is_signed


def test_addenda_are_signed_and_only_for_signed_notes(alice, fran, bill, make_note, login):
    note = make_note(alice, reason="coordination_of_care")
    http = login(alice)
    http.post(reverse("contacts:addendum_add", args=[note.uuid]), {"text": "Parent called back."})
    addendum = ContactNoteAddendum.objects.get()
    assert addendum.signer_name == "Alice Adams" and addendum.content_hash
    with pytest.raises(FrozenRecordError):
        addendum.save()
    # The front desk may not addend a clinical note, nor the biller any.
    for other in (fran, bill):
        response = login(other).post(
            reverse("contacts:addendum_add", args=[note.uuid]), {"text": "x"}
        )
        assert response.status_code == 403
    draft = make_note(alice, sign=False)
    assert (
        http.post(reverse("contacts:addendum_add", args=[draft.uuid]), {"text": "x"}).status_code
        == 403
    )
    assert ContactNoteAddendum.objects.count() == 1


# --- period totals --------------------------------------------------------------------------


def _at(day: date, hour=12):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_period_totals_are_summed_per_billable_flag(client_record, alice, make_note, login):
    today = timezone.localdate()
    make_note(alice, minutes=20, billable=True, contact_at=_at(today - timedelta(days=2)))
    make_note(alice, minutes=15, billable=True, contact_at=_at(today - timedelta(days=10)))
    make_note(alice, minutes=7, billable=False, contact_at=_at(today - timedelta(days=3)))
    make_note(alice, minutes=40, billable=True, contact_at=_at(today - timedelta(days=45)))
    make_note(
        alice, minutes=99, billable=True, sign=False, contact_at=_at(today - timedelta(days=1))
    )
    notes = ContactNote.objects.filter(client=client_record)
    assert minute_totals(notes, today - timedelta(days=30), today) == {
        "billable": 35,
        "non_billable": 7,
    }
    assert minute_totals(notes, today - timedelta(days=5), today) == {
        "billable": 20,
        "non_billable": 7,
    }
    # Both ends of the period are included, whole days in practice time.
    day = today - timedelta(days=10)
    assert minute_totals(notes, day, day) == {"billable": 15, "non_billable": 0}
    assert minute_totals(notes, today - timedelta(days=60), today - timedelta(days=50)) == {
        "billable": 0,
        "non_billable": 0,
    }
    # The chart uses the chosen period.
    chart = login(alice).get(
        reverse("records:chart", args=[client_record.uuid]),
        {
            "contacts_from": (today - timedelta(days=60)).isoformat(),
            "contacts_to": today.isoformat(),
        },
    )
    body = chart.content.decode()
    assert 'data-total="billable">75<' in body and 'data-total="non-billable">7<' in body


def test_the_reason_is_chosen_not_defaulted(client_record, alice, login):
    url = reverse("contacts:create", args=[client_record.uuid])
    form = login(alice).get(url).content.decode()
    assert '<option value="" selected>Choose a reason…</option>' in form
    response = login(alice).post(url, _form(reason=""))
    body = response.content.decode()
    assert "Choose a reason for the contact." in body and "Typed text to keep" in body
    assert not ContactNote.objects.exists()


def test_signing_reads_the_draft_under_a_row_lock(alice, make_note):
    """An edit landing between the read and the update would leave a hash of
    older content on the note: the sign locks the row before reading it."""
    from django.test.utils import CaptureQueriesContext

    draft = make_note(alice, sign=False)
    with CaptureQueriesContext(connection) as ctx:
        services.contact_note_sign(note=draft, actor=alice)
    reads = [q["sql"] for q in ctx.captured_queries if 'FROM "contacts_contactnote"' in q["sql"]]
    assert reads and "FOR UPDATE" in reads[0]
    assert ContactNote.objects.get(pk=draft.pk).hash_matches()
