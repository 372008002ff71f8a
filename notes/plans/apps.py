from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "notes.plans"
    label = "plans"
    verbose_name = "Treatment plans"

    def ready(self) -> None:
        # Plug into the note: its necessity check and its editor. Notes never
        # imports this app; it offers the hooks.
        from notes import hooks, panels
        from notes.plans import checks, note_panel

        hooks.register_necessity_check(checks.plan_necessity)
        panels.register_panel(note_panel.PANEL)
