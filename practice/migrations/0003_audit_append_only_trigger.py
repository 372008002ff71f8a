"""On PostgreSQL, reject UPDATE and DELETE of audit rows in the database itself,
so not even ordinary SQL outside the application can rewrite history.
(TRUNCATE is left to the database owner: test databases are flushed with it.)
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION practice_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % rejected', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS practice_auditevent_append_only ON practice_auditevent;
CREATE TRIGGER practice_auditevent_append_only
    BEFORE UPDATE OR DELETE ON practice_auditevent
    FOR EACH ROW EXECUTE FUNCTION practice_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS practice_auditevent_append_only ON practice_auditevent;
DROP FUNCTION IF EXISTS practice_auditevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("practice", "0002_create_roles")]

    operations = [migrations.RunPython(forwards, backwards)]
