from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for the try-out (``manage.py seed_demo``). Not production code:
    it imports every feature to fill it, so it sits above them all, and it is
    the one top-level folder added to the design card's layout."""

    name = "demo"
    verbose_name = "Demo data"
