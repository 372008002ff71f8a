"""Move signed records hashed before SIGNED_RECORD_HMAC_KEY existed to keyed hashes.

A record is re-hashed only when its stored hash is exactly the old unkeyed
SHA-256 of its signed content, i.e. it is unchanged since signing as far as the
old scheme can tell. A record that matches neither the old nor the new hash is
left as it is: it keeps showing the integrity warning and is listed. The run is
one transaction and is audited (``key_rotation``).

Run it once, right after upgrading. It refuses a second run: by then a
record carrying an unkeyed hash is what someone rewriting the database would
leave, and re-hashing it would launder the change.
"""

from __future__ import annotations

import hashlib

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from practice import audit
from practice.integrity import signed_models
from practice.models import AuditAction, AuditEvent
from practice.signing import canonical_json, content_hash, hash_matches

OBJECT_TYPE = "practice.signing"


def _relations(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.is_relation and f.many_to_one]


def _depends_on_signed(model, signed: set) -> bool:
    """Addenda sign their note's hash: they are re-hashed after their notes."""
    return any(
        f.is_relation and f.many_to_one and f.related_model in signed
        for f in model._meta.concrete_fields
    )


class Command(BaseCommand):
    help = (
        "Re-hash, under SIGNED_RECORD_HMAC_KEY, signed notes and addenda whose stored hash "
        "is the old unkeyed SHA-256 of their content (once, after upgrading). Records "
        "matching neither hash are left alone and listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing")

    def handle(self, *args, **options):
        done = AuditEvent.objects.filter(
            action=AuditAction.KEY_ROTATION, object_type=OBJECT_TYPE
        ).first()
        if done is not None and not options["dry_run"]:
            raise CommandError(
                f"Signed records were already re-hashed on {done.created_at:%Y-%m-%d %H:%M}. "
                "A record with an unkeyed hash now is one rewritten since: it is not re-hashed."
            )
        models = signed_models()
        signed = set(models)
        models.sort(key=lambda m: _depends_on_signed(m, signed))
        # First pass, before anything changes: which rows carry the old hash
        # (an addendum's old hash covers its note's old hash).
        legacy: dict = {}
        mismatched: list[str] = []
        for model in models:
            legacy[model] = []
            rows = (
                model._base_manager.exclude(content_hash="")
                .select_related(*_relations(model))
                .order_by("pk")
                .iterator(chunk_size=2000)
            )
            for record in rows:
                content = record.signed_content()
                if hash_matches(record.content_hash, content):
                    continue
                unkeyed = hashlib.sha256(canonical_json(content)).hexdigest()
                if record.content_hash == unkeyed:
                    legacy[model].append(record.pk)
                else:
                    mismatched.append(f"{model._meta.label_lower} {record.uuid}")
        counts = {m._meta.label_lower: len(pks) for m, pks in legacy.items() if pks}
        if options["dry_run"]:
            self.stdout.write(f"Would re-hash {counts or 'nothing'}; {len(mismatched)} mismatched.")
            return
        with transaction.atomic():
            tables = [m._meta.db_table for m in models if legacy[m]]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    for table in tables:
                        # The freeze triggers would (rightly) refuse this change.
                        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            for model in models:
                for pk in legacy[model]:
                    record = model._base_manager.select_related(*_relations(model)).get(pk=pk)
                    model._base_manager.filter(pk=pk).update(
                        content_hash=content_hash(record.signed_content())
                    )
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    for table in tables:
                        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            audit.record(
                AuditAction.KEY_ROTATION,
                object_type=OBJECT_TYPE,
                detail={
                    "signed_records": "re-hashed with SIGNED_RECORD_HMAC_KEY",
                    "rehashed": counts,
                    "mismatched": len(mismatched),
                },
            )
        self.stdout.write(self.style.SUCCESS(f"Re-hashed {counts or 'nothing'}."))
        if mismatched:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(mismatched)} records match neither hash and were left as they are "
                    "(they show the integrity warning): " + ", ".join(mismatched[:50])
                )
            )
