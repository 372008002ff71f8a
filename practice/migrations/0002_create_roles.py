"""Create the role groups with their model permissions.

Permissions are normally created after migrations run (post_migrate), so they
are created here first for the apps migrated so far. PracticeConfig keeps the
groups in step after every later ``migrate`` as apps add permissions.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    from practice.roles import sync_role_groups

    sync_role_groups(apps)


def remove_roles(apps, schema_editor):
    from practice.roles import Role

    apps.get_model("auth", "Group").objects.filter(name__in=Role.values).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("practice", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
