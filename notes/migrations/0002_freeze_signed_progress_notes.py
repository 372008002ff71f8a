from django.db import migrations

from practice.migration_ops import freeze_signed_rows

COSIGN_COLUMNS = (  # frozen copy of notes.models.COSIGN_COLUMNS
    "cosigned_at",
    "cosigner_id",
    "cosigner_name",
    "cosigner_credentials",
    "cosign_hash",
    "updated_at",
)


class Migration(migrations.Migration):
    dependencies = [("notes", "0001_progress_notes_and_addenda")]

    operations = [
        # Signed notes: only the one-time co-signature (and updated_at) may
        # still be filled in; nothing may be deleted.
        freeze_signed_rows(
            "notes_progressnote",
            locked_when="OLD.status = 'signed'",
            mutable_columns=COSIGN_COLUMNS,
        ),
        # Once co-signed, the co-signature is frozen too.
        freeze_signed_rows(
            "notes_progressnote",
            locked_when="OLD.cosigned_at IS NOT NULL",
            mutable_columns=("updated_at",),
            name="notes_progressnote_frozen_when_cosigned",
        ),
        # Addenda are signed when written.
        freeze_signed_rows("notes_progressnoteaddendum", locked_when="TRUE"),
    ]
