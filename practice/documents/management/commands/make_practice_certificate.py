"""Create a self-signed certificate and key that sign the practice's PDFs."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from practice.documents.pdf import make_self_signed_certificate
from practice.models import PracticeSettings


class Command(BaseCommand):
    help = (
        "Create a self-signed document-signing certificate for a new practice, written to "
        "PRACTICE_CERT_FILE and PRACTICE_KEY_FILE (the key encrypted with "
        "PRACTICE_KEY_PASSPHRASE when it is set). Refuses to overwrite without --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--common-name", help="Certificate subject (default: practice name)")
        parser.add_argument("--days", type=int, default=3650, help="Validity in days")
        parser.add_argument(
            "--force", action="store_true", help="Replace an existing certificate and key"
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Do nothing (and succeed) when both files already exist",
        )

    def handle(self, *args, **options):
        cert_file = Path(settings.PRACTICE_CERT_FILE)
        key_file = Path(settings.PRACTICE_KEY_FILE)
        exists = cert_file.exists() or key_file.exists()
        if exists and options["if_missing"] and cert_file.exists() and key_file.exists():
            self.stdout.write(f"Practice certificate already present at {cert_file}.")
            return
        if exists and not options["force"]:
            raise CommandError(
                f"{cert_file} or {key_file} already exists. PDFs signed with it stay "
                "verifiable only with that certificate: keep a copy before replacing it "
                "with --force."
            )
        practice = PracticeSettings.load()
        passphrase = settings.PRACTICE_KEY_PASSPHRASE.encode() or None
        cert_pem, key_pem = make_self_signed_certificate(
            common_name=options["common_name"] or practice.name,
            organization=practice.name,
            days=options["days"],
            passphrase=passphrase,
        )
        cert_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.parent.mkdir(parents=True, exist_ok=True)
        # The key is written readable by its owner only, from the first byte.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key_pem)
        cert_file.write_bytes(cert_pem)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote the practice certificate to {cert_file} and its key to {key_file}"
                f"{' (encrypted)' if passphrase else ''}. Back up both; keep the key secret."
            )
        )
