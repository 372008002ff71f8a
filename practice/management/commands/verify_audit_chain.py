from django.core.management.base import BaseCommand, CommandError

from practice import checkpoints
from practice.audit import verify
from practice.integrity import verify_signed_records


class Command(BaseCommand):
    help = (
        "Seal what is not sealed yet, then check every keyed link of the audit chain, every "
        "signed checkpoint in AUDIT_CHECKPOINT_DIR and the keyed hash of every signed note "
        "and addendum; exit non-zero when anything fails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-seal",
            action="store_true",
            help="Check only what is sealed already (writes no checkpoint)",
        )
        parser.add_argument(
            "--chain-only",
            action="store_true",
            help="Skip the signed notes and addenda",
        )

    def handle(self, *args, **options):
        problems = []
        result = verify(seal_first=not options["no_seal"])
        if not result.ok:
            where = f" at event #{result.bad_id}" if result.bad_id else ""
            problems.append(
                f"Audit chain BROKEN{where}: {result.reason}. "
                f"{result.checked} earlier events verified."
            )
        else:
            unsealed = f", {result.unsealed} not sealed yet" if result.unsealed else ""
            self.stdout.write(
                self.style.SUCCESS(
                    f"Audit chain intact: {result.checked} events verified against "
                    f"{result.checkpoints} signed checkpoints in {checkpoints.path()}{unsealed}."
                )
            )
        if not options["chain_only"]:
            records = verify_signed_records()
            if records.ok:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Signed records intact: {records.checked} notes and addenda match "
                        "their keyed hashes."
                    )
                )
            else:
                problems.append(
                    f"Signed records CHANGED after signing: {records.failures} of "
                    f"{records.checked} do not match their keyed hashes: "
                    + ", ".join(records.listed)
                )
        if problems:
            raise CommandError(" ".join(problems))
