from django.apps import AppConfig


class PsychotherapyConfig(AppConfig):
    name = "notes.psychotherapy"
    label = "psychotherapy"
    verbose_name = "Psychotherapy notes"

    def ready(self) -> None:
        # Unseal at sign-in, re-wrap on the author's own password change.
        # The author's own process notes (count and dates only) on the chart.
        from notes import chart
        from notes.psychotherapy import checks, signals  # noqa: F401
        from notes.psychotherapy.chart import process_notes_section

        chart.register_section(process_notes_section)
