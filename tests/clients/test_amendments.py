"""Amendment requests: logged, accepted (signed, frozen) or denied with a
statement of disagreement, visible in the chart, audited."""

from __future__ import annotations

import pytest
from django.db import InternalError, ProgrammingError, transaction
from django.urls import reverse

from clients.models import AmendmentRequest, AmendmentStatus
from practice.models import AuditAction, AuditEvent

CHANGE = "The note of 2026-10-03 says I was late; I was on time."


def log_request(http, client_record):
    return http.post(
        reverse("clients:amendment_create", args=[client_record.uuid]),
        {
            "received_on": "2026-11-01",
            "requested_by": "Client",
            "record_reference": "Progress note 2026-10-03",
            "requested_change": CHANGE,
        },
    )


def urls(client_record, req):
    args = [client_record.uuid, req.uuid]
    return {
        name: reverse(f"clients:amendment_{name}", args=args)
        for name in ("detail", "accept", "deny", "disagreement")
    }


@pytest.mark.parametrize("who", ["fran", "alice", "ada"])
def test_front_desk_clinician_and_admin_log_requests(login, people, client_record, who):
    response = log_request(login(people[who]), client_record)
    assert response.status_code == 302
    req = AmendmentRequest.objects.get()
    assert req.status == AmendmentStatus.PENDING and req.logged_by == people[who]
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(req.uuid)).exists()


@pytest.mark.parametrize(
    "who,status", [("bill", 403), ("audrey", 403), ("bob", 404), ("root", 404)]
)
def test_others_cannot_log(login, people, client_record, who, status):
    assert log_request(login(people[who]), client_record).status_code == status
    assert not AmendmentRequest.objects.exists()


def test_accept_signs_and_freezes_the_amendment(login, alice, fran, client_record):
    log_request(login(fran), client_record)
    req = AmendmentRequest.objects.get()
    http = login(alice)
    u = urls(client_record, req)
    # The front desk cannot decide.
    assert login(fran).post(u["accept"], {"amendment_text": "x"}).status_code == 403
    response = http.post(u["accept"], {"amendment_text": "Client arrived on time (10:00)."})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == AmendmentStatus.ACCEPTED
    assert req.signer_name == alice.signature_name and len(req.content_hash) == 64
    # Twice: decided once.
    again = http.post(u["deny"], {"denial_reason": "no"})
    assert again.status_code == 400 and "already been decided" in again.content.decode()
    chart = http.get(reverse("records:chart", args=[client_record.uuid])).content.decode()
    assert "Client arrived on time (10:00)." in chart and "Accepted" in chart
    # The front desk sees that it was accepted, not the clinical text itself.
    desk = login(fran)
    for page in (reverse("records:chart", args=[client_record.uuid]), u["detail"]):
        html = desk.get(page).content.decode()
        assert "Accepted" in html and "Client arrived on time (10:00)." not in html
    assert AuditEvent.objects.filter(action=AuditAction.SIGN, object_id=str(req.uuid)).exists()
    with pytest.raises(RuntimeError):
        req.amendment_text = "changed"
        req.save()
    with pytest.raises(RuntimeError):
        req.delete()


@pytest.mark.postgres
def test_database_refuses_to_change_a_decided_request(login, alice, client_record):
    log_request(login(alice), client_record)
    req = AmendmentRequest.objects.get()
    login(alice).post(urls(client_record, req)["accept"], {"amendment_text": "Corrected."})
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        AmendmentRequest.objects.filter(pk=req.pk).update(amendment_text="tampered")
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        AmendmentRequest.objects.filter(pk=req.pk).delete()


def test_deny_keeps_reason_and_takes_one_statement_of_disagreement(
    login, alice, fran, client_record
):
    log_request(login(fran), client_record)
    req = AmendmentRequest.objects.get()
    u = urls(client_record, req)
    empty = login(alice).post(u["deny"], {"denial_reason": ""})
    assert empty.status_code == 400 and "This field is required" in empty.content.decode()
    login(alice).post(u["deny"], {"denial_reason": "The note is accurate and complete."})
    req.refresh_from_db()
    assert req.status == AmendmentStatus.DENIED
    desk = login(fran)
    page = desk.get(u["detail"]).content.decode()
    assert "The note is accurate and complete." in page and "statement of disagreement" in page
    response = desk.post(
        u["disagreement"], {"received_on": "2026-11-10", "statement": "I disagree."}
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.disagreement_statement == "I disagree." and req.disagreement_logged_by == fran
    second = desk.post(u["disagreement"], {"received_on": "2026-11-11", "statement": "More."})
    assert second.status_code == 400
    req.refresh_from_db()
    assert req.disagreement_statement == "I disagree."
    chart = login(alice).get(reverse("records:chart", args=[client_record.uuid])).content.decode()
    assert "Denied" in chart and "statement of disagreement attached" in chart


def test_disagreement_only_on_denied(login, alice, client_record):
    log_request(login(alice), client_record)
    req = AmendmentRequest.objects.get()
    response = login(alice).post(
        urls(client_record, req)["disagreement"], {"received_on": "2026-11-10", "statement": "x"}
    )
    assert response.status_code == 400
    assert AmendmentRequest.objects.get().disagreement_statement == ""


@pytest.mark.parametrize(
    "who,section,detail", [("audrey", True, 200), ("bill", False, 403), ("bob", False, 404)]
)
def test_who_sees_amendments(login, people, alice, client_record, who, section, detail):
    log_request(login(alice), client_record)
    req = AmendmentRequest.objects.get()
    http = login(people[who])
    chart = http.get(reverse("records:chart", args=[client_record.uuid]))
    assert ("Amendment requests" in chart.content.decode()) is section
    assert http.get(urls(client_record, req)["detail"]).status_code == detail


def test_auditor_reads_but_cannot_decide(login, alice, audrey, client_record):
    log_request(login(alice), client_record)
    req = AmendmentRequest.objects.get()
    u = urls(client_record, req)
    page = login(audrey).get(u["detail"]).content.decode()
    assert CHANGE in page and "Accept and sign" not in page
    assert login(audrey).post(u["accept"], {"amendment_text": "x"}).status_code == 403


def test_amendment_text_is_escaped(login, alice, client_record):
    log_request(login(alice), client_record)
    req = AmendmentRequest.objects.get()
    login(alice).post(
        urls(client_record, req)["accept"], {"amendment_text": "<script>x()</script>"}
    )
    page = login(alice).get(urls(client_record, req)["detail"]).content.decode()
    assert "<script>x()" not in page and "&lt;script&gt;" in page
