"""DocumentJob now belongs to the ``documents`` app (see its migration 0001):
removed from this app's state only; the table and its rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("practice", "0007_sign_in_resets"),
        ("documents", "0001_document_jobs_move_from_practice"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DocumentJob")],
            database_operations=[],
        ),
    ]
