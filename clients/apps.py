from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = "Clients"

    def ready(self) -> None:
        # Documents about one client name the client only to those who reach them.
        from clients import access
        from practice.documents import registry

        registry.register_client_lookup(access.clients_by_uuid)
