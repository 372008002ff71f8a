"""Billing exports: only signed billable items, totals that match the database
(and sums computed here independently), marked so a later export skips them,
voidable and redoable, CSV and XLSX, and nothing of a note's text."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import BilledItem, BillingExport, FeeScheduleEntry
from billing.selectors import last_month
from clients import services as client_services
from practice.documents.models import DocumentJob, JobStatus
from practice.models import AuditAction, AuditEvent
from tests.documents.helpers import job_bytes
from tests.documents.signing import sign_progress_note
from tests.factories import ClientFactory, ProgressNoteFactory

pytestmark = pytest.mark.django_db

BODY = "Client disclosed a family secret in session"
SUMMARY = "Talked with the client's sister about the hospital stay"


@pytest.fixture
def period():
    return last_month()


@pytest.fixture
def second_client(alice, ada):
    record = ClientFactory(legal_first_name="Zoë", legal_last_name="Ålvarez")
    client_services.care_team_add(client=record, clinician=alice, actor=ada, role="primary")
    return record


@pytest.fixture
def billable(period, alice, sam, sue, ada, client_record, second_client, make_contact_note):
    """Signed and unsigned items around last month; returns what must be exported."""
    start, end = period
    client_services.care_team_add(client=client_record, clinician=sam, actor=ada, role="member")

    def note(author, client, day, begin, finish, cpt="90837", units=1, sign=True, cosigner=None):
        n = ProgressNoteFactory(
            client=client,
            author=author,
            service_date=day,
            start_time=begin,
            end_time=finish,
            cpt_code=cpt,
            units=units,
            subjective=BODY,
        )
        return sign_progress_note(n, cosigner=cosigner) if sign else n

    sessions = [
        # (note, minutes as a person counts them)
        (note(alice, client_record, start, time(10, 0), time(10, 53)), 53),
        (
            note(alice, second_client, start + timedelta(days=5), time(9, 0), time(9, 38), "90834"),
            38,
        ),
        # past midnight: 23:30 -> 00:20 is 50 minutes
        (note(alice, second_client, end, time(23, 30), time(0, 20), "90834", units=2), 50),
        (
            note(
                sam,
                client_record,
                start + timedelta(days=7),
                time(14, 0),
                time(14, 45),
                "90834",
                cosigner=sue,
            ),
            45,
        ),
    ]
    # Not billable: a draft, a note awaiting co-signature, no CPT, outside the period.
    note(alice, client_record, start + timedelta(days=2), time(10, 0), time(10, 50), sign=False)
    note(sam, client_record, start + timedelta(days=3), time(10, 0), time(10, 50))
    note(alice, client_record, start + timedelta(days=4), time(10, 0), time(10, 10), cpt="")
    note(alice, client_record, end + timedelta(days=1), time(10, 0), time(10, 50))
    note(alice, client_record, start - timedelta(days=1), time(10, 0), time(10, 50))

    def at(day, hour=12):
        return timezone.make_aware(datetime.combine(day, time(hour, 0)))

    contacts = [
        make_contact_note(alice, minutes=20, billable=True, contact_at=at(start), summary=SUMMARY),
        make_contact_note(
            alice, minutes=35, billable=True, contact_at=at(end, 23), client=second_client
        ),
        make_contact_note(
            alice, minutes=12, billable=True, contact_at=at(start + timedelta(days=9))
        ),
    ]
    make_contact_note(alice, minutes=40, billable=False, contact_at=at(start + timedelta(days=1)))
    make_contact_note(alice, minutes=40, billable=True, sign=False, contact_at=at(start))
    make_contact_note(alice, minutes=40, billable=True, contact_at=at(end + timedelta(days=1), 0))
    return {"sessions": sessions, "contacts": contacts}


def expected_totals(billable):
    fees = {e.cpt_code: e.fee for e in FeeScheduleEntry.objects.all()}
    sessions = [n for n, _ in billable["sessions"]]
    return {
        "session_count": len(sessions),
        "session_minutes": sum(m for _, m in billable["sessions"]),
        "session_units": sum(n.units for n in sessions),
        "total_fee": sum((fees[n.cpt_code] * n.units for n in sessions), Decimal("0")),
        "contact_count": len(billable["contacts"]),
        "contact_minutes": sum(c.minutes for c in billable["contacts"]),
    }


def start_export(http, period, capture, **extra):
    start, end = period
    with capture(execute=True):
        return http.post(
            reverse("billing:export_start"),
            {"start": start.isoformat(), "end": end.isoformat(), **extra},
        )


def test_the_page_shows_the_totals_before_export_and_they_match_independent_sums(
    bill, billable, period, login
):
    expected = expected_totals(billable)
    start, end = period
    page = (
        login(bill)
        .get(reverse("billing:home"), {"start": start.isoformat(), "end": end.isoformat()})
        .content.decode()
    )
    assert f'data-total="session-count">{expected["session_count"]}<' in page
    assert f'data-total="session-minutes">{expected["session_minutes"]}<' in page
    assert f'data-total="session-units">{expected["session_units"]}<' in page
    assert f'data-total="session-fee">${expected["total_fee"]:.2f}<' in page
    assert f'data-total="contact-minutes">{expected["contact_minutes"]}<' in page
    assert BODY not in page and SUMMARY not in page


def test_an_export_marks_its_items_and_the_files_match_the_database_to_the_minute(
    bill, billable, period, login, django_capture_on_commit_callbacks
):
    http = login(bill)
    response = start_export(http, period, django_capture_on_commit_callbacks)
    job = DocumentJob.objects.get(requested_by=bill)
    assert response.url == reverse("documents:job", args=[job.uuid])
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    export = BillingExport.objects.get(job_uuid=job.uuid)
    expected = expected_totals(billable)
    for field, value in expected.items():
        assert getattr(export, field) == value, field
    assert set(BilledItem.objects.filter(export=export).values_list("item_uuid", flat=True)) == {
        n.uuid for n, _ in billable["sessions"]
    } | {c.uuid for c in billable["contacts"]}

    raw = job_bytes(job, "sessions-csv")
    text = raw.decode("utf-8")
    assert "Ålvarez, Zoë" in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0].startswith("row_type,service_date,client_mrn")
    items = [r for r in rows if r["row_type"] == "session"]
    (total,) = [r for r in rows if r["row_type"] == "total"]
    assert len(items) == expected["session_count"]
    assert (
        sum(int(r["minutes"]) for r in items)
        == expected["session_minutes"]
        == int(total["minutes"])
    )
    assert sum(Decimal(r["fee"]) for r in items) == expected["total_fee"] == Decimal(total["fee"])
    wrapped = next(r for r in items if r["units"] == "2")
    assert wrapped["minutes"] == "50" and wrapped["icd10_codes"] == "F41.1"
    assert {r["credentials"] for r in items} == {"LCSW", "LPC-A"}

    contacts = list(csv.DictReader(io.StringIO(job_bytes(job, "contacts-csv").decode("utf-8"))))
    contact_items = [r for r in contacts if r["row_type"] == "contact"]
    assert sum(int(r["minutes"]) for r in contact_items) == expected["contact_minutes"]
    per_client = {
        r["client_mrn"]: int(r["minutes"]) for r in contacts if r["row_type"] == "client_total"
    }
    assert sum(per_client.values()) == expected["contact_minutes"]
    assert per_client == {
        billable["contacts"][0].client.mrn: 32,
        billable["contacts"][1].client.mrn: 35,
    }
    per_clinician = [int(r["minutes"]) for r in contacts if r["row_type"] == "clinician_total"]
    assert per_clinician == [expected["contact_minutes"]]
    assert [int(r["minutes"]) for r in contacts if r["row_type"] == "total"] == [
        expected["contact_minutes"]
    ]

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(job_bytes(job, "xlsx")))
    assert book.sheetnames == ["Sessions", "Contact minutes", "Totals"]
    totals = {row[0]: row[1] for row in book["Totals"].iter_rows(min_row=2, values_only=True)}
    assert totals["session_minutes"] == expected["session_minutes"]
    assert totals["contact_minutes"] == expected["contact_minutes"]
    assert Decimal(str(totals["session_fees"])) == expected["total_fee"]

    for key in ("sessions-csv", "contacts-csv", "xlsx"):
        blob = job_bytes(job, key)
        assert BODY.encode() not in blob and SUMMARY.encode() not in blob
    # The job page shows the same totals before the download.
    page = http.get(reverse("documents:job", args=[job.uuid])).content.decode()
    assert f'data-total="session-minutes">{expected["session_minutes"]}<' in page
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, user=bill).exists()


def test_a_later_export_skips_what_was_billed_and_a_voided_export_can_be_redone(
    bill, billable, period, login, django_capture_on_commit_callbacks
):
    http = login(bill)
    start_export(http, period, django_capture_on_commit_callbacks)
    first = BillingExport.objects.get()
    start_export(http, period, django_capture_on_commit_callbacks)
    # Nothing left: the second export is refused, not recorded empty.
    assert BillingExport.objects.count() == 1

    refused = http.post(reverse("billing:export_void", args=[first.uuid]), {"reason": ""})
    assert refused.status_code == 400
    http.post(reverse("billing:export_void", args=[first.uuid]), {"reason": "Wrong payer"})
    first.refresh_from_db()
    assert first.status == "voided" and first.void_reason == "Wrong payer"
    assert not BilledItem.objects.filter(export=first, voided=False).exists()
    with django_capture_on_commit_callbacks(execute=True):
        http.post(reverse("billing:export_redo", args=[first.uuid]))
    redo = BillingExport.objects.order_by("-id").first()
    assert redo.pk != first.pk
    assert redo.session_minutes == first.session_minutes
    assert redo.contact_minutes == first.contact_minutes
    # Voiding twice is refused; the first void stays.
    http.post(reverse("billing:export_void", args=[first.uuid]), {"reason": "again"})
    first.refresh_from_db()
    assert first.void_reason == "Wrong payer"


def test_a_retried_export_task_records_the_export_and_its_items_once(
    bill, billable, period, login, django_capture_on_commit_callbacks
):
    from practice.documents import jobs

    start_export(login(bill), period, django_capture_on_commit_callbacks)
    job = DocumentJob.objects.get()
    DocumentJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    jobs.document_job_run(job_id=job.pk)
    assert BillingExport.objects.count() == 1
    assert BilledItem.objects.count() == len(billable["sessions"]) + len(billable["contacts"])
    assert sorted(p.name for p in jobs.job_dir(job).iterdir()) == [
        "contacts-csv",
        "sessions-csv",
        "xlsx",
    ]


def test_the_clinician_and_client_filters_narrow_the_export(
    bill, alice, billable, period, second_client, login, django_capture_on_commit_callbacks
):
    http = login(bill)
    start_export(
        http,
        period,
        django_capture_on_commit_callbacks,
        clinician=str(alice.uuid),
        client_mrn=second_client.mrn,
    )
    export = BillingExport.objects.get()
    assert export.session_count == 2 and export.session_minutes == 88
    assert export.contact_minutes == 35


@pytest.mark.parametrize("who", ["alice", "sue", "fran", "audrey", "root"])
def test_only_billers_reach_billing(
    who, people, bill, billable, period, login, django_capture_on_commit_callbacks
):
    start_export(login(bill), period, django_capture_on_commit_callbacks)
    export = BillingExport.objects.get()
    http = login(people[who])
    assert http.get(reverse("billing:home")).status_code == 403
    assert start_export(http, period, django_capture_on_commit_callbacks).status_code == 403
    assert http.get(reverse("billing:export", args=[export.uuid])).status_code == 404
    assert (
        http.post(reverse("billing:export_void", args=[export.uuid]), {"reason": "x"}).status_code
        == 404
    )
    assert BillingExport.objects.count() == 1
    assert (
        AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, user=people[who]).count() >= 4
    )


def test_a_biller_cannot_download_an_auditors_export_and_vice_versa(
    bill, audrey, billable, period, client_record, login, django_capture_on_commit_callbacks
):
    start_export(login(bill), period, django_capture_on_commit_callbacks)
    billing_job = DocumentJob.objects.get(requested_by=bill)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        login(audrey).post(
            reverse("records:chart_export"),
            {
                "client": str(client_record.uuid),
                "start": (today - timedelta(days=60)).isoformat(),
                "end": today.isoformat(),
            },
        )
    chart_job = DocumentJob.objects.get(requested_by=audrey)
    assert chart_job.status == JobStatus.DONE
    assert (
        login(bill).get(reverse("documents:download", args=[chart_job.uuid, "pdf"])).status_code
        == 404
    )
    assert (
        login(audrey)
        .get(reverse("documents:download", args=[billing_job.uuid, "sessions-csv"]))
        .status_code
        == 404
    )
    # Another biller sees the export's totals but not its files.
    from practice.roles import Role
    from tests.factories import UserFactory

    other = UserFactory(role=Role.BILLER)
    http = login(other)
    export = BillingExport.objects.get()
    assert http.get(reverse("billing:export", args=[export.uuid])).status_code == 200
    assert (
        http.get(reverse("documents:download", args=[billing_job.uuid, "sessions-csv"])).status_code
        == 404
    )


def test_sessions_with_seconds_count_whole_minutes_on_the_page_and_in_the_export(
    bill, alice, client_record, period, login, django_capture_on_commit_callbacks
):
    """A time typed with seconds (10:00:00-10:45:30) is 45 minutes, as the note
    says, in the preview and in the export alike (not 45.5 summed in SQL)."""
    start, _ = period
    for day in (start, start + timedelta(days=1)):
        note = ProgressNoteFactory(
            client=client_record,
            author=alice,
            service_date=day,
            start_time=time(10, 0, 0),
            end_time=time(10, 45, 30),
            cpt_code="90834",
        )
        assert note.duration_minutes == 45
        sign_progress_note(note)
    http = login(bill)
    page = http.get(
        reverse("billing:home"), {"start": start.isoformat(), "end": period[1].isoformat()}
    ).content.decode()
    assert 'data-total="session-minutes">90<' in page
    start_export(http, period, django_capture_on_commit_callbacks)
    export = BillingExport.objects.get()
    assert export.session_minutes == 90
    assert sorted(export.items.values_list("minutes", flat=True)) == [45, 45]


def test_the_client_filter_keeps_the_mrn_out_of_the_url(
    bill, billable, period, second_client, login
):
    """An MRN is an identifier (PHI): it is posted, never put in a query string
    that lands in server logs and browser history."""
    http = login(bill)
    start, end = period
    page = http.get(reverse("billing:home")).content.decode()
    assert 'class="period-form" method="post"' in page
    response = http.post(
        reverse("billing:home"),
        {"start": start.isoformat(), "end": end.isoformat(), "client_mrn": second_client.mrn},
    )
    assert response.status_code == 200
    filtered = response.content.decode()
    assert 'data-total="contact-minutes">35<' in filtered
    assert f'name="client_mrn" value="{second_client.mrn}"' in filtered
    # An MRN in a query string is not used (links never carry one).
    response = http.get(
        reverse("billing:home"),
        {"start": start.isoformat(), "end": end.isoformat(), "client_mrn": second_client.mrn},
    )
    assert 'data-total="contact-minutes">67<' in response.content.decode()


def test_the_files_of_a_voided_export_are_withdrawn(
    bill, billable, period, login, django_capture_on_commit_callbacks
):
    """Once voided, its items are billable again: a file still handed out could
    be sent to the payer next to the redone export and bill the sessions twice."""
    http = login(bill)
    start_export(http, period, django_capture_on_commit_callbacks)
    export = BillingExport.objects.get()
    job = DocumentJob.objects.get(uuid=export.job_uuid)
    download = reverse("documents:download", args=[job.uuid, "sessions-csv"])
    assert http.get(download).status_code == 200
    http.post(reverse("billing:export_void", args=[export.uuid]), {"reason": "Wrong payer"})
    response = http.get(download)
    assert response.status_code == 410
    assert "voided" in response.content.decode()
    page = http.get(reverse("documents:job", args=[job.uuid])).content.decode()
    assert download not in page and "voided" in page
    # Only the download before the void was handed out (and audited).
    assert (
        AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, object_id=str(job.uuid)).count() == 1
    )


def test_a_second_tab_s_export_is_refused_not_recorded_as_an_empty_one(
    bill, billable, period, login, django_capture_on_commit_callbacks
):
    http = login(bill)
    start_export(http, period, django_capture_on_commit_callbacks)
    start_export(http, period, django_capture_on_commit_callbacks)
    assert BillingExport.objects.count() == 1
    second = DocumentJob.objects.order_by("-id").first()
    assert second.status == JobStatus.FAILED
    page = http.get(reverse("documents:job", args=[second.uuid])).content.decode()
    assert "Nothing to export" in page
