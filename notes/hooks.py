"""Checks that other apps add to the signing of a progress note."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from notes.models import ProgressNote
    from notes.necessity import Item

NecessityCheck = Callable[["ProgressNote"], list["Item"]]
_necessity_checks: list[NecessityCheck] = []


def register_necessity_check(check: NecessityCheck) -> NecessityCheck:
    if check not in _necessity_checks:
        _necessity_checks.append(check)
    return check


def necessity_checks() -> list[NecessityCheck]:
    return list(_necessity_checks)
