"""Progress-note formats and their sections.

A format is an ordered list of sections; each section is a text field on
``ProgressNote`` with a label and short guidance shown beside it. Adding a
custom format later means adding an entry here (and, if it needs a section no
format has yet, a column).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class NoteFormat(models.TextChoices):
    SOAP = "soap", "SOAP"
    DAP = "dap", "DAP"
    BIRP = "birp", "BIRP"


@dataclass(frozen=True)
class Section:
    field: str
    label: str
    guidance: str


SUBJECTIVE = Section(
    "subjective",
    "Subjective",
    "What the client reports: concerns, mood in their words, events since the last session.",
)
OBJECTIVE = Section(
    "objective",
    "Objective",
    "What you observed: appearance, affect, behaviour, mental status, measures given.",
)
DATA = Section(
    "data",
    "Data / Description",
    "What happened in the session: the client's report and your observations.",
)
BEHAVIOR = Section(
    "behavior",
    "Behavior",
    "The client's presentation and reported behaviour, in observable terms.",
)
ASSESSMENT = Section(
    "assessment",
    "Assessment",
    "Your clinical interpretation: progress, diagnostic impressions, changes in risk.",
)
INTERVENTION = Section(
    "intervention",
    "Intervention",
    "What you did: techniques and modalities used and why.",
)
RESPONSE = Section(
    "response",
    "Response",
    "How the client responded to the interventions; progress toward treatment goals.",
)
PLAN = Section(
    "plan",
    "Plan",
    "Next steps: homework, focus of the next session, referrals, frequency.",
)

FORMAT_SECTIONS: dict[str, tuple[Section, ...]] = {
    NoteFormat.SOAP: (SUBJECTIVE, OBJECTIVE, ASSESSMENT, PLAN),
    NoteFormat.DAP: (DATA, ASSESSMENT, PLAN),
    NoteFormat.BIRP: (BEHAVIOR, INTERVENTION, RESPONSE, PLAN),
}

# Every column any format uses (the model has one TextField for each).
ALL_SECTION_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys(s.field for sections in FORMAT_SECTIONS.values() for s in sections)
)


def sections_for(note_format: str) -> tuple[Section, ...]:
    return FORMAT_SECTIONS[note_format]
