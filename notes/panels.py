"""Panels other apps add to a progress note: in the editor and on the note page.

An app that records something per session (e.g. progress on treatment-plan
goals) registers a ``NotePanel`` from its ``AppConfig.ready()``. Notes renders
the panel's templates and hands the editor's submitted data to its ``save``
(in "Save draft" and in the autosave) without knowing the app. ``save`` runs
only for the note's author on a draft (the editor's access check) and refuses
with ``notes.services.NoteRefused``; it must write nothing when the panel's
fields were not submitted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from notes.models import ProgressNote

# context(note, *, request, editor, data) -> the panel's template context, or
# None to leave the panel out (nothing to show, or not for this user); it audits
# what it reads. ``editor`` tells the editor from the note page; ``data`` is the
# submitted form data when the editor is shown again after a refusal.
PanelContext = Callable[..., "dict[str, Any] | None"]
# save(note, *, actor, data, request) -> names of what changed (empty: nothing).
PanelSave = Callable[..., "list[str]"]


@dataclass(frozen=True)
class NotePanel:
    key: str
    editor_template: str
    detail_template: str
    context: PanelContext
    save: PanelSave


_panels: list[NotePanel] = []


def register_panel(panel: NotePanel) -> NotePanel:
    if all(p.key != panel.key for p in _panels):
        _panels.append(panel)
    return panel


def panels() -> list[NotePanel]:
    return list(_panels)


def rendered_panels(note: ProgressNote, *, request, editor: bool, data=None) -> list[dict]:
    """The panels to include, as ``{"template", "panel": context}``, in registration order."""
    shown = []
    for panel in _panels:
        context = panel.context(note, request=request, editor=editor, data=data)
        if context is not None:
            template = panel.editor_template if editor else panel.detail_template
            shown.append({"template": template, "panel": context})
    return shown


def save_panels(note: ProgressNote, *, actor, data, request=None) -> list[str]:
    changed: list[str] = []
    for panel in _panels:
        changed.extend(panel.save(note, actor=actor, data=data, request=request))
    return changed
