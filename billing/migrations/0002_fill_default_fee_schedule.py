from decimal import Decimal

from django.db import migrations

# Frozen copy: a data migration must not import the live constant.
FEES = {
    "90791": ("Psychiatric diagnostic evaluation", "200.00"),
    "90832": ("Psychotherapy, 30 minutes", "85.00"),
    "90834": ("Psychotherapy, 45 minutes", "120.00"),
    "90837": ("Psychotherapy, 60 minutes", "160.00"),
    "90839": ("Psychotherapy for crisis, first 60 minutes", "175.00"),
    "90846": ("Family psychotherapy without the patient", "115.00"),
    "90847": ("Family psychotherapy with the patient", "125.00"),
    "90853": ("Group psychotherapy", "45.00"),
}


def fill(apps, schema_editor):
    Entry = apps.get_model("billing", "FeeScheduleEntry")
    for code, (description, fee) in FEES.items():
        Entry.objects.get_or_create(
            cpt_code=code, defaults={"description": description, "fee": Decimal(fee)}
        )


def unfill(apps, schema_editor):
    apps.get_model("billing", "FeeScheduleEntry").objects.filter(cpt_code__in=FEES).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_billing_exports_and_fee_schedule")]

    operations = [migrations.RunPython(fill, unfill)]
