"""Signed records checked against their keyed hashes where people read them.

A signed note, contact note or addendum stores the HMAC of its signed content
(``practice.signing.content_hash``). Every read of a note page and every chart
export recomputes it: a mismatch means the row was changed below the
application (the freeze trigger switched off), so the page and the PDF show a
warning beside the record and the trail gets an ``integrity_failure`` event.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

from practice import audit
from practice.models import AuditAction
from practice.signing import hash_matches

logger = logging.getLogger(__name__)


def _client_of(record):
    client = getattr(record, "client", None)
    if client is None and getattr(record, "note", None) is not None:
        client = record.note.client
    return client


def report_mismatch(record, *, what: str, context: str, request=None, user=None) -> None:
    """Audit (and log, ids only) that ``record``'s ``what`` hash does not match."""
    audit.record(
        AuditAction.INTEGRITY_FAILURE,
        request=request,
        user=user,
        obj=record,
        client=_client_of(record),
        detail={"hash": what, "context": context},
    )
    logger.error(
        "integrity: %s %s: %s does not match its keyed hash (%s)",
        record._meta.label_lower,
        getattr(record, "uuid", record.pk),
        what,
        context,
    )


def check_hash(
    record,
    *,
    stored: str,
    content: dict[str, Any],
    what: str,
    context: str,
    request=None,
    user=None,
) -> bool:
    """Whether ``stored`` is the keyed hash of ``content``; a mismatch is reported."""
    if hash_matches(stored, content):
        return True
    report_mismatch(record, what=what, context=context, request=request, user=user)
    return False


def check_signed(records: Iterable, *, context: str, request=None, user=None) -> list:
    """Check each signed record (note or addendum: anything with ``content_hash``
    and ``signed_content()``), set ``record.integrity_ok`` for templates, report
    each mismatch. Returns the records that failed."""
    failed = []
    for record in records:
        record.integrity_ok = check_hash(
            record,
            stored=record.content_hash,
            content=record.signed_content(),
            what="content",
            context=context,
            request=request,
            user=user,
        )
        if not record.integrity_ok:
            failed.append(record)
    return failed


def signed_models() -> list:
    """Every model whose rows carry a keyed ``content_hash`` of ``signed_content()``
    (progress and contact notes, their addenda, ...), found by shape so that
    the foundation names no feature app."""
    found = []
    for model in apps.get_models():
        fields = {f.name for f in model._meta.concrete_fields}
        if "content_hash" in fields and callable(getattr(model, "signed_content", None)):
            found.append(model)
    return found


@dataclass
class RecordCheck:
    checked: int = 0
    failures: int = 0
    listed: list[str] = field(default_factory=list)  # "label uuid": ids only

    @property
    def ok(self) -> bool:
        return not self.failures


def verify_signed_records(*, audit_failures: bool = True, limit: int = 50) -> RecordCheck:
    """Recompute the keyed hash of every signed record (streamed, a few thousand
    rows at a time). Each mismatch is audited as an ``integrity_failure``
    (``audit_failures``); the first ``limit`` are listed."""
    result = RecordCheck()
    for model in signed_models():
        relations = [
            f.name for f in model._meta.concrete_fields if f.is_relation and f.many_to_one
        ]
        rows = (
            model._base_manager.exclude(content_hash="")
            .select_related(*relations)
            .order_by("pk")
            .iterator(chunk_size=2000)
        )
        for record in rows:
            result.checked += 1
            if hash_matches(record.content_hash, record.signed_content()):
                continue
            result.failures += 1
            if audit_failures:
                report_mismatch(record, what="content", context="verify_command")
            if len(result.listed) < limit:
                result.listed.append(
                    f"{model._meta.label_lower} {getattr(record, 'uuid', record.pk)}"
                )
    return result
