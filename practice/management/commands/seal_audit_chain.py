from django.core.management.base import BaseCommand, CommandError

from practice.audit import ChainBroken, seal


class Command(BaseCommand):
    help = (
        "Chain every committed audit event not sealed yet under AUDIT_HMAC_KEY and append a "
        "signed checkpoint of the head (celery beat does this every AUDIT_SEAL_SECONDS). "
        "After an upgrade it re-chains the existing events under the key."
    )

    def handle(self, *args, **options):
        try:
            result = seal(force_checkpoint=True)
        except ChainBroken as exc:
            raise CommandError(
                f"Not sealed: {exc}. Run verify_audit_chain. If the database was deliberately "
                "restored or recreated, archive the checkpoint file (docs/audit-trail.md)."
            ) from exc
        note = "checkpoint written" if result.checkpoint_written else "no new checkpoint"
        self.stdout.write(
            self.style.SUCCESS(
                f"Sealed {result.sealed} events; the chain head is #{result.head_seq} ({note})."
            )
        )
