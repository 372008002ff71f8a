"""Client mode: the clinician hands the device to the client for one measure.
Nothing else answers until the clinician's password is entered again."""

from __future__ import annotations

import pytest
from django.utils import timezone

from clients import services as client_services
from clients.models import Client
from notes.measures.models import GivenBy, MeasureResult
from practice import kiosk
from practice.models import AuditAction, AuditEvent
from tests.factories import PASSWORD, ClientFactory, ProgressNoteFactory

pytestmark = pytest.mark.django_db

MODE = "/measures/client-mode/"
LEAVE = "/measures/client-mode/leave/"


@pytest.fixture
def locked(client_record, alice, login):
    http = login(alice)
    response = http.post(f"/measures/client/{client_record.uuid}/client-mode/phq9/")
    assert response.status_code == 302 and response["Location"] == MODE
    return http


def _answers(item9="0"):
    return {f"item_{i}": "1" for i in range(1, 9)} | {"item_9": item9}


def test_the_client_sees_one_questionnaire_and_no_navigation(locked, client_record):
    page = locked.get(MODE).content.decode()
    assert "Little interest or pleasure in doing things" in page
    assert 'aria-label="Main"' not in page and "Sign out" not in page
    # Nothing about the chart: not the client's name, not the MRN.
    assert client_record.legal_last_name not in page and client_record.mrn not in page


@pytest.mark.parametrize(
    "url",
    [
        "/clients/caseload/",
        "/clients/",
        "/notes/",
        "/documents/",
        "/staff/",
        "/operator/",
        "/accounts/mfa/setup/",
        "/process-notes/client/{client}/",
        "/clients/{client}/",
        "/measures/client/{client}/give/phq9/",
        "/measures/client/{client}/client-mode/gad7/",
        "/no-such-page/",
    ],
)
def test_typing_another_url_leads_back_and_is_audited(locked, client_record, url):
    url = url.format(client=client_record.uuid)
    response = locked.get(url)
    assert response.status_code == 302 and response["Location"] == MODE
    event = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).latest("id")
    assert event.detail["kiosk"] == "measures.client_mode" and event.detail["path"] == url


def test_posts_elsewhere_are_refused_too(locked, client_record):
    note = ProgressNoteFactory(
        client=client_record, author=client_record.care_team.first().clinician
    )
    assert locked.post(f"/notes/{note.uuid}/sign/", {"override_reason": "x"}).status_code == 302
    note.refresh_from_db()
    assert not note.is_signed
    # Signing out is leaving too: the session stays locked and signed in.
    assert locked.post("/accounts/logout/")["Location"] == MODE
    assert locked.get(MODE).status_code == 200
    # Scripts asking for JSON are told it is locked.
    assert locked.get("/clients/", HTTP_ACCEPT="application/json").status_code == 423


def test_unanswered_questions_are_named_and_answers_kept(locked):
    answers = _answers()
    del answers["item_4"]
    response = locked.post(MODE, answers)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Answer question 4." in page
    assert page.count(" checked>") == 8  # the other eight answers are kept
    assert not MeasureResult.objects.exists()


def test_the_client_submits_and_is_thanked_without_the_score(locked, client_record, alice):
    response = locked.post(MODE, _answers(item9="1"), follow=True)
    page = response.content.decode()
    assert "Thank you" in page and "hand the device back" in page
    assert "Mild" not in page and "Suicide-item" not in page and "above 0" not in page
    result = MeasureResult.objects.get()
    assert (result.client, result.clinician, result.given_by) == (
        client_record,
        alice,
        GivenBy.CLIENT,
    )
    assert result.total == 9 and result.alert
    # Answering again does not record a second one (the page stays on "thank you").
    locked.post(MODE, _answers())
    assert MeasureResult.objects.count() == 1


def test_a_wrong_password_keeps_the_lock_and_is_audited(locked):
    response = locked.post(LEAVE, {"password": "guess"})
    assert response.status_code == 400
    assert "not the password" in response.content.decode()
    assert locked.get("/clients/")["Location"] == MODE
    event = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).get()
    assert event.detail["kiosk_unlock"] == "measures.client_mode"


def test_too_many_wrong_passwords_end_the_session(locked):
    for _ in range(kiosk.MAX_UNLOCK_FAILURES - 1):
        locked.post(LEAVE, {"password": "guess"})
    response = locked.post(LEAVE, {"password": "guess"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert locked.get("/clients/")["Location"].startswith("/accounts/login/")


def test_the_clinicians_password_unlocks_and_tells_them_of_the_alert(locked):
    locked.post(MODE, _answers(item9="2"))
    response = locked.post(LEAVE, {"password": PASSWORD}, follow=True)
    page = response.content.decode()
    result = MeasureResult.objects.get()
    assert response.redirect_chain[-1][0] == f"/measures/{result.uuid}/"
    assert "was answered above 0" in page and "Suicide-item alert." in page
    assert locked.get("/clients/").status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN, detail__kiosk_unlock="measures.client_mode"
    ).exists()


def test_leaving_before_an_answer_records_nothing(locked, client_record):
    response = locked.post(LEAVE, {"password": PASSWORD})
    assert response["Location"] == f"/clients/{client_record.uuid}/"
    assert not MeasureResult.objects.exists()


def test_client_mode_pages_are_404_when_not_in_client_mode(alice, login):
    http = login(alice)
    assert http.get(MODE).status_code == 404
    assert http.get(LEAVE).status_code == 404


def test_only_the_care_team_starts_client_mode(client_record, bob, fran, login):
    url = f"/measures/client/{client_record.uuid}/client-mode/phq9/"
    assert login(bob).post(url).status_code == 404
    http = login(fran)
    assert http.post(url).status_code == 403
    assert http.get("/clients/").status_code == 200  # not locked


def test_client_mode_refuses_a_discharged_client(alice, ada, login):
    other = ClientFactory()
    client_services.care_team_add(client=other, clinician=alice, actor=ada)
    Client.objects.filter(pk=other.pk).update(
        status="discharged", discharge_date=timezone.localdate()
    )
    http = login(alice)
    http.post(f"/measures/client/{other.uuid}/client-mode/phq9/")
    assert http.get("/clients/").status_code == 200
