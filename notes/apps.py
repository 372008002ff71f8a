from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "notes"
    verbose_name = "Progress notes"

    def ready(self) -> None:
        # Plug into the foundation (the signed PDF) and into clients (retention).
        from clients import retention
        from notes import documents
        from notes.models import ProgressNote
        from practice.documents import registry

        registry.register(documents.KIND)
        # A progress note's service date counts toward the record's retention.
        retention.register_service_source(ProgressNote, "service_date", is_datetime=False)
