from django.db import migrations

from practice.migration_ops import freeze_signed_rows


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_contact_notes_and_addenda")]

    operations = [
        # Signed notes: nothing but updated_at may change, and they cannot be deleted.
        freeze_signed_rows(
            "contacts_contactnote",
            locked_when="OLD.status = 'signed'",
            mutable_columns=("updated_at",),
        ),
        # Addenda are signed when written.
        freeze_signed_rows("contacts_contactnoteaddendum", locked_when="TRUE"),
    ]
