"""Billing: the fee schedule and the record of what went into which export.

Signed notes are frozen, so being billed is recorded *beside* them: one
``BilledItem`` per exported session or contact, pointing at the item by uuid.
A partial unique constraint lets an item sit in at most one live (not voided)
export; voiding an export releases its items for the next one.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q


class FeeScheduleEntry(models.Model):
    cpt_code = models.CharField("CPT code", max_length=5, unique=True)
    description = models.CharField(max_length=200)
    fee = models.DecimalField(max_digits=8, decimal_places=2)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["cpt_code"]
        verbose_name_plural = "fee schedule"

    def __str__(self) -> str:
        return f"{self.cpt_code} {self.description} ${self.fee}"


class ExportStatus(models.TextChoices):
    DONE = "done", "Ready"
    VOIDED = "voided", "Voided"


class BillingExport(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    period_start = models.DateField()
    period_end = models.DateField()
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    client = models.ForeignKey(
        "clients.Client", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.DONE
    )
    # Totals fixed when the export was made (the file is checked against them).
    session_count = models.PositiveIntegerField(default=0)
    session_minutes = models.PositiveIntegerField(default=0)
    session_units = models.PositiveIntegerField(default=0)
    contact_count = models.PositiveIntegerField(default=0)
    contact_minutes = models.PositiveIntegerField(default=0)
    total_fee = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    job_uuid = models.UUIDField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    void_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        # change_billingexport lets a biller void the exports they made;
        # void_any lets a practice admin void anyone's (issue 13, attack 9).
        permissions = [("void_any_billingexport", "Can void any biller's export")]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="billing_export_period_order",
            )
        ]

    def __str__(self) -> str:
        return f"Export {self.period_start}–{self.period_end}"

    @property
    def is_voided(self) -> bool:
        return self.status == ExportStatus.VOIDED


class ItemKind(models.TextChoices):
    SESSION = "session", "Session"
    CONTACT = "contact", "Contact minutes"


class BilledItem(models.Model):
    export = models.ForeignKey(BillingExport, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    item_uuid = models.UUIDField()
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    service_date = models.DateField()
    minutes = models.PositiveIntegerField()
    units = models.PositiveIntegerField(default=0)
    cpt_code = models.CharField(max_length=5, blank=True)
    fee = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    voided = models.BooleanField(default=False)

    class Meta:
        ordering = ["service_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "item_uuid"],
                condition=Q(voided=False),
                name="billed_item_in_one_live_export",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.item_uuid} in {self.export_id}"
