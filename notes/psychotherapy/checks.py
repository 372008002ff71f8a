"""System checks of the process-note store (run by `manage.py check --deploy`)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def process_notes_recovery_key(app_configs, **kwargs):
    """Sealed process notes can be recovered after a lost password only with
    the practice recovery key pair (docs/recovery.md)."""
    if not settings.PROCESS_NOTES_RECOVERY_PUBLIC_KEY:
        return [
            Warning(
                "PROCESS_NOTES_RECOVERY_PUBLIC_KEY is not set: a clinician who forgets their "
                "password loses their process notes for good.",
                hint="Hold the recovery key ceremony in docs/recovery.md and set the public half.",
                id="psychotherapy.W001",
            )
        ]
    return []
