"""Appointment status flows write their contact note with the right fee decision."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import Appointment, AppointmentStatus
from clients.schedule import services as scheduling
from contacts.models import ContactNote, NoteStatus
from contacts.services import ContactNoteRefused
from practice.models import PracticeSettings
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

PHONE = ["phone"]


@pytest.fixture
def policy(db):
    settings = PracticeSettings.load()
    settings.no_show_fee = Decimal("80.00")
    settings.late_cancel_fee = Decimal("60.00")
    settings.late_cancel_window_hours = 24
    settings.save()
    return settings


def _cancel(appointment, actor, *, notice_before, by="client"):
    notice_at = appointment.start - notice_before
    return scheduling.appointment_cancel(
        appointment=appointment,
        actor=actor,
        by=by,
        notice_at=notice_at,
        means=PHONE,
        minutes=3,
        now=notice_at,
    )


@pytest.mark.parametrize(
    "notice,status,fee",
    [
        (timedelta(hours=24) - timedelta(minutes=1), AppointmentStatus.LATE_CANCEL, "60.00"),
        (timedelta(hours=24), AppointmentStatus.CANCELLED_CLIENT, "0.00"),  # exactly: in time
        (timedelta(hours=24, minutes=1), AppointmentStatus.CANCELLED_CLIENT, "0.00"),
        (timedelta(minutes=30), AppointmentStatus.LATE_CANCEL, "60.00"),
    ],
)
def test_client_cancellation_fee_at_the_edges_of_the_window(
    policy, appointment, fran, notice, status, fee
):
    appt, note, decision = _cancel(appointment, fran, notice_before=notice)
    appt.refresh_from_db()
    assert appt.status == status
    assert appt.fee_applies is (fee != "0.00")
    assert appt.fee_amount == Decimal(fee)
    assert note.reason == "cancellation" and note.appointment == appt
    assert note.fee_applies is (fee != "0.00") and note.fee_amount == Decimal(fee)
    assert note.status == NoteStatus.SIGNED and note.author == fran
    assert note.contact_at == appt.start - notice  # the note is dated when notice was given
    assert appt.notice_hours == Decimal(notice.total_seconds() / 3600).quantize(Decimal("0.01"))
    assert decision.explanation in note.summary


def test_practice_cancellation_is_never_charged(policy, appointment, fran):
    appt, note, _ = _cancel(appointment, fran, notice_before=timedelta(hours=1), by="practice")
    assert appt.status == AppointmentStatus.CANCELLED_PRACTICE
    assert not appt.fee_applies and not note.fee_applies


def test_no_show_charges_the_no_show_fee_and_writes_the_note(policy, appointment, fran):
    now = appointment.start + timedelta(minutes=15)
    appt, note, fee = scheduling.appointment_mark_no_show(
        appointment=appointment, actor=fran, means=PHONE, minutes=5, now=now
    )
    assert appt.status == AppointmentStatus.NO_SHOW and appt.fee_amount == Decimal("80.00")
    assert note.reason == "no_show" and note.kind == "administrative"
    assert note.fee_applies and note.fee_amount == Decimal("80.00")
    assert "No-show fee of $80.00 applies" in note.summary
    assert note.is_signed and note.hash_matches()


def test_no_show_before_the_start_is_refused(policy, appointment, fran):
    with pytest.raises(scheduling.SchedulingError):
        scheduling.appointment_mark_no_show(
            appointment=appointment,
            actor=fran,
            means=PHONE,
            minutes=5,
            now=appointment.start - timedelta(minutes=1),
        )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED


def test_a_status_changes_once_even_when_clicked_twice(policy, appointment, fran):
    now = appointment.start + timedelta(minutes=15)
    scheduling.appointment_mark_no_show(
        appointment=appointment, actor=fran, means=PHONE, minutes=5, now=now
    )
    stale = Appointment.objects.get(pk=appointment.pk)
    stale.status = AppointmentStatus.SCHEDULED  # a second desk with an old page
    with pytest.raises(scheduling.SchedulingError):
        scheduling.appointment_mark_no_show(
            appointment=stale, actor=fran, means=PHONE, minutes=5, now=now
        )
    assert ContactNote.objects.count() == 1


def test_refused_note_rolls_back_the_status_change(policy, appointment, fran):
    with pytest.raises(ContactNoteRefused):
        scheduling.appointment_mark_no_show(
            appointment=appointment,
            actor=fran,
            means=["carrier_pigeon"],
            minutes=5,
            now=appointment.start + timedelta(minutes=15),
        )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED
    assert not ContactNote.objects.exists()


def test_reschedule_links_the_new_appointment_to_the_old_and_writes_the_note(
    policy, appointment, fran
):
    new_start = appointment.start + timedelta(days=2)
    now = appointment.start - timedelta(hours=2)  # late notice: reschedules are still free
    old, new, note = scheduling.appointment_reschedule(
        appointment=appointment, actor=fran, new_start=new_start, means=PHONE, minutes=4, now=now
    )
    old.refresh_from_db()
    assert old.status == AppointmentStatus.RESCHEDULED and not old.fee_applies
    assert new.rescheduled_from == old and old.rescheduled_to == new
    assert new.status == AppointmentStatus.SCHEDULED and new.start == new_start
    assert new.clinician == old.clinician and new.duration_minutes == old.duration_minutes
    assert note.reason == "reschedule" and note.appointment == old and not note.fee_applies
    assert timezone.localtime(new_start).strftime("%Y-%m-%d %H:%M") in note.summary


def test_reschedule_into_a_taken_slot_changes_nothing(policy, appointment, fran, alice):
    other = scheduling.appointment_book(
        client=appointment.client,
        clinician=alice,
        start=appointment.start + timedelta(days=1),
        duration_minutes=50,
        service_type="individual",
        actor=fran,
    )
    with pytest.raises(scheduling.SchedulingError):
        scheduling.appointment_reschedule(
            appointment=appointment,
            actor=fran,
            new_start=other.start + timedelta(minutes=20),
            means=PHONE,
            minutes=4,
        )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED
    assert Appointment.objects.count() == 2 and not ContactNote.objects.exists()


def test_booking_rules(client_record, alice, bob, fran):
    start = timezone.now() + timedelta(days=3)
    kwargs = {"duration_minutes": 50, "service_type": "individual", "actor": fran}
    with pytest.raises(scheduling.SchedulingError, match="not on this client's care team"):
        scheduling.appointment_book(client=client_record, clinician=bob, start=start, **kwargs)
    with pytest.raises(scheduling.SchedulingError, match="in the past"):
        scheduling.appointment_book(
            client=client_record,
            clinician=alice,
            start=timezone.now() - timedelta(hours=1),
            **kwargs,
        )
    scheduling.appointment_book(client=client_record, clinician=alice, start=start, **kwargs)
    with pytest.raises(scheduling.SchedulingError, match="already has an appointment"):
        scheduling.appointment_book(
            client=client_record, clinician=alice, start=start + timedelta(minutes=49), **kwargs
        )
    # Back to back is fine.
    scheduling.appointment_book(
        client=client_record, clinician=alice, start=start + timedelta(minutes=50), **kwargs
    )


# --- the pages the front desk uses ---------------------------------------------------------


def _past_appointment(client_record, alice, fran):
    start = timezone.now() - timedelta(minutes=30)
    return scheduling.appointment_book(
        client=client_record,
        clinician=alice,
        start=start,
        duration_minutes=50,
        service_type="individual",
        actor=fran,
        now=start - timedelta(days=1),
    )


def test_front_desk_marks_a_no_show_in_one_post(policy, client_record, alice, fran, login):
    appt = _past_appointment(client_record, alice, fran)
    http = login(fran)
    form = http.get(reverse("schedule:no_show", args=[appt.uuid]))
    assert "No-show fee of $80.00 applies" in form.content.decode()
    response = http.post(
        reverse("schedule:no_show", args=[appt.uuid]),
        {"means": ["phone"], "minutes": "5", "summary": ""},
        follow=True,
    )
    assert "Marked no-show. No-show fee of $80.00 applies" in response.content.decode()
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.NO_SHOW
    note = ContactNote.objects.get(appointment=appt)
    assert note.is_signed and note.fee_applies


def test_failed_cancel_form_keeps_what_was_typed(policy, appointment, fran, login):
    response = login(fran).post(
        reverse("schedule:cancel", args=[appointment.uuid]),
        {
            "by": "client",
            "notice_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "means": ["email"],
            "minutes": "-3",
            "summary": "Client emailed: car broke down",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Minutes must be a whole number (0 if no time was spent)." in body
    assert "Client emailed: car broke down" in body
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED


def test_no_show_shortcut_records_no_phantom_call(policy, client_record, alice, fran, login):
    """The pre-filled form claims no contact: 0 minutes and no means until typed."""
    appt = _past_appointment(client_record, alice, fran)
    http = login(fran)
    url = reverse("schedule:no_show", args=[appt.uuid])
    body = http.get(url).content.decode()
    assert 'name="minutes" value="0"' in body
    assert "checked" not in body.split('name="means"')[1].split("</fieldset>")[0]
    # Submitting the form as shown (nothing ticked, minutes left at 0).
    http.post(url, {"minutes": "0", "summary": ""})
    note = ContactNote.objects.get(appointment=appt)
    assert note.is_signed and note.minutes == 0 and note.means == []
    assert note.means_labels == []


def test_cancellation_shortcut_defaults_to_no_contact_time(policy, appointment, fran, login):
    body = login(fran).get(
        reverse("schedule:cancel", args=[appointment.uuid])
    ).content.decode()
    assert 'name="minutes" value="0"' in body


def test_an_ordinary_contact_note_still_needs_means_and_minutes(client_record, alice):
    from contacts.services import contact_note_create

    with pytest.raises(ContactNoteRefused) as exc:
        contact_note_create(
            client=client_record,
            author=alice,
            contact_at=timezone.now() - timedelta(hours=1),
            reason="treatment_update",
            means=[],
            minutes=0,
        )
    assert set(exc.value.errors) == {"means", "minutes"}


def test_front_desk_reschedules_in_one_post(policy, appointment, fran, login):
    new_start = timezone.localtime(appointment.start + timedelta(days=7))
    response = login(fran).post(
        reverse("schedule:reschedule", args=[appointment.uuid]),
        {
            "new_start": new_start.strftime("%Y-%m-%dT%H:%M"),
            "notice_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "means": ["phone"],
            "minutes": "4",
        },
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.RESCHEDULED
    assert appointment.rescheduled_to.start == new_start
    assert ContactNote.objects.get().reason == "reschedule"


CHANGE = {
    "alice": 200,
    "bob": 404,
    "sue": 404,
    "sam": 404,
    "fran": 200,
    "bill": 403,
    "audrey": 403,
    "ada": 200,
    "root": 404,
}


@pytest.mark.parametrize("who,status", CHANGE.items())
def test_who_may_change_an_appointment(people, appointment, login, who, status):
    response = login(people[who]).get(
        reverse("schedule:cancel", args=[appointment.uuid])
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    "who,status",
    [("fran", 200), ("ada", 200), ("alice", 403), ("bill", 403), ("audrey", 403), ("root", 403)],
)
def test_practice_day_view_is_for_the_front_desk_and_admins(people, login, who, status):
    assert login(people[who]).get(reverse("schedule:day")).status_code == status


def test_day_views_list_the_days_appointments(policy, appointment, alice, bob, fran, login):
    day = timezone.localdate(appointment.start).isoformat()
    name = appointment.client.display_name
    assert name in login(fran).get(reverse("schedule:day"), {"date": day}).content.decode()
    own = login(alice).get(reverse("schedule:clinician_day"), {"date": day}).content.decode()
    assert name in own
    # A clinician sees their own day only, whatever they ask for.
    theirs = login(bob).get(
        reverse("schedule:clinician_day"), {"date": day, "clinician": str(alice.uuid)}
    )
    assert name not in theirs.content.decode()


def test_discharged_client_cannot_be_booked(fran, alice, ada):
    from clients import services as client_services

    record = ClientFactory()
    client_services.care_team_add(client=record, clinician=alice, actor=ada)
    client_services.client_discharge(client=record, actor=ada, on=timezone.localdate())
    with pytest.raises(scheduling.SchedulingError, match="discharged"):
        scheduling.appointment_book(
            client=record,
            clinician=alice,
            start=timezone.now() + timedelta(days=1),
            duration_minutes=50,
            service_type="individual",
            actor=fran,
        )


def test_typed_summary_still_records_the_fee_decision(policy, appointment, fran):
    notice_at = appointment.start - timedelta(hours=2)
    _, note, fee = scheduling.appointment_cancel(
        appointment=appointment,
        actor=fran,
        by="client",
        notice_at=notice_at,
        means=["text"],
        minutes=2,
        summary="Client texted: child is sick.",
        now=notice_at,
    )
    assert note.summary.startswith("Client texted: child is sick.")
    assert "fee of $60.00 applies" in note.summary and fee.late


def test_front_desk_picks_any_clinicians_day(appointment, alice, fran, login):
    day = timezone.localdate(appointment.start).isoformat()
    http = login(fran)
    response = http.get(
        reverse("schedule:clinician_day"), {"date": day, "clinician": str(alice.uuid)}
    )
    assert appointment.client.display_name in response.content.decode()
    assert "Alice Adams's day" in response.content.decode()
    whole = http.get(reverse("schedule:clinician_day"), {"date": day, "clinician": "x"})
    assert whole.status_code == 302 and whole.url == f"/clients/schedule/?date={day}"


def test_reschedule_into_the_past_shows_the_error_beside_the_new_start(appointment, fran, login):
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = login(fran).post(
        reverse("schedule:reschedule", args=[appointment.uuid]),
        {
            "new_start": past,
            "notice_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "means": ["phone"],
            "minutes": "3",
            "summary": "Keep me",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "cannot be booked in the past" in body and "Keep me" in body
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED


def test_booking_page(client_record, alice, fran, bill, login):
    url = reverse("schedule:book", args=[client_record.uuid])
    assert login(bill).get(url).status_code == 403
    start = timezone.localtime() + timedelta(days=2)
    data = {
        "clinician": str(alice.pk),
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "50",
        "service_type": "intake",
    }
    http = login(fran)
    assert http.post(url, data).status_code == 302
    again = http.post(url, data)  # the same slot again
    body = again.content.decode()
    assert "Alice Adams already has an appointment at that time." in body
    assert start.strftime("%Y-%m-%dT%H:%M") in body
    assert Appointment.objects.get().service_type == "intake"


def test_booking_form_offers_the_primary_clinician_first(client_record, alice, bob, ada, login):
    from clients import services as client_services

    client_services.care_team_add(client=client_record, clinician=bob, actor=ada)
    url = reverse("schedule:book", args=[client_record.uuid])
    body = login(ada).get(url).content.decode()
    assert f'<option value="{alice.pk}" selected>' in body
    assert f'<option value="{bob.pk}">' in body


@pytest.mark.parametrize(
    "target", ["javascript:alert(1)", "https://evil.example/", "//evil.example/"]
)
def test_the_back_link_only_ever_points_at_a_day_view(appointment, fran, login, target):
    for name in ("cancel", "reschedule"):
        url = reverse(f"schedule:{name}", args=[appointment.uuid])
        body = login(fran).get(url, {"next": target}).content.decode()
        assert target not in body
    day = reverse("schedule:day") + "?date=2030-01-02"
    body = login(fran).get(url, {"next": day}).content.decode()
    assert f'href="{day}"' in body
