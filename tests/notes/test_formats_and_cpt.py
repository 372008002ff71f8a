"""Each format's sections, and the CPT suggestion at every boundary."""

from datetime import datetime, time, timedelta

import pytest
from django.utils.html import escape

from notes import services
from notes.cpt import suggest_cpt
from notes.formats import sections_for
from tests.factories import ProgressNoteFactory

pytestmark = pytest.mark.django_db

EXPECTED = {
    "soap": ["Subjective", "Objective", "Assessment", "Plan"],
    "dap": ["Data / Description", "Assessment", "Plan"],
    "birp": ["Behavior", "Intervention", "Response", "Plan"],
}


@pytest.mark.parametrize("fmt", ["soap", "dap", "birp"])
def test_each_format_has_its_own_sections_in_the_editor_and_on_the_note(
    fmt, client_record, alice, login
):
    assert [s.label for s in sections_for(fmt)] == EXPECTED[fmt]
    note = services.note_create(client=client_record, author=alice, format=fmt)
    html = login(alice).get(f"/notes/{note.uuid}/edit/").content.decode()
    others = {s.field for f in EXPECTED for s in sections_for(f)} - {
        s.field for s in sections_for(fmt)
    }
    for section in sections_for(fmt):
        assert f'name="{section.field}"' in html
        assert escape(section.guidance) in html  # guidance shown beside the section
    for field in others:
        assert f'name="{field}"' not in html
    # The shared header is there in every format.
    for field in ("service_date", "start_time", "end_time", "service_type", "place_of_service"):
        assert f'name="{field}"' in html
    assert 'name="risk_level"' in html and 'name="diagnoses"' in html


def test_note_create_refuses_an_unknown_format(client_record, alice):
    with pytest.raises(services.NoteRefused):
        services.note_create(client=client_record, author=alice, format="narrative")


@pytest.mark.parametrize(
    ("minutes", "code"),
    [
        (0, ""),
        (15, ""),
        (16, "90832"),
        (37, "90832"),
        (38, "90834"),
        (52, "90834"),
        (53, "90837"),
        (90, "90837"),
    ],
)
def test_psychotherapy_time_rule_at_every_boundary(minutes, code, client_record, alice):
    assert suggest_cpt("individual", minutes) == code
    # And through the editor's service: the suggestion follows the session times.
    note = ProgressNoteFactory(client=client_record, author=alice, cpt_code="", cpt_suggested="")
    end = (datetime(2026, 1, 1, 10, 0) + timedelta(minutes=minutes)).time()
    if minutes == 0:  # a session that ends when it starts is refused (issue 13)
        with pytest.raises(services.NoteRefused) as refused:
            services.note_update(note=note, actor=alice, start_time=time(10, 0), end_time=end)
        assert "must end after it starts" in refused.value.errors["end_time"]
        return
    services.note_update(note=note, actor=alice, start_time=time(10, 0), end_time=end)
    note.refresh_from_db()
    assert note.duration_minutes == minutes
    assert (note.cpt_suggested, note.cpt_code) == (code, code)


@pytest.mark.parametrize(
    ("service_type", "minutes", "code"),
    [
        ("intake", 60, "90791"),
        ("family_with_client", 50, "90847"),
        ("family_without_client", 50, "90846"),
        ("group", 90, "90853"),
        ("crisis", 60, "90839"),
        ("crisis", 20, "90832"),
    ],
)
def test_service_types_have_their_codes(service_type, minutes, code):
    assert suggest_cpt(service_type, minutes) == code


def test_the_code_changes_only_with_a_reason(client_record, alice, login):
    note = ProgressNoteFactory(client=client_record, author=alice)  # 53 min -> 90837
    with pytest.raises(services.NoteRefused) as exc:
        services.note_update(note=note, actor=alice, cpt_code="90834")
    assert "cpt_override_reason" in exc.value.errors
    note.refresh_from_db()
    assert note.cpt_code == "90837"

    services.note_update(
        note=note, actor=alice, cpt_code="90834", cpt_override_reason="Part of the hour was admin"
    )
    note.refresh_from_db()
    assert (note.cpt_code, note.cpt_suggested) == ("90834", "90837")
    assert note.cpt_override_reason == "Part of the hour was admin"

    # Going back to the suggestion clears the reason.
    services.note_update(note=note, actor=alice, cpt_code="", cpt_override_reason="")
    note.refresh_from_db()
    assert (note.cpt_code, note.cpt_override_reason) == ("90837", "")


def test_the_editor_shows_the_refusal_beside_the_reason_and_keeps_the_text(
    client_record, alice, login
):
    from notes.forms import NoteForm

    note = ProgressNoteFactory(client=client_record, author=alice)
    data = {k: v for k, v in NoteForm.initial_from(note).items() if v not in (None, [])}
    data.update(
        service_date=note.service_date.isoformat(),
        start_time="10:00",
        end_time="10:53",
        diagnoses=note.diagnosis_codes,
        interventions=note.interventions,
        cpt_code="90832",
        subjective="Typed just now",
    )
    response = login(alice).post(f"/notes/{note.uuid}/edit/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give the reason for changing the suggested CPT code (90837)" in html
    assert "Typed just now" in html
    assert "Not saved — correct the marked fields" in html  # not a stale "Saved"
    note.refresh_from_db()
    assert note.subjective != "Typed just now"
