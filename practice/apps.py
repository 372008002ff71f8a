from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PracticeConfig(AppConfig):
    name = "practice"
    verbose_name = "Practice"

    def ready(self) -> None:
        from practice import checks, signals  # noqa: F401  (system checks; login/logout auditing)
        from practice.admin import audit_every_model_admin

        # Admin modules are all imported by now (the admin app's ready() runs
        # first): every operator change, third-party admins included, is audited.
        audit_every_model_admin()

        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="practice.sync_roles")


def _sync_roles(sender, using="default", **kwargs):
    """Keep the role groups' permissions in step with practice.roles.

    post_migrate fires per app in INSTALLED_APPS order, so permissions of apps
    after ``practice`` may not exist yet: create them all first (idempotent).
    """
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from practice.roles import sync_role_groups

    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    sync_role_groups()
