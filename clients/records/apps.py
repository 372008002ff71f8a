from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """The read side of the record: the chart page (assembled from the
    features' sections) and the auditor's chart export. It sits above notes,
    contacts, the schedule and billing, and reads them; nothing imports it."""

    name = "clients.records"
    label = "records"
    verbose_name = "Records"

    def ready(self) -> None:
        # Plug into the foundation: the chart export is a background document.
        from clients.records import chart_export
        from practice.documents import registry

        registry.register(chart_export.KIND)
