"""Walk the permission matrix (tests/permission_matrix.py): every role against
every URL pattern, GET and (for writes) POST, and fail when a URL pattern of
the project has no row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from billing import services as billing_services
from billing.services import BILLING_EXPORT
from clients import services as client_services
from clients.models import AmendmentRequest, EmergencyAccess
from clients.records.chart_export import CHART_EXPORT
from clients.schedule import services as scheduling
from clients.schedule.models import CalendarFeed
from contacts import services as contact_services
from notes import services as note_services
from notes.plans import services as plan_services
from notes.psychotherapy import services as pn_services
from practice.models import AuditEvent, PracticeSettings
from practice.roles import Role
from tests.factories import (
    ClientFactory,
    CollateralFactory,
    DocumentJobFactory,
    ProgressNoteFactory,
    ReleaseFactory,
    UserFactory,
    process_note_key,
)
from tests.permission_matrix import EXCLUDED, MATRIX, REFUSED, ROLES


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
def matrix_people(people):
    """``people`` plus a second care-team clinician and a second biller."""
    return {
        **people,
        "cleo": UserFactory(username="cleo", credentials="LMFT", role=Role.CLINICIAN),
        "bella": UserFactory(username="bella", role=Role.BILLER),
    }


@pytest.fixture
def objects(matrix_people, client_record, settings, documents_settings):
    """The records the URLs point at. Everything belongs to client_record
    (Alice's caseload, Cleo on its care team), so bob, sue and root are outsiders."""
    settings.PROCESS_NOTES_KEYS = Fernet.generate_key().decode()
    people = matrix_people
    alice, fran, bob = people["alice"], people["fran"], people["bob"]
    client_services.care_team_add(
        client=client_record, clinician=people["cleo"], actor=people["ada"]
    )
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
    # The client's plan in effect (tests/conftest.py) and Alice's draft revision of it.
    plan = client_record.treatment_plans.get()
    plan_draft = plan_services.plan_start(client=client_record, actor=alice)
    progress_note = note_services.note_sign(
        note=ProgressNoteFactory(client=client_record, author=alice), actor=alice
    )
    progress_draft = ProgressNoteFactory(client=client_record, author=alice)
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
        "plan": plan.uuid,
        "plan_draft": plan_draft.uuid,
        "progress_note": progress_note.uuid,
        "progress_draft": progress_draft.uuid,
        "job": job.uuid,
        "job_file": next(iter(job.files)),
        "billing_export": billing_export.uuid,
        "people": {name: user.pk for name, user in people.items()},
        "other_client_mrn": other_client.mrn,
        # the operator console and the password views
        "user_ct": ContentType.objects.get_for_model(bob).pk,
        "user_id": bob.pk,
        "settings_id": PracticeSettings.load().pk,
        "audit_id": AuditEvent.objects.order_by("id").first().pk,
        "missing_id": 999_999,
        "app_label": "practice",
        "reset_uid": urlsafe_base64_encode(force_bytes(alice.pk)),
        "reset_token": "not-a-valid-token",
    }


def _cases():
    for row in MATRIX:
        for method, spec in (("GET", row.get), ("POST", row.post)):
            if spec is not None:
                yield pytest.param(row, method, spec, id=f"{row.name}-{method}")


# What a request may change without that being "a write": the audit trail (a
# refusal is audited), sessions and sign-in bookkeeping.
NOT_RECORD_TABLES = frozenset(
    {
        "practice_auditevent",
        "django_session",
        "axes_accessattempt",
        "axes_accesslog",
        "axes_accessfailurelog",
        "otp_totp_totpdevice",
        "otp_static_staticdevice",
        "otp_static_statictoken",
    }
)


def database_state() -> dict[str, str]:
    """A digest of every table's rows (one query): equal digests, same data."""
    with connection.cursor() as cursor:
        tables = [
            t for t in connection.introspection.table_names(cursor) if t not in NOT_RECORD_TABLES
        ]
        parts = [
            f"SELECT '{t}', md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) "
            f'FROM "{t}" x'
            for t in tables
        ]
        cursor.execute(" UNION ALL ".join(parts))
        return dict(cursor.fetchall())


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(t for t in after if before.get(t) != after[t])


def _body(row, objects) -> dict:
    data = row.data(objects) if callable(row.data) else row.data
    return data or {}


@pytest.mark.parametrize("row,method,spec", list(_cases()))
def test_matrix(row, method, spec, objects, matrix_people, login):
    """One row, one method, every role. Each role's request runs in a savepoint
    that is rolled back, so one role's write does not change the next one's
    outcome; all mismatches of the row are reported together.

    POSTs send the row's real form body. A refused request (anyone sent to
    sign in, 400, 403, 404, 405) must leave every table but the audit trail
    exactly as it was; an allowed write (302 on a row with a body) must
    actually change something.
    """
    url = reverse(row.name, kwargs={k: objects[v] for k, v in row.kwargs.items()})
    sign_in = reverse("admin:login") if row.name.startswith("admin:") else reverse("login")
    mismatches = []
    for role, expected in zip(ROLES, spec.split(), strict=True):
        savepoint = transaction.savepoint()
        try:
            http = HttpClient() if role == "anon" else login(matrix_people[role])
            before = database_state()
            body = _body(row, objects)
            response = http.get(url) if method == "GET" else http.post(url, body)
            changed = changed_tables(before, database_state())
            got = str(response.status_code)
            to_sign_in = got == "302" and response["Location"].startswith(sign_in)
            if role == "anon" and got == "302" and not to_sign_in:
                got = "302!"  # a redirect, but not to the sign-in page
        finally:
            transaction.savepoint_rollback(savepoint)
        refused = role == "anon" or expected in REFUSED or to_sign_in
        if got != expected:
            mismatches.append(f"{role}: got {got}, matrix says {expected}")
        elif refused and changed:
            mismatches.append(f"{role}: refused with {got} but changed {changed}")
        elif not refused and method == "POST" and row.writes and got == "302" and not changed:
            mismatches.append(f"{role}: answered 302 but wrote nothing")
    assert not mismatches, f"{method} {url}\n" + "\n".join(mismatches)


@pytest.mark.parametrize("url_name", ["admin:logout", "logout"])
@pytest.mark.parametrize("role", ["alice", "root"])
def test_a_get_to_a_logout_url_signs_nobody_out(url_name, role, matrix_people, login):
    """A logout is a POST: a link or an <img> pointing at /operator/logout/ or
    /accounts/logout/ (a GET from another page) must not end anyone's session."""
    http = login(matrix_people[role])
    assert http.get(reverse("session_status")).status_code == 200
    response = http.get(reverse(url_name))
    assert response.status_code in (302, 405)
    assert http.get(reverse("session_status")).status_code == 200, "a GET signed them out"
    # The console's logout is the operator's; it sends a clinician to its index.
    if url_name == "logout" or role == "root":
        http.post(reverse(url_name))
        assert http.get(reverse("session_status")).status_code == 401, "the POST did not"
