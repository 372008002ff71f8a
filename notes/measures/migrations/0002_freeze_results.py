from django.db import migrations

from practice.migration_ops import freeze_signed_rows


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_results_and_repeats")]

    operations = [
        # A recorded measure is final from the moment it is written: no UPDATE, no DELETE.
        freeze_signed_rows("measures_measureresult", locked_when="TRUE"),
    ]
