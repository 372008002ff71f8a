"""Person-first language hints: a phrase that labels a person by a condition,
with a suggested rewording. Hints are shown in the editor and before signing;
they never block anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# (pattern, suggestion). Patterns are case-insensitive and bounded by word edges.
_RULES: tuple[tuple[str, str], ...] = (
    (r"\bis an? cutter\b", "engages in self-harm (self-injury by cutting)"),
    (r"\bcutters?\b", "person who self-injures"),
    (r"\bis an? (?:drug )?addict\b", "has a substance use disorder"),
    (r"\b(?:drug )?addicts?\b", "person with a substance use disorder"),
    (r"\bjunkies?\b", "person who uses drugs"),
    (r"\b(?:drug|substance) abusers?\b", "person who uses substances"),
    (r"\bis an? alcoholic\b", "has an alcohol use disorder"),
    (r"\balcoholics?\b", "person with an alcohol use disorder"),
    (r"\bis (?:a )?borderline\b", "has borderline personality disorder"),
    (r"\bborderlines\b", "people with borderline personality disorder"),
    (r"\bis (?:a )?homeless\b", "is experiencing homelessness"),
    (r"\bthe homeless\b", "people experiencing homelessness"),
    (r"\bschizophrenics?\b", "person with schizophrenia"),
    (r"\bis (?:a )?bipolar\b", "has bipolar disorder"),
    (r"\bis (?:an? )?anorexic\b", "has anorexia nervosa"),
    (r"\bis (?:a )?psychotic\b", "is experiencing psychosis"),
    (r"\bthe mentally ill\b", "people with mental illness"),
    (r"\bcommitted suicide\b", "died by suicide"),
    (r"\bsuffers? from\b", "has / lives with"),
    (r"\bnon-?compliant\b", "has not followed the plan (say what and why)"),
)
_COMPILED = tuple((re.compile(p, re.IGNORECASE), s) for p, s in _RULES)


@dataclass(frozen=True)
class Hint:
    field: str
    phrase: str
    suggestion: str


def hints_for_text(text: str, field: str = "") -> list[Hint]:
    found: list[Hint] = []
    taken: list[tuple[int, int]] = []
    for pattern, suggestion in _COMPILED:
        for match in pattern.finditer(text or ""):
            span = match.span()
            # A longer rule already matched here ("is a cutter" before "cutter").
            if any(a < span[1] and span[0] < b for a, b in taken):
                continue
            taken.append(span)
            found.append(Hint(field, match.group(0), suggestion))
    return found


def hints_for_note(note, fields: dict[str, str]) -> list[Hint]:
    """Hints for each named text field of ``note`` (field name -> label)."""
    hints: list[Hint] = []
    for name, label in fields.items():
        hints.extend(hints_for_text(getattr(note, name, "") or "", label))
    return hints
