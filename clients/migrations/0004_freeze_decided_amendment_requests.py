from django.db import migrations

from practice.migration_ops import freeze_signed_rows


class Migration(migrations.Migration):
    dependencies = [("clients", "0003_emergency_access_and_amendment_requests")]

    operations = [
        # A decided request is signed: only the client's statement of
        # disagreement may still be attached, and nothing can be deleted.
        freeze_signed_rows(
            "clients_amendmentrequest",
            locked_when="OLD.status <> 'pending'",
            mutable_columns=(
                "disagreement_statement",
                "disagreement_received_on",
                "disagreement_logged_by_id",
            ),
        ),
        # Once the statement is attached, the whole row is frozen.
        freeze_signed_rows(
            "clients_amendmentrequest",
            locked_when="OLD.disagreement_statement <> ''",
            name="clients_amendmentrequest_frozen_with_statement",
        ),
    ]
