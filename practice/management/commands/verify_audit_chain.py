from django.core.management.base import BaseCommand, CommandError

from practice import checkpoints
from practice.audit import verify


class Command(BaseCommand):
    help = (
        "Seal what is not sealed yet, then check every keyed link of the audit chain and "
        "every signed checkpoint in AUDIT_CHECKPOINT_DIR; exit non-zero at the first failure."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-seal",
            action="store_true",
            help="Check only what is sealed already (read-only: writes no checkpoint)",
        )

    def handle(self, *args, **options):
        result = verify(seal_first=not options["no_seal"])
        if not result.ok:
            where = f" at event #{result.bad_id}" if result.bad_id else ""
            raise CommandError(
                f"Audit chain BROKEN{where}: {result.reason}. "
                f"{result.checked} earlier events verified."
            )
        unsealed = f", {result.unsealed} not sealed yet" if result.unsealed else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {result.checked} events verified against "
                f"{result.checkpoints} signed checkpoints in {checkpoints.path()}{unsealed}."
            )
        )
