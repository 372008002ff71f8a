from django.apps import AppConfig


class PsychotherapyConfig(AppConfig):
    name = "notes.psychotherapy"
    label = "psychotherapy"
    verbose_name = "Psychotherapy notes"

    def ready(self) -> None:
        # The author's own process notes (count and dates only) on the chart.
        from notes import chart
        from notes.psychotherapy.chart import process_notes_section

        chart.register_section(process_notes_section)
