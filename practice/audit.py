"""The one helper through which everything writes the audit trail, and the
sealer that chains it.

Writing (``record``) is one INSERT: no lock, no read of the previous row, so
concurrent requests never wait on each other. Chaining is done afterwards by
``seal``, one sealer at a time: it takes every committed row that has no place
in the chain yet, in id order, gives it the next ``seq`` and its keyed link, and
appends a checkpoint of the chain head, signed with the practice certificate's
key, to a file outside the database (``practice.checkpoints``). Because the
sealer picks rows by "not sealed yet", not by "id above the last one sealed", a
row that commits late with a lower id is sealed in the next run, never skipped.
docs/audit-trail.md explains the design and its threat model.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from practice import checkpoints
from practice.models import CHAIN_FIELDS, AuditAction, AuditEvent, chain_hmac

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
# pg_advisory_xact_lock key held by the sealer only (never by writers): two
# sealers (beat and a manual `seal_audit_chain`) take turns.
_SEALER_LOCK_KEY = 7_311_002
SEAL_BATCH = 2000


def client_ip(request) -> str | None:
    if request is None:
        return None
    # Behind a reverse proxy that sets X-Forwarded-For, only the first hop is
    # trusted, and only when TRUST_X_FORWARDED_FOR is on (settings.py).
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    request=None,
    user=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    client=None,
    client_uuid: uuid.UUID | str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit trail and return it (unsealed: the sealer
    gives it its place in the chain within ``AUDIT_SEAL_SECONDS``).

    ``obj`` is the record acted on (its public uuid is stored when it has one);
    ``client`` (or ``client_uuid``) is whose chart it belongs to. ``detail``
    must hold ids and reasons only: never clinical text.
    """
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "uuid", None) or obj.pk)
    if client is not None:
        client_uuid = client.uuid
    event = AuditEvent(
        created_at=timezone.now(),
        user=user,
        username=user.get_username() if user else (detail or {}).get("username", ""),
        role=(user.role or "") if user else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        client_uuid=client_uuid,
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request else ""),
        detail=detail or {},
    )
    # One INSERT, in the caller's transaction: the event commits (or rolls
    # back) with the work it describes.
    event.save()
    logger.debug("audit %s %s %s id=%s", event.action, event.username, object_type, object_id)
    return event


# -- sealing ---------------------------------------------------------------------------


class ChainBroken(Exception):
    """The chain head in the database does not match the last signed checkpoint:
    the sealer refuses to extend a chain that may have been cut or rewritten."""


@dataclass
class SealResult:
    sealed: int
    head_seq: int
    checkpoint_written: bool


def _lock_sealer() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEALER_LOCK_KEY])


def _head() -> tuple[int, int, str]:
    """(seq, id, hash) of the newest sealed row; (0, 0, GENESIS_HASH) for none."""
    row = (
        AuditEvent.objects.filter(seq__isnull=False)
        .order_by("-seq")
        .values_list("seq", "id", "hash")
        .first()
    )
    return row or (0, 0, GENESIS_HASH)


_SEAL_SQL = (
    "UPDATE practice_auditevent AS a SET seq = v.seq, prev_hash = v.prev, hash = v.hash "
    "FROM (VALUES {values}) AS v(id, seq, prev, hash) WHERE a.id = v.id AND a.seq IS NULL"
)


def _write_links(links: list[tuple[int, int, str, str]]) -> None:
    """Store (id, seq, prev_hash, hash) for unsealed rows, in one statement on
    PostgreSQL. The trigger lets exactly this change through (unsealed to sealed)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Only placeholders are joined into the statement; values are parameters.
            values = ",".join(["(%s::bigint,%s::bigint,%s,%s)"] * len(links))
            sql = _SEAL_SQL.format(values=values)
            cursor.execute(sql, [value for link in links for value in link])
            changed = cursor.rowcount
        else:
            changed = 0
            for pk, seq, prev, digest in links:
                cursor.execute(
                    "UPDATE practice_auditevent SET seq = %s, prev_hash = %s, hash = %s "
                    "WHERE id = %s AND seq IS NULL",
                    [seq, prev, digest, pk],
                )
                changed += cursor.rowcount
    if changed != len(links):
        raise RuntimeError("another sealer changed the audit chain while this one held the lock")


def _check_head_against_checkpoint(head_seq: int) -> None:
    last = checkpoints.last()
    if last is None:
        return
    if last.seq > head_seq:
        raise ChainBroken(
            f"the newest sealed event is #{head_seq} in the chain, but a signed checkpoint "
            f"of {last.at} records {last.seq}: events were deleted"
        )
    digest = (
        AuditEvent.objects.filter(seq=last.seq).values_list("hash", flat=True).first()
        if last.seq
        else None
    )
    if last.seq and digest != last.hmac:
        raise ChainBroken(
            f"event #{last.seq} in the chain does not match the signed checkpoint of {last.at}"
        )


def seal(*, checkpoint: bool = True, force_checkpoint: bool = False) -> SealResult:
    """Chain every committed unsealed event, then (``checkpoint``) append a signed
    checkpoint of the head when it moved and the last one is older than
    ``AUDIT_CHECKPOINT_SECONDS`` (``force_checkpoint``: whatever its age).

    Raises ``ChainBroken`` rather than extend a chain whose head no longer
    matches the last checkpoint.
    """
    key = settings.AUDIT_HMAC_KEY
    sealed = 0
    first = True
    while True:
        with transaction.atomic():
            _lock_sealer()
            head_seq, _head_id, prev = _head()
            if first:
                _check_head_against_checkpoint(head_seq)
                first = False
            batch = list(
                AuditEvent.objects.filter(seq__isnull=True)
                .order_by("id")
                .values_list(*CHAIN_FIELDS[1:])[:SEAL_BATCH]
            )
            links = []
            seq = head_seq
            for row in batch:
                seq += 1
                digest = chain_hmac(key, (seq, row[0], prev, *row[2:]))
                links.append((row[0], seq, prev, digest))
                prev = digest
            if links:
                _write_links(links)
            sealed += len(links)
        if len(batch) < SEAL_BATCH:
            break
    written = False
    if checkpoint:
        with transaction.atomic():
            _lock_sealer()
            head_seq, head_id, digest = _head()
            written = checkpoints.append_if_due(
                seq=head_seq, last_id=head_id, hmac=digest, force=force_checkpoint
            )
    else:
        head_seq = _head()[0]
    if sealed:
        logger.info("audit sealer: sealed %s events, head #%s", sealed, head_seq)
    return SealResult(sealed=sealed, head_seq=head_seq, checkpoint_written=written)


@shared_task(name="practice.audit.seal_task", ignore_result=True)
def seal_task() -> None:
    """Celery beat, every AUDIT_SEAL_SECONDS. A broken chain is logged (ids
    only) and left for `verify_audit_chain` to report; new events wait unsealed."""
    try:
        seal()
    except ChainBroken as exc:
        logger.error("audit sealer stopped: %s", exc)


# -- verification ----------------------------------------------------------------------


class _Failed(Exception):
    pass


@dataclass
class Verification:
    checked: int = 0
    bad_id: int | None = None
    reason: str = ""
    checkpoints: int = 0
    unsealed: int = 0

    @property
    def ok(self) -> bool:
        return not self.reason


def verify(*, seal_first: bool = True) -> Verification:
    """Check every keyed link in chain order and every signed checkpoint.

    Streams the rows (flat memory whatever the trail's size). Fails on: a row
    whose content, position or link does not match its HMAC (changed,
    relabelled, re-chained without the key); a gap or repeat in ``seq`` (row
    removed); a checkpoint whose signature is bad, that goes backwards, or that
    the chain no longer matches; a chain shorter than its last checkpoint
    (newest rows deleted); sealed rows with no checkpoint at all.
    """
    result = Verification()
    if seal_first:
        # A broken head is reported below, with the event it concerns.
        with contextlib.suppress(ChainBroken):
            seal(force_checkpoint=True)
    marks = checkpoints.iter_verified()

    def next_mark():
        try:
            found = next(marks, None)
        except checkpoints.CheckpointError as exc:
            raise _Failed(str(exc)) from exc
        if found is not None:
            result.checkpoints += 1
        return found

    key = settings.AUDIT_HMAC_KEY
    expected_prev = GENESIS_HASH
    expected_seq = 1
    rows = (
        AuditEvent.objects.filter(seq__isnull=False)
        .order_by("seq")
        .values_list(*CHAIN_FIELDS, "hash")
        .iterator(chunk_size=5000)
    )
    try:
        mark = next_mark()
        for row in rows:
            seq, pk, prev_hash, digest = row[0], row[1], row[2], row[-1]
            result.bad_id = pk
            if seq != expected_seq:
                raise _Failed(
                    f"chain position {seq} follows {expected_seq - 1}: events were removed"
                    if seq > expected_seq
                    else f"chain position {seq} appears twice: events were inserted or relabelled"
                )
            if prev_hash != expected_prev:
                raise _Failed(
                    "prev_hash does not match the previous event (event removed or reordered)"
                )
            if chain_hmac(key, row[:-1]) != digest:
                raise _Failed(
                    "the event does not match its keyed hash (event changed, or the chain "
                    "was recomputed without the key)"
                )
            while mark is not None and mark.seq == seq:
                if mark.hmac != digest or mark.last_id != pk:
                    raise _Failed(
                        f"the chain does not match the signed checkpoint of {mark.at} "
                        "(the trail was rewritten after it)"
                    )
                mark = next_mark()
            expected_prev = digest
            expected_seq += 1
            result.checked += 1
        result.bad_id = None
        if mark is not None:
            raise _Failed(
                f"the chain ends at position {result.checked}, but the signed checkpoint of "
                f"{mark.at} records {mark.seq} events: the newest events were deleted"
            )
        if result.checked and not result.checkpoints:
            raise _Failed(
                f"no signed checkpoint in {checkpoints.path()}: without one, deleting the "
                "newest events cannot be detected (is the practice certificate configured?)"
            )
    except _Failed as failure:
        result.reason = str(failure)
        return result
    result.unsealed = AuditEvent.objects.filter(seq__isnull=True).count()
    return result


def verify_chain() -> tuple[int, AuditEvent | None, str]:
    """The older interface, kept for callers such as bench/: (events checked,
    the event where the chain breaks or None when all is well, reason). A
    break with no single bad event (the newest events cut) names the newest
    remaining event."""
    result = verify()
    if result.ok:
        return result.checked, None, ""
    bad = None
    if result.bad_id is not None:
        bad = AuditEvent.objects.filter(pk=result.bad_id).first()
    if bad is None:
        bad = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").first()
    return result.checked, bad or AuditEvent(), result.reason
