import hashlib
import json
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from practice import audit, checkpoints
from practice.models import AuditAction, AuditEvent, chain_hmac
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)


def _events(user, n=3):
    return [
        audit.record(AuditAction.VIEW, user=user, object_type="x", object_id=str(i))
        for i in range(n)
    ]


def _fresh(events):
    return [AuditEvent.objects.get(pk=e.pk) for e in events]


def test_writing_takes_no_lock_and_leaves_the_event_for_the_sealer(alice):
    event = audit.record(AuditAction.VIEW, user=alice, object_type="x", object_id="1")
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.seq is None and stored.hash == "" and not stored.is_sealed
    assert stored.role == "clinician" and stored.username == "alice"


def test_the_sealer_chains_events_in_id_order_under_the_key(alice, settings):
    events = _events(alice)
    assert audit.seal().sealed == 3
    first, second, third = _fresh(events)
    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert first.prev_hash == audit.GENESIS_HASH
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    # Keyed: the same row under another key gives another link.
    assert second.hash == second.compute_hash(settings.AUDIT_HMAC_KEY)
    assert second.hash != second.compute_hash(b"x" * 32)


def test_verify_audit_chain_passes_on_an_untouched_trail(alice, audit_certificate, capsys):
    _events(alice)
    call_command("verify_audit_chain")
    out = capsys.readouterr().out
    assert "intact: 3 events verified against 1 signed checkpoints" in out
    line = json.loads(checkpoints.path().read_text().splitlines()[-1])
    assert line["seq"] == 3 and line["sig"]


def test_the_application_cannot_update_or_delete_events(alice):
    event = audit.record(AuditAction.VIEW, user=alice)
    event.action = AuditAction.SIGN
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
    with pytest.raises(RuntimeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="sign")
    with pytest.raises(RuntimeError):
        AuditEvent.objects.all().delete()


@on_postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE practice_auditevent SET action = 'sign' WHERE id = %s",
        "DELETE FROM practice_auditevent WHERE id = %s",
        # Sealed once, a row's place and link cannot be rewritten either...
        "UPDATE practice_auditevent SET hash = repeat('0', 64) WHERE id = %s",
        # ...nor can a row be "unsealed" so that the sealer re-chains it.
        "UPDATE practice_auditevent SET seq = NULL, hash = '' WHERE id = %s",
    ],
)
def test_postgres_trigger_rejects_raw_update_and_delete(alice, sql):
    event = audit.record(AuditAction.VIEW, user=alice)
    audit.seal(checkpoint=False)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.action == AuditAction.VIEW and stored.seq == 1


@on_postgres
def test_postgres_trigger_lets_the_sealing_write_change_nothing_else(alice):
    event = audit.record(AuditAction.VIEW, user=alice)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE practice_auditevent SET seq = 1, hash = 'x', username = 'mallory' "
            "WHERE id = %s",
            [event.pk],
        )


def _tamper(*statements):
    """Change rows behind the application's back, as the app's database role
    (the table's owner) can: switch the triggers off, write, switch them on."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # (Deferred foreign-key checks of the test's transaction run first.)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE practice_auditevent DISABLE TRIGGER USER")
        for sql, params in statements:
            cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE practice_auditevent ENABLE TRIGGER USER")


def _sealed_trail(user, n=5):
    events = _events(user, n)
    result = audit.seal(force_checkpoint=True)
    assert result.sealed == n and result.checkpoint_written
    return _fresh(events)


def test_relabelling_a_row_is_caught(alice, audit_certificate):
    events = _sealed_trail(alice)
    _tamper(("UPDATE practice_auditevent SET username = 'mallory' WHERE id = %s", [events[1].pk]))
    with pytest.raises(CommandError, match=f"#{events[1].pk}.*keyed hash"):
        call_command("verify_audit_chain")


def _unkeyed(prev: str, row: AuditEvent) -> str:
    return hashlib.sha256(prev.encode() + json.dumps(row.detail).encode()).hexdigest()


@pytest.mark.parametrize("how", ["sha256", "hmac under a guessed key"])
def test_rechaining_with_recomputed_hashes_is_caught(alice, audit_certificate, how):
    """Attack 4 of issue 13: relabel a row, then recompute every link after it,
    as someone with the database but without AUDIT_HMAC_KEY can."""
    events = _sealed_trail(alice)
    statements = []
    prev = events[0].hash
    for event in events[1:]:
        event.username = "mallory" if event.pk == events[2].pk else event.username
        event.prev_hash = prev
        if how == "sha256":
            digest = _unkeyed(prev, event)
        else:
            digest = chain_hmac(b"guessed-key-" * 4, event.chain_values())
        statements.append(
            (
                "UPDATE practice_auditevent SET username = %s, prev_hash = %s, hash = %s "
                "WHERE id = %s",
                [event.username, prev, digest, event.pk],
            )
        )
        prev = digest
    _tamper(*statements)
    with pytest.raises(CommandError, match=f"#{events[1].pk}.*keyed hash"):
        call_command("verify_audit_chain")


def test_deleting_the_newest_rows_is_caught(alice, audit_certificate):
    events = _sealed_trail(alice)
    _tamper(("DELETE FROM practice_auditevent WHERE id >= %s", [events[3].pk]))
    with pytest.raises(CommandError, match="records 5 events: the newest events were deleted"):
        call_command("verify_audit_chain")
    # The sealer will not build on a cut chain either.
    audit.record(AuditAction.VIEW, user=alice)
    with pytest.raises(audit.ChainBroken, match="events were deleted"):
        audit.seal()


def test_deleting_a_row_in_the_middle_is_caught(alice, audit_certificate):
    events = _sealed_trail(alice)
    _tamper(("DELETE FROM practice_auditevent WHERE id = %s", [events[2].pk]))
    with pytest.raises(CommandError, match=f"#{events[3].pk}.*removed"):
        call_command("verify_audit_chain")


def test_unsealing_rows_so_the_sealer_rechains_them_is_caught(alice, audit_certificate):
    """With the triggers off, edit the newest rows and mark them unsealed: the
    sealer would chain them again under the real key, but the signed checkpoint
    still holds the old head."""
    events = _sealed_trail(alice)
    _tamper(
        (
            "UPDATE practice_auditevent SET username = 'mallory', seq = NULL, hash = '', "
            "prev_hash = '' WHERE id >= %s",
            [events[3].pk],
        )
    )
    with pytest.raises(CommandError, match="events were deleted"):
        call_command("verify_audit_chain")


def test_an_edited_checkpoint_file_is_caught(alice, audit_certificate):
    _sealed_trail(alice)
    file = checkpoints.path()
    line = json.loads(file.read_text())
    line["seq"] = 2
    file.write_text(json.dumps(line) + "\n")
    with pytest.raises(CommandError, match="bad signature"):
        call_command("verify_audit_chain", "--no-seal")


def test_a_sealed_trail_without_any_checkpoint_fails_verification(alice):
    # No practice certificate: the sealer chains, but cannot sign a checkpoint.
    _events(alice)
    with pytest.raises(CommandError, match="no signed checkpoint"):
        call_command("verify_audit_chain")


def test_checkpoints_are_appended_only_when_the_head_moves_and_one_is_due(
    alice, audit_certificate, settings
):
    settings.AUDIT_CHECKPOINT_SECONDS = 3600
    _events(alice, 2)
    assert audit.seal().checkpoint_written  # the first one is always due
    assert not audit.seal().checkpoint_written  # nothing new
    _events(alice, 1)
    assert not audit.seal().checkpoint_written  # too soon
    assert audit.seal(force_checkpoint=True).checkpoint_written
    assert len(checkpoints.path().read_text().splitlines()) == 2
    assert audit.verify().ok


def test_the_beat_schedule_runs_the_sealer(settings):
    from practice.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["seal-audit-trail"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] <= 60


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
def test_concurrent_writers_both_commit_and_a_late_lower_id_is_never_skipped(
    alice, audit_certificate
):
    """Writer A inserts first (lower id) but commits last; writer B commits in
    between and the sealer runs. Neither writer waits for the other, A's event
    is sealed in the next run, and the chain verifies."""
    a_inserted = threading.Event()
    b_committed = threading.Event()
    a_may_commit = threading.Event()
    ids: dict[str, int] = {}
    errors: list[BaseException] = []

    def writer_a():
        try:
            with transaction.atomic():
                ids["a"] = audit.record(AuditAction.VIEW, user=alice, object_id="a").pk
                a_inserted.set()
                # With a global write lock, B would block here forever.
                assert b_committed.wait(10), "writer B never committed: writers serialise"
                assert a_may_commit.wait(10)
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    def writer_b():
        try:
            assert a_inserted.wait(10)
            with transaction.atomic():
                ids["b"] = audit.record(AuditAction.VIEW, user=alice, object_id="b").pk
            b_committed.set()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for thread in threads:
        thread.start()
    assert b_committed.wait(15), errors
    assert ids["a"] < ids["b"]
    first = audit.seal(force_checkpoint=True)  # sees B only: A has not committed
    a_may_commit.set()
    for thread in threads:
        thread.join(15)
    assert not errors, errors
    assert first.sealed >= 1
    assert AuditEvent.objects.get(pk=ids["a"]).seq is None
    audit.seal(force_checkpoint=True)
    a, b = AuditEvent.objects.get(pk=ids["a"]), AuditEvent.objects.get(pk=ids["b"])
    assert a.seq is not None and a.seq > b.seq  # sealed late, not skipped
    result = audit.verify()
    assert result.ok, result.reason
    assert result.checked == AuditEvent.objects.count() and result.unsealed == 0


def test_login_logout_and_failed_login_are_audited(client, alice):
    url = reverse("login")
    client.post(url, {"username": "alice", "password": "wrong"})
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.detail == {"username": "alice"}
    assert "wrong" not in str(failed.detail)
    client.post(url, {"username": "alice", "password": PASSWORD})
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, user=alice).count() == 1
    client.post(reverse("logout"))
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, user=alice).count() == 1


def test_seal_audit_chain_command_and_the_beat_task(alice, audit_certificate, capsys, caplog):
    events = _events(alice, 3)
    call_command("seal_audit_chain")
    assert "Sealed 3 events; the chain head is #3 (checkpoint written)" in capsys.readouterr().out
    _tamper(("DELETE FROM practice_auditevent WHERE id = %s", [events[2].pk]))
    audit.record(AuditAction.VIEW, user=alice)
    with pytest.raises(CommandError, match="events were deleted.*archive the checkpoint file"):
        call_command("seal_audit_chain")
    # The beat task logs the refusal (ids only) and leaves new events unsealed.
    audit.seal_task()
    assert "audit sealer stopped" in caplog.text
    assert AuditEvent.objects.filter(seq__isnull=True).count() == 1
