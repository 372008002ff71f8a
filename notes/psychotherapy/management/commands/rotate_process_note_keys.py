"""Re-encrypt every process note under the newest key in PROCESS_NOTES_KEYS.

Put the new key first and keep the old ones after it, run this, then drop the
old keys. Each batch commits on its own, and only notes whose key id is not
the newest key's are picked up, so a rerun after an interruption resumes where
it stopped and a second run changes nothing. A note no configured key can
decrypt is reported by uuid and left untouched (never overwritten); the
command then exits non-zero.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from notes.psychotherapy import crypto
from notes.psychotherapy.access import OBJECT_TYPE
from notes.psychotherapy.models import ProcessNote
from practice import audit
from practice.models import AuditAction


class Command(BaseCommand):
    help = "Re-encrypt all process notes under the newest PROCESS_NOTES_KEYS key, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            keys = crypto.keyset()
        except crypto.ProcessNoteStoreUnavailable as exc:
            raise CommandError(str(exc)) from None
        newest = keys.primary_id
        pending = ProcessNote.objects.exclude(key_id=newest)
        self.stdout.write(
            f"Newest key id {newest}; {pending.count()} note(s) to re-encrypt "
            f"in batches of {batch_size}."
        )
        rotated, failed, last_pk = 0, [], 0
        while True:
            with transaction.atomic():
                batch = list(
                    pending.filter(pk__gt=last_pk)
                    .select_for_update()
                    .order_by("pk")
                    .only("pk", "uuid", "ciphertext", "key_id")[:batch_size]
                )
                if not batch:
                    break
                for note in batch:
                    try:
                        token, key_id = crypto.reencrypt(note.ciphertext, note.key_id)
                    except crypto.ProcessNoteKeyError as exc:
                        failed.append(str(note.uuid))
                        self.stderr.write(f"  {note.uuid}: {exc}")
                        continue
                    # Conditional on the token we read: an edit saved meanwhile wins.
                    # updated_at is left alone: the content did not change.
                    rotated += ProcessNote.objects.filter(
                        pk=note.pk, ciphertext=note.ciphertext
                    ).update(ciphertext=token, key_id=key_id)
                last_pk = batch[-1].pk
            self.stdout.write(f"  re-encrypted {rotated} so far")
        audit.record(
            AuditAction.KEY_ROTATION,
            object_type=OBJECT_TYPE,
            detail={
                "key_id": newest,
                "rotated": rotated,
                "failed": len(failed),
                "failed_ids": failed[:100],
            },
        )
        self.stdout.write(f"Re-encrypted {rotated} note(s) under key {newest}.")
        if failed:
            raise CommandError(
                f"{len(failed)} note(s) could not be decrypted with the configured keys and "
                "were left unchanged. Restore the key that wrote them and run this again."
            )
        remaining = ProcessNote.objects.exclude(key_id=newest).count()
        if remaining == 0:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Every note now uses key {newest}: the older keys can be removed."
                )
            )
