from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        # Plug into the foundation: billing exports are background documents.
        from billing import documents
        from practice.documents import registry

        registry.register(documents.KIND)
