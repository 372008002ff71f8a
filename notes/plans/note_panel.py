"""The treatment-plan goals panel of the progress note (registered with
``notes.panels``): in the editor the clinician marks which goals of the plan
in effect the session addressed, and the progress on each; the note page
shows what was recorded."""

from __future__ import annotations

import uuid

from notes.models import ProgressNote
from notes.panels import NotePanel
from notes.plans import access, services
from notes.plans.models import GoalProgress, PlanStatus, Rating, TreatmentPlan
from notes.plans.selectors import active_plan
from notes.services import NoteRefused
from practice import audit
from practice.models import AuditAction

PLAN_FIELD = "goal_progress_plan"


def _field(key: str, name: str) -> str:
    return f"goal-{key}-{name}"


def context(note: ProgressNote, *, request, editor: bool, data=None) -> dict | None:
    client = note.client
    if not access.can_read(request.user, client):
        return None
    recorded = {gp.goal_key: gp for gp in GoalProgress.objects.filter(note=note)}
    if not editor:
        return {"recorded": list(recorded.values())} if recorded else None
    if note.is_signed:
        return None
    plan = active_plan(client)
    if plan is None:
        return {"plan": None, "client": client, "can_write": access.can_write(request.user, client)}
    audit.record(
        AuditAction.VIEW,
        request=request,
        obj=plan,
        client=client,
        detail={"version": plan.version, "note_editor": str(note.uuid)},
    )
    goals = []
    for goal in plan.goals():
        key = goal["key"]
        if data is not None and data.get(PLAN_FIELD):
            addressed = bool(data.get(_field(key, "addressed")))
            rating = data.get(_field(key, "rating"), "")
            text = data.get(_field(key, "text"), "")
        else:
            gp = recorded.get(key)
            addressed, rating, text = gp is not None, gp.rating if gp else "", gp.text if gp else ""
        goals.append(
            {
                **goal,
                "addressed": addressed,
                "rating": rating,
                "entry": text,
                "field": {n: _field(key, n) for n in ("addressed", "rating", "text")},
            }
        )
    return {
        "plan": plan,
        "goals": goals,
        "ratings": Rating.choices,
        "plan_field": PLAN_FIELD,
        "overdue": plan.review_overdue(note.service_date),
    }


def save(note: ProgressNote, *, actor, data, request=None) -> list[str]:
    raw = data.get(PLAN_FIELD)
    if not raw:
        return []  # the panel was not on the page (no plan in effect): leave the rows alone
    try:
        plan_uuid = uuid.UUID(str(raw))
    except ValueError:
        plan_uuid = None
    plan = TreatmentPlan.objects.filter(
        uuid=plan_uuid, client_id=note.client_id, status=PlanStatus.SIGNED
    ).first()
    if plan is None:
        raise NoteRefused(
            {None: "The treatment plan changed meanwhile; reload the page to see its goals."}
        )
    entries = {}
    for goal in plan.goals():
        key = goal["key"]
        if data.get(_field(key, "addressed")):
            text = " ".join((data.get(_field(key, "text")) or "").split())
            entries[key] = (data.get(_field(key, "rating")) or "", text)
    return services.goal_progress_save(
        note=note, actor=actor, plan=plan, entries=entries, request=request
    )


PANEL = NotePanel(
    key="plan_goals",
    editor_template="plans/_note_goals_editor.html",
    detail_template="plans/_note_goals.html",
    context=context,
    save=save,
)
