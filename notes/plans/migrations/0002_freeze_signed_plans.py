from django.db import migrations

from practice.migration_ops import freeze_signed_rows

COSIGN_COLUMNS = (  # frozen copy of notes.plans.models.COSIGN_COLUMNS
    "cosigned_at",
    "cosigner_id",
    "cosigner_name",
    "cosigner_credentials",
    "cosign_hash",
    "updated_at",
)

# A note's goal progress is frozen with the note: no row may be added to,
# changed on or removed from a signed note (INSERT included, unlike a row that
# is itself signed).
GOAL_PROGRESS_TRIGGER = """
CREATE OR REPLACE FUNCTION plans_goalprogress_frozen_with_note() RETURNS trigger AS $$
DECLARE
    note_ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        note_ids := ARRAY[NEW.note_id];
    ELSIF TG_OP = 'DELETE' THEN
        note_ids := ARRAY[OLD.note_id];
    ELSE
        note_ids := ARRAY[OLD.note_id, NEW.note_id];
    END IF;
    IF EXISTS (SELECT 1 FROM notes_progressnote
               WHERE id = ANY(note_ids) AND status = 'signed') THEN
        RAISE EXCEPTION 'plans_goalprogress: the note is signed; % rejected', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS plans_goalprogress_frozen_with_note ON plans_goalprogress;
CREATE TRIGGER plans_goalprogress_frozen_with_note
    BEFORE INSERT OR UPDATE OR DELETE ON plans_goalprogress
    FOR EACH ROW EXECUTE FUNCTION plans_goalprogress_frozen_with_note();
"""
DROP_GOAL_PROGRESS_TRIGGER = """
DROP TRIGGER IF EXISTS plans_goalprogress_frozen_with_note ON plans_goalprogress;
DROP FUNCTION IF EXISTS plans_goalprogress_frozen_with_note();
"""


def freeze_goal_progress(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GOAL_PROGRESS_TRIGGER, params=None)


def unfreeze_goal_progress(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_GOAL_PROGRESS_TRIGGER, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_treatment_plans_and_goal_progress"),
        ("notes", "0002_freeze_signed_progress_notes"),
    ]

    operations = [
        # A signed version: only the one-time co-signature (and updated_at) may
        # still be filled in; nothing may be deleted.
        freeze_signed_rows(
            "plans_treatmentplan",
            locked_when="OLD.status = 'signed'",
            mutable_columns=COSIGN_COLUMNS,
        ),
        # Once co-signed, the co-signature is frozen too.
        freeze_signed_rows(
            "plans_treatmentplan",
            locked_when="OLD.cosigned_at IS NOT NULL",
            mutable_columns=("updated_at",),
            name="plans_treatmentplan_frozen_when_cosigned",
        ),
        migrations.RunPython(freeze_goal_progress, unfreeze_goal_progress),
    ]
