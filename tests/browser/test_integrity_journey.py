"""Issue 13, attack 4, as a reader sees it: a signed note rewritten below the
application (freeze trigger off, unkeyed hash recomputed) opens with a red
integrity warning, and the check is in the audit trail."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from notes.models import ProgressNote
from practice.models import AuditAction, AuditEvent
from tests.browser.conftest import assert_accessible
from tests.documents.signing import sign_progress_note
from tests.factories import ProgressNoteFactory
from tests.notes.test_integrity import FORGED, _forge_progress_note

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_rewritten_signed_note_opens_with_an_integrity_warning(
    page, sign_in, alice, client_record
):
    note = sign_progress_note(
        ProgressNoteFactory(
            client=client_record,
            author=alice,
            service_date=timezone.localdate() - timedelta(days=3),
            subjective="Client reports sleeping better since the last session.",
        )
    )
    sign_in(alice)
    page.goto(reverse("notes:detail", args=[note.uuid]))
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_text("Intact")).to_be_visible()

    forged = _forge_progress_note(ProgressNote.objects.get(pk=note.pk))
    page.reload()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Integrity warning")
    expect(alert).to_contain_text("changed outside the application after signing")
    expect(page.get_by_text("Does not match the note")).to_be_visible()
    # What is stored is shown, with the warning: nothing is hidden.
    expect(page.get_by_text(FORGED)).to_be_visible()
    assert AuditEvent.objects.filter(
        action=AuditAction.INTEGRITY_FAILURE, object_id=str(forged.uuid), user=alice
    ).exists()
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=f"{os.environ['SCREENSHOT_DIR']}/integrity-warning.png")
    assert_accessible(page)
