"""The medical-necessity check run before signing, and the hard requirements.

``missing_items`` lists what an insurer looks for and the note lacks (its own
items, then those of the checks other apps register in ``notes.hooks``); the
clinician may still sign with an explicit override reason, which is recorded on
the note. ``blocking_problems`` are not overridable: documentation of elevated
risk (moderate or high: risk narrative and safety plan), session times, a
service date that is not in the future, and a reason for a changed CPT code.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from notes.formats import sections_for
from notes.hooks import necessity_checks
from notes.models import ELEVATED_RISK, ProgressNote, session_time_errors


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    hint: str


ITEMS = {
    "covered_diagnosis": Item(
        "covered_diagnosis",
        "A covered diagnosis",
        "Address at least one mental-health diagnosis (ICD-10-CM F-code) from the chart.",
    ),
    "symptoms": Item(
        "symptoms", "Symptoms", "Describe the current symptoms that justify treatment."
    ),
    "functional_impairment": Item(
        "functional_impairment",
        "Functional impairment",
        "How the symptoms affect work, school, relationships or self-care.",
    ),
    "interventions": Item(
        "interventions", "Interventions", "Tick the interventions used in this session."
    ),
    "progress": Item(
        "progress",
        "Response / progress toward goals",
        "How the client responded and where they stand on their treatment goals.",
    ),
    "plan": Item("plan", "Plan", "Next steps and the focus of the next session."),
    "risk_assessment": Item(
        "risk_assessment", "Risk assessment", "Record the risk level (none, low, moderate, high)."
    ),
    "risk_documentation": Item(
        "risk_documentation",
        "Risk documentation",
        "Risk above low needs a risk narrative and a safety plan created or reviewed.",
    ),
}


def _has(text: str) -> bool:
    return bool((text or "").strip())


def missing_items(note: ProgressNote) -> list[Item]:
    """What the medical-necessity check finds missing, in a stable order."""
    fields = {s.field for s in sections_for(note.format)}
    missing = []
    if not any(str(d.get("code", "")).upper().startswith("F") for d in note.diagnoses):
        missing.append(ITEMS["covered_diagnosis"])
    if not _has(note.symptoms):
        missing.append(ITEMS["symptoms"])
    if not _has(note.functional_impairment):
        missing.append(ITEMS["functional_impairment"])
    if not note.interventions and not ("intervention" in fields and _has(note.intervention)):
        missing.append(ITEMS["interventions"])
    if not _has(note.progress) and not ("response" in fields and _has(note.response)):
        missing.append(ITEMS["progress"])
    if not _has(note.plan):
        missing.append(ITEMS["plan"])
    if not note.risk_level:
        missing.append(ITEMS["risk_assessment"])
    elif risk_problems(note):
        missing.append(ITEMS["risk_documentation"])
    # Then what other apps check (a treatment plan, a measure's alert), in the
    # order they registered from their AppConfig.ready().
    for check in necessity_checks():
        missing.extend(check(note))
    return missing


def risk_problems(note: ProgressNote) -> dict[str, str]:
    """Fields that moderate or high risk makes required (a hard requirement)."""
    if note.risk_level not in ELEVATED_RISK:
        return {}
    problems = {}
    level = note.get_risk_level_display().lower()
    if not _has(note.risk_narrative):
        problems["risk_narrative"] = f"With {level} risk, write the risk narrative before signing."
    if not note.safety_plan:
        problems["safety_plan"] = (
            f"With {level} risk, record that a safety plan was created or reviewed."
        )
    return problems


def blocking_problems(note: ProgressNote) -> dict[str, str]:
    """Problems no override reason can excuse, keyed by form field."""
    problems = dict(risk_problems(note))
    if note.service_date and note.service_date > timezone.localdate():
        problems["service_date"] = "The service date cannot be in the future."
    if note.start_time is None:
        problems["start_time"] = "Enter the start time of the session."
    if note.end_time is None:
        problems["end_time"] = "Enter the end time of the session."
    # An impossible session is never signed (nor, so, billed).
    for field, message in session_time_errors(
        note.service_date,
        note.start_time,
        note.end_time,
        date_of_birth=note.client.date_of_birth,
    ).items():
        problems.setdefault(field, message)
    if note.cpt_code != note.cpt_suggested and not _has(note.cpt_override_reason):
        problems["cpt_override_reason"] = (
            "The CPT code differs from the suggestion: give the reason for the change."
        )
    return problems
