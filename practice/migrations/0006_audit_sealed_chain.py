"""The audit trail is written without a lock and chained afterwards by a sealer
under a key held outside the database (practice.audit, docs/audit-trail.md).

- ``seq`` is the event's place in the keyed chain, set once by the sealer.
- The append-only trigger now lets exactly that change through: an unsealed
  row (``seq`` NULL) may receive ``seq``, ``prev_hash`` and ``hash``, nothing
  else, once. Every other UPDATE and every DELETE is still rejected.
- Existing rows keep their content; their unkeyed SHA-256 chain is checked
  here, the result is written to the trail as a ``key_rotation`` event, and the
  first ``seal`` re-chains all of them, in id order, under AUDIT_HMAC_KEY.
"""

import hashlib
import json

from django.db import migrations, models
from django.utils import timezone

TRIGGER = """
CREATE OR REPLACE FUNCTION practice_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    -- The sealer's one write: an unsealed event gets its place in the chain.
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
       AND (to_jsonb(NEW) - ARRAY['seq', 'prev_hash', 'hash'])
           = (to_jsonb(OLD) - ARRAY['seq', 'prev_hash', 'hash']) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: % rejected', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

OLD_TRIGGER = """
CREATE OR REPLACE FUNCTION practice_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % rejected', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def allow_sealing(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER, params=None)


def forbid_sealing(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OLD_TRIGGER, params=None)


def _legacy_hash(event) -> str:
    # Frozen copy of the unkeyed hash of migrations 0001-0005 (sha256 of
    # prev_hash and the canonical row).
    data = {
        "created_at": event.created_at.isoformat(),
        "user_id": event.user_id,
        "username": event.username,
        "role": event.role,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "client_uuid": str(event.client_uuid) if event.client_uuid else None,
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
        "detail": event.detail,
    }
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hashlib.sha256(event.prev_hash.encode() + canonical).hexdigest()


def check_legacy_chain(apps, schema_editor):
    """Check the old unkeyed chain once, and say in the trail what was found,
    before the sealer re-chains these rows under the key."""
    AuditEvent = apps.get_model("practice", "AuditEvent")
    legacy = AuditEvent.objects.filter(seq__isnull=True).order_by("id")
    checked = 0
    broken_at = None
    expected_prev = "0" * 64
    for event in legacy.iterator(chunk_size=2000):
        if event.prev_hash != expected_prev or _legacy_hash(event) != event.hash:
            broken_at = event.id
            break
        expected_prev = event.hash
        checked += 1
    if checked == 0 and broken_at is None:
        return
    AuditEvent.objects.create(
        created_at=timezone.now(),
        action="key_rotation",
        object_type="practice.auditevent",
        detail={
            "audit_chain": "re-keyed with AUDIT_HMAC_KEY at the next seal",
            "legacy_events_checked": checked,
            "legacy_chain": "intact" if broken_at is None else f"broken at event #{broken_at}",
        },
    )
    if schema_editor.connection.vendor == "postgresql":
        # The row above queues a deferred foreign-key check; the index on seq
        # is created at the end of this migration, and PostgreSQL refuses to
        # build an index while trigger events are pending ("pending trigger
        # events" on every database that already had audit rows).
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")



class Migration(migrations.Migration):

    dependencies = [
        ('practice', '0005_merge_document_jobs_and_mfa_setting'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='seq',
            field=models.BigIntegerField(blank=True, db_index=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('view', 'View'), ('create', 'Create'), ('update', 'Update'), ('delete_attempt', 'Delete attempt'), ('sign', 'Sign'), ('cosign', 'Co-sign'), ('export', 'Export'), ('print', 'Print'), ('download', 'Download'), ('login', 'Login'), ('login_failed', 'Failed login'), ('logout', 'Logout'), ('access_denied', 'Access denied'), ('permission_change', 'Permission change'), ('key_rotation', 'Key rotation'), ('emergency_access', 'Emergency access'), ('search', 'Search'), ('integrity_failure', 'Integrity check failed')], max_length=30),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(blank=True, default='', editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='prev_hash',
            field=models.CharField(blank=True, default='', editable=False, max_length=64),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(condition=models.Q(('seq__isnull', True)), fields=['id'], name='practice_audit_unsealed'),
        ),
        migrations.RunPython(allow_sealing, forbid_sealing),
        migrations.RunPython(check_legacy_chain, migrations.RunPython.noop),
    ]
