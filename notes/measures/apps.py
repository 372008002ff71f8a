from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "notes.measures"
    label = "measures"
    verbose_name = "Standard measures"

    def ready(self) -> None:
        # Notes never import this app: it adds its check to the signing of a
        # progress note through the hook registry that notes offers.
        from notes.hooks import register_necessity_check
        from notes.measures.rules import suicide_item_check

        register_necessity_check(suicide_item_check)
