from django.core.management.base import BaseCommand, CommandError

from practice.audit import verify_chain


class Command(BaseCommand):
    help = "Recompute the audit trail's hash chain; exit non-zero at the first broken link."

    def handle(self, *args, **options):
        checked, bad, reason = verify_chain()
        if bad is not None:
            raise CommandError(
                f"Audit chain BROKEN at event #{bad.id} ({bad.created_at:%Y-%m-%d %H:%M:%S}, "
                f"{bad.action}): {reason}. {checked} earlier events verified."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} events verified."))
