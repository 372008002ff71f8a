"""Recover an author's sealed process notes with the practice's OFFLINE
recovery private key (docs/recovery.md).

    python manage.py recover_process_notes <username>

The private key is asked for interactively (hidden input), or read as one line
from standard input when that is not a terminal (``< /media/usb/key``). It is
never taken from the command line or the environment, never stored, and never
printed. The command opens the author's data key with it, seals any of their
notes that predate sealing, and wraps the key under a new one-time recovery
code, printed once: give it to the author in person. They enter it, with their
current password, on the "Unseal" page. Audited as a key_rotation event.
"""

from __future__ import annotations

import getpass
import os
import sys

from django.core.management.base import BaseCommand, CommandError

from notes.psychotherapy import crypto, sealing
from practice.models import User


def _read_private_key(stdin) -> str:
    if stdin.isatty():
        return getpass.getpass("Recovery PRIVATE key (base64, input hidden): ")
    # Piped in from the offline medium: the first line that is not a comment.
    for line in stdin:
        if line.strip() and not line.lstrip().startswith("#"):
            return line
    return ""


class Command(BaseCommand):
    help = "Open an author's sealed process notes with the offline recovery key (interactive)."
    # Tests hand in a stdin of their own; there is deliberately no --key option.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("username", help="The author whose notes to recover.")

    def handle(self, *args, username: str, **options):
        author = User.objects.filter(username=username).first()
        if author is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            crypto.keyset()
        except crypto.ProcessNoteStoreUnavailable as exc:
            raise CommandError(str(exc)) from None
        stdin = options.get("stdin") or sys.stdin
        try:
            private_key = sealing.load_recovery_private_key(_read_private_key(stdin))
        except ValueError:
            raise CommandError("That is not a recovery private key (base64 of 32 bytes).") from None
        public = sealing.recovery_public_key()
        if public is not None and sealing.recovery_key_id(
            private_key.public_key()
        ) != sealing.recovery_key_id(public):
            self.stderr.write(
                "Note: this private key is not the half of the configured recovery public key "
                "(an older key pair?). Trying it anyway."
            )
        try:
            code, sealed = sealing.recover(
                author=author, private_key=private_key, operator=_operator_name()
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        finally:
            del private_key
        self.stdout.write(
            f"Recovered the process-note key of {author.username}"
            + (f"; sealed {sealed} older note(s) under it." if sealed else ".")
        )
        self.stdout.write("")
        self.stdout.write(f"One-time recovery code (shown once, valid {sealing.HANDOVER_HOURS} h):")
        self.stdout.write(f"    {code}")
        self.stdout.write("")
        self.stdout.write(
            "Give it to the author in person. They sign in, open Process notes -> Unseal, and "
            "enter this code with their current password."
        )


def _operator_name() -> str:
    # Who ran it, as the operating system knows them: for the audit trail.
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "") or "unknown"
