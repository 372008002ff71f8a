import io

import pytest
from django.core.management import call_command

from notes.models import NoteStatus, ProgressNote
from notes.selectors import stale_drafts_for
from practice.models import User

pytestmark = pytest.mark.django_db


def test_demo_progress_notes_are_seeded_once(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    call_command("seed_demo", stdout=io.StringIO())
    signed = ProgressNote.objects.filter(status=NoteStatus.SIGNED)
    assert set(signed.values_list("format", flat=True)) == {"soap", "dap", "birp"}
    assert all(n.hash_matches() for n in signed)
    assert any(n.display_status() == "Amended" for n in signed)
    clinician = User.objects.get(username="clinician")
    assert stale_drafts_for(clinician).count() == 1
    awaiting = [n for n in signed if n.awaiting_cosign]
    assert len(awaiting) == 1 and awaiting[0].author.username == "clinician2"
    count = ProgressNote.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert ProgressNote.objects.count() == count
