"""Walk the permission matrix (tests/permission_matrix.py): every role against
every URL pattern, GET and (for writes) POST, and fail when a URL pattern of
the project has no row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.db import transaction
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from billing import services as billing_services
from billing.services import BILLING_EXPORT
from clients.models import AmendmentRequest, EmergencyAccess
from clients.records.chart_export import CHART_EXPORT
from clients.schedule import services as scheduling
from clients.schedule.models import CalendarFeed
from contacts import services as contact_services
from notes import services as note_services
from notes.plans import services as plan_services
from notes.psychotherapy import services as pn_services
from tests.factories import (
    ClientFactory,
    CollateralFactory,
    DocumentJobFactory,
    ProgressNoteFactory,
    ReleaseFactory,
    UserFactory,
    process_note_key,
)
from tests.permission_matrix import EXCLUDED, MATRIX, ROLES


def _all_url_names(patterns=None, namespace=""):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _all_url_names(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}:{p.name}" if namespace else p.name


def _excluded(name: str) -> bool:
    return any(
        name == rule or (rule.endswith(":*") and name.startswith(rule[:-1])) for rule in EXCLUDED
    )


def test_every_url_pattern_is_in_the_matrix():
    names = {n for n in _all_url_names() if not _excluded(n)}
    in_matrix = {row.name for row in MATRIX}
    missing = sorted(names - in_matrix)
    assert not missing, (
        "URL patterns without a row in tests/permission_matrix.py (add one line each, "
        f"see the top of that file): {missing}"
    )
    stale = sorted(in_matrix - names)
    assert not stale, f"Rows for URL names that no longer exist: {stale}"


def test_every_row_names_every_role():
    for row in MATRIX:
        for method, spec in (("GET", row.get), ("POST", row.post)):
            if spec is not None:
                assert len(spec.split()) == len(ROLES), f"{row.name} {method}: {spec!r}"


@pytest.fixture
def objects(people, client_record, settings, documents_settings):
    """The records the URLs point at. Everything belongs to client_record
    (Alice's caseload), so bob, sue and root are outsiders."""
    settings.PROCESS_NOTES_KEYS = Fernet.generate_key().decode()
    alice, fran, bob = people["alice"], people["fran"], people["bob"]
    contact = CollateralFactory(
        client=client_record, name="Pat Rivera", is_personal_representative=True
    )
    roi = ReleaseFactory(contact=contact)
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    appointment = scheduling.appointment_book(
        client=client_record,
        clinician=alice,
        start=start + timedelta(days=1),
        duration_minutes=50,
        service_type="individual",
        actor=fran,
    )

    def contact_note(sign: bool):
        return contact_services.contact_note_create(
            client=client_record,
            author=alice,
            contact_at=timezone.now() - timedelta(hours=1),
            reason="treatment_update",
            means=["phone"],
            minutes=15,
            billable=False,
            summary="Matrix summary",
            sign=sign,
        )

    process_note = pn_services.process_note_create(
        author=alice, client=client_record, text="Matrix process note", key=process_note_key(alice)
    )
    amendment = AmendmentRequest.objects.create(
        client=client_record,
        received_on=timezone.localdate(),
        record_reference="Progress note",
        requested_change="Please correct the date.",
        logged_by=fran,
    )
    progress_note = note_services.note_sign(
        note=ProgressNoteFactory(client=client_record, author=alice), actor=alice
    )
    progress_draft = ProgressNoteFactory(client=client_record, author=alice)
    # The client's plan in effect (tests/conftest.py) and Alice's draft revision of it.
    plan = client_record.treatment_plans.get()
    plan_draft = plan_services.plan_start(client=client_record, actor=alice)
    # A finished chart export asked for by the auditor (only she may open it): a
    # ready job row with a small file, not a rendered and signed PDF (the
    # documents tests cover making them).
    job = DocumentJobFactory(
        kind=CHART_EXPORT, requested_by=people["audrey"], client_uuid=client_record.uuid
    )
    # A billing export made by the biller: its row and items are recorded as
    # the worker would, its files are not built.
    billing_job = DocumentJobFactory(
        kind=BILLING_EXPORT,
        requested_by=people["bill"],
        params={
            "start": str(timezone.localdate() - timedelta(days=30)),
            "end": str(timezone.localdate()),
            "clinician": None,
            "client": None,
        },
    )
    billing_export = billing_services.billing_export_create(job=billing_job)
    other_client = ClientFactory()
    grant = EmergencyAccess.objects.create(
        client=other_client,
        user=people["sue"],
        reason="Matrix emergency reason",
        started_at=timezone.now() - timedelta(hours=3),
        expires_at=timezone.now() - timedelta(hours=2),
    )
    from notes.measures import services as measure_services

    measure_result = measure_services.measure_record(
        client=client_record, instrument="phq9", answers=[1] * 8 + [0], clinician=alice
    )
    measure_schedule = measure_services.measure_schedule_set(
        client=client_record,
        instrument="phq9",
        every_days=28,
        starts_on=timezone.localdate(),
        actor=alice,
    )
    return {
        "client": client_record.uuid,
        "phq9": "phq9",
        "measure_result": measure_result.uuid,
        "measure_schedule": measure_schedule.uuid,
        "member": client_record.care_team.get(clinician=alice).pk,
        "diagnosis": client_record.diagnoses.first().uuid,
        "contact": contact.uuid,
        "roi": roi.uuid,
        "appointment": appointment.uuid,
        "feed_token": CalendarFeed.objects.create(user=alice).token,
        "contact_note": contact_note(sign=True).uuid,
        "contact_draft": contact_note(sign=False).uuid,
        "process_note": process_note.uuid,
        "amendment": amendment.uuid,
        "grant": grant.uuid,
        "staff": bob.uuid,
        "other_staff": UserFactory(username="otto").uuid,
        "progress_note": progress_note.uuid,
        "progress_draft": progress_draft.uuid,
        "plan": plan.uuid,
        "plan_draft": plan_draft.uuid,
        "job": job.uuid,
        "job_file": next(iter(job.files)),
        "billing_export": billing_export.uuid,
    }


def _cases():
    for row in MATRIX:
        for method, spec in (("GET", row.get), ("POST", row.post)):
            if spec is not None:
                yield pytest.param(row, method, spec, id=f"{row.name}-{method}")


@pytest.mark.parametrize("row,method,spec", list(_cases()))
def test_matrix(row, method, spec, objects, people, login):
    """One row, one method, every role. Each role's request runs in a savepoint
    that is rolled back, so one role's write does not change the next one's
    outcome; all mismatches of the row are reported together."""
    url = reverse(row.name, kwargs={k: objects[v] for k, v in row.kwargs.items()})
    mismatches = []
    for role, expected in zip(ROLES, spec.split(), strict=True):
        savepoint = transaction.savepoint()
        try:
            http = HttpClient() if role == "anon" else login(people[role])
            response = http.get(url) if method == "GET" else http.post(url, row.data or {})
            got = response.status_code
            if (
                role == "anon"
                and got == 302
                and not response["Location"].startswith(reverse("login"))
            ):
                got = "302 (not to sign-in)"
        finally:
            transaction.savepoint_rollback(savepoint)
        if str(got) != expected:
            mismatches.append(f"{role}: got {got}, matrix says {expected}")
    assert not mismatches, f"{method} {url}\n" + "\n".join(mismatches)
