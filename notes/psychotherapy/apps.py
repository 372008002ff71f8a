from django.apps import AppConfig


class PsychotherapyConfig(AppConfig):
    name = "notes.psychotherapy"
    label = "psychotherapy"
    verbose_name = "Psychotherapy notes"
