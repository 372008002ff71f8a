from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "Contact notes"

    def ready(self) -> None:
        # Plug into the foundation (the signed PDF) and into clients (retention).
        from clients import retention
        from contacts import documents
        from contacts.models import ContactNote
        from practice.documents import registry

        registry.register(documents.KIND)
        # A contact counts toward the record's retention.
        retention.register_service_source(ContactNote, "contact_at", is_datetime=True)
