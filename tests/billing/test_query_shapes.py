"""The billing selectors and the export keep the query shapes that stay fast on a
practice of 250,000 billed items (issue 18).

``uuid__in=<billed items>`` made PostgreSQL plan ``NOT (SubPlan)`` and re-read
every billed item for each candidate note: a month's export of the whole
practice took 13 minutes. The selectors must answer "already billed?" with a
correlated ``EXISTS`` (one probe of the partial unique index per note), and
the export must not fetch a query per item.
"""

from __future__ import annotations

import re
from datetime import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing import selectors
from billing.models import BilledItem
from billing.services import BILLING_EXPORT
from practice.documents.jobs import document_job_run
from practice.documents.models import DocumentJob
from tests.documents.signing import sign_progress_note
from tests.factories import ProgressNoteFactory

pytestmark = pytest.mark.django_db

IN_SUBSELECT = re.compile(r"\bIN \(\s*SELECT", re.IGNORECASE)


def _period():
    start, end = selectors.last_month()
    return selectors.Period(start=start, end=end)


def _sql(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    return sql


@pytest.mark.parametrize("selector", [selectors.billable_sessions, selectors.billable_contacts])
def test_the_billed_check_is_not_exists_never_not_in(selector):
    sql = _sql(selector(_period()))
    assert not IN_SUBSELECT.search(sql), sql
    assert "NOT EXISTS" in sql.upper(), sql


def test_the_landing_page_totals_use_no_in_subselect():
    with CaptureQueriesContext(connection) as captured:
        selectors.preview_totals(_period())
    assert len(captured) == 4
    for query in captured:
        assert not IN_SUBSELECT.search(query["sql"]), query["sql"]


def _signed_notes(alice, client_record, count):
    start, _end = selectors.last_month()
    for i in range(count):
        note = ProgressNoteFactory(
            client=client_record,
            author=alice,
            service_date=start.replace(day=1 + i % 28),
            start_time=time(9, 0),
            end_time=time(9, 55),
            cpt_code="90837",
        )
        sign_progress_note(note)


def _export(bill) -> tuple[int, DocumentJob]:
    start, end = selectors.last_month()
    job = DocumentJob.objects.create(
        kind=BILLING_EXPORT,
        requested_by=bill,
        params={"start": start.isoformat(), "end": end.isoformat()},
    )
    with CaptureQueriesContext(connection) as captured:
        document_job_run(job_id=job.pk)
    job.refresh_from_db()
    for query in captured:
        assert not IN_SUBSELECT.search(query["sql"]), query["sql"]
    return len(captured), job


def test_the_export_runs_the_same_queries_for_2_or_12_items(
    documents_settings, alice, bill, client_record
):
    # A first export settles one-time lookups (practice settings, content types).
    _signed_notes(alice, client_record, 1)
    _export(bill)

    _signed_notes(alice, client_record, 2)
    few, job = _export(bill)
    assert job.status == "done", job.error
    assert BilledItem.objects.filter(export__job_uuid=job.uuid).count() == 2

    _signed_notes(alice, client_record, 12)
    many, job = _export(bill)
    assert job.status == "done", job.error
    # Only the 12 new notes: the earlier exports' items are skipped as already billed.
    assert BilledItem.objects.filter(export__job_uuid=job.uuid).count() == 12
    assert many == few
