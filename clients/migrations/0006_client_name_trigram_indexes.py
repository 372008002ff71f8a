"""Trigram (pg_trgm) indexes for the client search (issue 18).

The search matches any part of a name or MRN (``icontains``), which PostgreSQL
writes as ``UPPER(column::text) LIKE UPPER('%term%')``: no b-tree helps, so
every search read the whole client table. A GIN trigram index on exactly that
expression answers it from the index. PostgreSQL only: on SQLite (the try-out)
this migration does nothing and the search stays a scan of a small table.
``pg_trgm`` is a trusted extension (PostgreSQL 13+): the database owner may
create it.
"""

from django.db import migrations

COLUMNS = ("legal_first_name", "legal_last_name", "preferred_name", "mrn")


def _index(column: str) -> str:
    return f"clients_client_{column}_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {_index(column)} ON clients_client "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {_index(column)}")


class Migration(migrations.Migration):
    dependencies = [("clients", "0005_personal_representatives")]

    operations = [migrations.RunPython(create, drop)]
