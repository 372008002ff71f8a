"""DocumentJob moves from ``practice`` to ``documents`` without touching a row.

The table keeps its name (``practice_documentjob``, via ``db_table``), so the
move is state only (``SeparateDatabaseAndState``): this migration adds the
model to this app's state, ``practice.0006`` removes it from practice's. The
content type is renamed in place, so the permissions on it (``export_chart``,
held by the auditor role) and anything pointing at it keep their ids.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def rename_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    old = ContentType.objects.filter(app_label="practice", model="documentjob").first()
    if old is None:
        return  # a new database: post_migrate creates the new one
    if ContentType.objects.filter(app_label="documents", model="documentjob").exists():
        return  # already there (e.g. migrated back and forth): keep both as they are
    old.app_label = "documents"
    old.save(update_fields=["app_label"])


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if ContentType.objects.filter(app_label="practice", model="documentjob").exists():
        return
    ContentType.objects.filter(app_label="documents", model="documentjob").update(
        app_label="practice"
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("practice", "0005_merge_document_jobs_and_mfa_setting"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DocumentJob",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        (
                            "kind",
                            models.CharField(max_length=30),
                        ),
                        ("client_uuid", models.UUIDField(blank=True, null=True)),
                        ("params", models.JSONField(default=dict)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "Queued"),
                                    ("running", "Running"),
                                    ("done", "Ready"),
                                    ("failed", "Failed"),
                                ],
                                default="queued",
                                max_length=10,
                            ),
                        ),
                        ("progress", models.PositiveSmallIntegerField(default=0)),
                        ("error", models.CharField(blank=True, max_length=300)),
                        ("files", models.JSONField(blank=True, default=dict)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("dispatched_at", models.DateTimeField(blank=True, null=True)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("expires_at", models.DateTimeField(blank=True, null=True)),
                        ("purged_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "requested_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="document_jobs",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "practice_documentjob",
                        "ordering": ["-created_at", "-id"],
                        "permissions": [("export_chart", "Can export any client's chart as a signed PDF")],
                        "indexes": [
                            models.Index(
                                fields=["requested_by", "created_at"], name="practice_do_request_b3b575_idx"
                            ),
                            models.Index(
                                fields=["status", "dispatched_at"], name="practice_do_status_eab69c_idx"
                            ),
                            models.Index(fields=["expires_at"], name="practice_do_expires_4bfa38_idx"),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("progress__lte", 100)),
                                name="documentjob_progress_percent",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_type, restore_content_type),
    ]
