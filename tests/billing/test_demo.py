"""The demo gives the biller a month to bill: last calendar month holds signed
sessions and billable contact minutes, on whatever day the demo is loaded."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from billing import selectors
from contacts.models import ContactNote
from notes.models import ProgressNote
from practice.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    call_command("seed_demo", stdout=io.StringIO())


def _counts():
    return ProgressNote.objects.count(), ContactNote.objects.count()


def test_last_month_has_billable_sessions_and_contact_minutes(demo):
    start, end = selectors.last_month()
    totals = selectors.preview_totals(selectors.Period(start=start, end=end))
    assert totals["sessions"]["count"] >= 4 and totals["sessions"]["fee"] > 0
    assert totals["contacts"]["count"] >= 2 and totals["contacts"]["minutes"] > 0
    # Both clinicians bill; the associate's sessions are co-signed, so billable.
    period = selectors.Period(start=start, end=end)
    authors = set(selectors.billable_sessions(period).values_list("author__username", flat=True))
    assert authors == {"clinician", "clinician2"}
    # Every billable note is really signed, with its hash intact.
    assert all(n.hash_matches() for n in selectors.billable_sessions(period))
    assert all(c.is_signed for c in selectors.billable_contacts(period))


def test_this_month_has_billable_sessions_too(demo):
    today = timezone.localdate()
    if today.day == 1:
        pytest.skip("this month has no past day yet")
    period = selectors.Period(start=today.replace(day=1), end=today - timedelta(days=1))
    assert selectors.billable_sessions(period).exists()


def test_the_biller_sees_last_months_totals_on_the_billing_page(demo, login):
    http = login(User.objects.get(username="biller"))
    response = http.get("/billing/")
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview["sessions"]["count"] > 0 and preview["contacts"]["minutes"] > 0


def test_the_billing_demo_is_idempotent(demo):
    counts = _counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == counts


def test_the_supervisor_still_has_one_note_to_cosign_and_the_clinician_a_draft(demo):
    awaiting = [n for n in ProgressNote.objects.filter(status="signed") if n.awaiting_cosign]
    assert [n.author.username for n in awaiting] == ["clinician2"]
    assert ProgressNote.objects.filter(author__username="clinician", status="draft").count() == 1
