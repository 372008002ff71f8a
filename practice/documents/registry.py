"""Kinds of document, registered by the features that make them.

The documents engine knows no feature. A feature registers each of its kinds
from its own ``AppConfig.ready()``::

    registry.register(DocumentKind(
        key="progress_note_pdf",
        label="Signed progress note (PDF)",
        builder=build_progress_note_pdf,      # (job, progress) -> [OutputFile]
        may_access=..., withdrawn=..., title=...,
    ))

- ``builder`` makes the files (in the worker).
- ``may_access(request, job)`` is the kind's access rule, checked on every
  look at the job after "only the user who asked": it returns None when the
  asker may still reach the job, or the permission that is missing (the
  refusal is audited with it, and the job is answered with a 404).
- ``withdrawn(job)``: True when the files must not be handed out any more
  (e.g. a voided billing export), though the job finished.
- ``title(job)``: what the job page calls it (default: the label).
- ``detail_context(job)``: extra context for the page of a finished job;
  ``kind_template`` in it names a template the page includes (e.g. the
  totals of the billing export the job made).
- ``signed_pdf``: the files are PDFs signed with the practice certificate
  (the page says so).

Jobs about one client name that client only to users who can still reach
them: the clients app registers the one lookup (``register_client_lookup``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DocumentKind:
    key: str
    label: str
    builder: Callable[..., list]
    may_access: Callable[[Any, Any], str | None] | None = None
    withdrawn: Callable[[Any], bool] | None = None
    title: Callable[[Any], str] | None = None
    detail_context: Callable[[Any], dict] | None = None
    signed_pdf: bool = True


_KINDS: dict[str, DocumentKind] = {}
_client_lookup: list[Callable[[Any, set], dict]] = []


def register(kind: DocumentKind) -> DocumentKind:
    """Add a kind (idempotent for the same key and builder; a clash is a bug)."""
    known = _KINDS.get(kind.key)
    if known is not None and known != kind:
        raise ValueError(f"document kind {kind.key!r} is already registered")
    _KINDS[kind.key] = kind
    return kind


def get(key: str) -> DocumentKind:
    try:
        return _KINDS[key]
    except KeyError:
        raise LookupError(f"no document kind {key!r} is registered") from None


def is_registered(key: str) -> bool:
    return key in _KINDS


def label(key: str) -> str:
    kind = _KINDS.get(key)
    return kind.label if kind else key


def kinds() -> list[DocumentKind]:
    return list(_KINDS.values())


def register_client_lookup(lookup: Callable[[Any, set], dict]) -> None:
    """``lookup(user, uuids) -> {uuid: client}`` for the clients ``user`` may reach."""
    _client_lookup[:] = [lookup]


def clients_for(user, uuids: set) -> dict:
    if not uuids or not _client_lookup:
        return {}
    return _client_lookup[0](user, uuids)
