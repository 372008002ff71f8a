import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from practice import audit
from practice.models import AuditAction, AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)


def _three_events(user):
    return [
        audit.record(AuditAction.VIEW, user=user, object_type="x", object_id=str(i))
        for i in range(3)
    ]


def test_each_event_is_chained_to_the_previous_one(alice):
    first, second, third = _three_events(alice)
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert first.role == "clinician" and first.username == "alice"


def test_verify_audit_chain_passes_on_an_untouched_trail(alice, capsys):
    _three_events(alice)
    call_command("verify_audit_chain")
    assert "intact" in capsys.readouterr().out


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
    ],
)
def test_postgres_trigger_rejects_raw_update_and_delete(alice, sql):
    event = audit.record(AuditAction.VIEW, user=alice)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == AuditAction.VIEW


def _tamper(sql, params):
    """Change a row behind the application's back (as a DB owner could)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A database superuser can switch user triggers off for a session.
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


def test_verify_audit_chain_reports_a_changed_row(alice):
    events = _three_events(alice)
    _tamper("UPDATE practice_auditevent SET username = 'mallory' WHERE id = %s", [events[1].pk])
    with pytest.raises(CommandError, match=f"#{events[1].pk}.*row changed"):
        call_command("verify_audit_chain")


def test_verify_audit_chain_reports_a_removed_row(alice):
    events = _three_events(alice)
    _tamper("DELETE FROM practice_auditevent WHERE id = %s", [events[1].pk])
    with pytest.raises(CommandError, match=f"#{events[2].pk}.*removed"):
        call_command("verify_audit_chain")


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
