from django.apps import AppConfig


class PsychotherapyConfig(AppConfig):
    name = "notes.psychotherapy"
    label = "psychotherapy"
    verbose_name = "Psychotherapy notes"

    def ready(self) -> None:
        # Unseal at sign-in, re-wrap on the author's own password change.
        from notes.psychotherapy import checks, signals  # noqa: F401
