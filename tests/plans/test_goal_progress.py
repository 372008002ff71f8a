"""Notes answer to the plan: the note editor lists the goals, the clinician
rates the ones the session addressed, and the ratings freeze with the note."""

import pytest
from django.db import DatabaseError, connection, transaction

from notes import services as note_services
from notes.plans.models import GoalProgress
from practice.signing import FrozenRecordError
from tests.factories import ProgressNoteFactory

pytestmark = pytest.mark.django_db


def _editor_post(note, goals: dict, plan, **extra) -> dict:
    """The editor's form as the browser sends it, with the goal panel filled in."""
    from notes.forms import NoteForm

    data = {k: v for k, v in NoteForm.initial_from(note).items() if v not in (None, [])}
    data["diagnoses"] = note.diagnosis_codes
    data["interventions"] = note.interventions
    data["service_date"] = note.service_date.isoformat()
    data["start_time"] = note.start_time.strftime("%H:%M")
    data["end_time"] = note.end_time.strftime("%H:%M")
    data["goal_progress_plan"] = str(plan.uuid)
    for key, (rating, text) in goals.items():
        data[f"goal-{key}-addressed"] = "1"
        data[f"goal-{key}-rating"] = rating
        data[f"goal-{key}-text"] = text
    data.update(extra)
    return data


def test_the_editor_lists_the_goals_and_saves_the_ones_addressed(
    signed_plan, client_record, alice, login
):
    note = ProgressNoteFactory(client=client_record, author=alice)
    http = login(alice)
    page = http.get(f"/notes/{note.uuid}/edit/").content.decode()
    assert "Sleep 7 hours" in page and "Return to work full time" in page
    sleep, work = (g["key"] for g in signed_plan.goals())
    data = _editor_post(
        note,
        {sleep: ("improved", "Slept 6 hours on 4 nights"), work: ("unchanged", "")},
        signed_plan,
    )
    response = http.post(f"/notes/{note.uuid}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    rows = {gp.goal_key: gp for gp in GoalProgress.objects.filter(note=note)}
    assert rows[sleep].rating == "improved" and rows[sleep].text == "Slept 6 hours on 4 nights"
    assert rows[work].rating == "unchanged" and rows[work].goal_text == "Return to work full time"

    # Unticking a goal removes its rating; the autosave sends the same fields.
    data = _editor_post(note, {sleep: ("worsened", "Bad week")}, signed_plan)
    response = http.post(f"/notes/{note.uuid}/autosave/", data)
    assert response.status_code == 200 and response.json()["ok"]
    assert list(GoalProgress.objects.filter(note=note).values_list("goal_key", "rating")) == [
        (sleep, "worsened")
    ]


def test_an_editor_post_without_the_panel_leaves_the_ratings_alone(
    signed_plan, client_record, alice, login
):
    note = ProgressNoteFactory(client=client_record, author=alice)
    sleep = signed_plan.goals()[0]["key"]
    http = login(alice)
    http.post(
        f"/notes/{note.uuid}/edit/", _editor_post(note, {sleep: ("improved", "")}, signed_plan)
    )
    data = _editor_post(note, {}, signed_plan)
    del data["goal_progress_plan"]
    assert http.post(f"/notes/{note.uuid}/edit/", data).status_code == 302
    assert GoalProgress.objects.filter(note=note).count() == 1


def test_a_bad_rating_is_refused_and_what_was_typed_is_kept(
    signed_plan, client_record, alice, login
):
    note = ProgressNoteFactory(client=client_record, author=alice)
    sleep = signed_plan.goals()[0]["key"]
    data = _editor_post(note, {sleep: ("excellent", "Typed line")}, signed_plan)
    data["plan"] = "A plan typed in the note"
    response = login(alice).post(f"/notes/{note.uuid}/edit/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Rate progress as improved, unchanged or worsened." in page
    assert "Typed line" in page and "A plan typed in the note" in page
    note.refresh_from_db()
    assert note.plan != "A plan typed in the note"  # all or nothing
    assert not GoalProgress.objects.filter(note=note).exists()


def test_the_ratings_freeze_with_the_note(signed_plan, client_record, alice, login):
    note = ProgressNoteFactory(client=client_record, author=alice)
    sleep, work = (g["key"] for g in signed_plan.goals())
    http = login(alice)
    http.post(
        f"/notes/{note.uuid}/edit/", _editor_post(note, {sleep: ("improved", "")}, signed_plan)
    )
    note_services.note_sign(note=note, actor=alice)
    row = GoalProgress.objects.get(note=note)
    row.rating = "worsened"
    with pytest.raises(FrozenRecordError):
        row.save()
    with pytest.raises(FrozenRecordError):
        row.delete()
    with pytest.raises(FrozenRecordError):
        GoalProgress(note=note, plan=signed_plan, goal_key=work, goal_text="x").save()
    # The note page shows what was recorded.
    page = http.get(f"/notes/{note.uuid}/").content.decode()
    assert "Treatment-plan goals addressed" in page and "Improved" in page


@pytest.mark.postgres
def test_the_trigger_freezes_the_ratings_of_a_signed_note(signed_plan, client_record, alice):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL trigger")
    note = ProgressNoteFactory(client=client_record, author=alice)
    sleep, work = (g["key"] for g in signed_plan.goals())
    row = GoalProgress.objects.create(
        note=note, plan=signed_plan, goal_key=sleep, goal_text="Sleep", rating="improved"
    )
    note_services.note_sign(note=note, actor=alice)
    for sql, params in (
        ("UPDATE plans_goalprogress SET rating = 'worsened' WHERE id = %s", [row.pk]),
        ("DELETE FROM plans_goalprogress WHERE id = %s", [row.pk]),
        (
            "INSERT INTO plans_goalprogress (note_id, plan_id, goal_key, goal_text, rating, "
            "text, created_at, updated_at) VALUES (%s, %s, %s, 'x', '', '', now(), now())",
            [note.pk, signed_plan.pk, work],
        ),
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, params)
    assert list(GoalProgress.objects.filter(note=note).values_list("rating", flat=True)) == [
        "improved"
    ]


def test_the_note_page_and_chart_show_each_goals_history(signed_plan, client_record, alice, login):
    sleep = signed_plan.goals()[0]["key"]
    http = login(alice)
    for rating in ("unchanged", "improved", "improved"):
        note = ProgressNoteFactory(client=client_record, author=alice)
        http.post(
            f"/notes/{note.uuid}/edit/", _editor_post(note, {sleep: (rating, "")}, signed_plan)
        )
        note_services.note_sign(note=note, actor=alice)
    chart = http.get(f"/clients/{client_record.uuid}/").content.decode()
    section = chart[chart.index('id="treatment-plan"') :]
    section = section[: section.index("</section>")]
    assert section.count("Improved") == 2 and section.count("Unchanged") == 1
    assert "Not addressed in a signed note yet" in section  # the work goal
