"""Migration operations shared by the apps that keep signed records.

``freeze_signed_rows`` installs the PostgreSQL trigger that freezes a row once
it is signed (the database half of ``practice.signing.FrozenWhenSigned``).
"""

from __future__ import annotations

from django.db import migrations

_TRIGGER = """
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF {locked} THEN
            RAISE EXCEPTION '{table}: signed records are frozen; DELETE rejected'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
    END IF;
    IF {locked} AND (to_jsonb(NEW) - {mutable}::text[])
                    IS DISTINCT FROM (to_jsonb(OLD) - {mutable}::text[]) THEN
        RAISE EXCEPTION '{table}: signed records are frozen; UPDATE of signed content rejected'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {name} ON {table};
CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {name}();
"""


def freeze_signed_rows(
    table: str,
    *,
    locked_when: str,
    mutable_columns: tuple[str, ...] = (),
    name: str = "",
) -> migrations.RunPython:
    """A migration operation: on PostgreSQL, once ``locked_when`` (an SQL
    expression on OLD, e.g. ``OLD.signed_at IS NOT NULL``) holds, the row can no
    longer be deleted and only ``mutable_columns`` may change (e.g. a
    co-signature or the export it was billed in). No-op on SQLite, where the
    application's own checks are the only guard. ``name`` tells apart several
    such triggers on one table (e.g. a second, stricter one after co-signing).
    """
    name = name or f"{table}_frozen_when_signed"
    mutable = "ARRAY[" + ",".join(f"'{c}'" for c in mutable_columns) + "]"
    create = _TRIGGER.format(name=name, table=table, locked=locked_when, mutable=mutable)
    drop = f"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}();"

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(create, params=None)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(drop, params=None)

    return migrations.RunPython(forwards, backwards)
