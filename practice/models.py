from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from contextvars import ContextVar
from datetime import UTC, date

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from practice.roles import Role


class User(AbstractUser):
    """A member of the practice's staff. Users are deactivated, never deleted
    (audit events point at them)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    credentials = models.CharField(
        max_length=60, blank=True, help_text="As printed after the name, e.g. LCSW or PhD, LP."
    )
    license_number = models.CharField(max_length=40, blank=True)
    npi = models.CharField("NPI", max_length=10, blank=True)
    requires_cosign = models.BooleanField(
        default=False,
        help_text="Pre-licensed clinician: notes need a supervisor's co-signature.",
    )
    supervisor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervisees",
    )

    class Meta:
        permissions = [("manage_users", "Can create users and assign roles")]

    @property
    def role(self) -> str | None:
        """The user's role (first role group by precedence), or None."""
        names = getattr(self, "_role_names", None)
        if names is None:
            names = set(self.groups.values_list("name", flat=True))
            self._role_names = names
        for role in Role:
            if role.value in names:
                return role.value
        return None

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else "No role"

    @property
    def signature_name(self) -> str:
        name = self.get_full_name() or self.username
        return f"{name}, {self.credentials}" if self.credentials else name


# Values read once per request: a dict set by ``practice.middleware.RequestScopeMiddleware``
# for the length of one request, None outside requests. Only practice-wide
# values go here (never anything that depends on the user or holds PHI).
request_scope: ContextVar[dict | None] = ContextVar("practice_request_scope", default=None)


class PracticeSettings(models.Model):
    """The practice's own settings: one row (pk=1), edited by the practice admin."""

    name = models.CharField(max_length=200, default="Riverbend Counseling Group")
    address = models.TextField(blank=True, default="")
    phone = models.CharField(max_length=40, blank=True, default="")
    npi = models.CharField("Group NPI", max_length=10, blank=True, default="")
    tax_id = models.CharField(max_length=20, blank=True, default="")
    retention_years = models.PositiveSmallIntegerField(
        default=7, help_text="Years to keep records after the last service."
    )
    age_of_majority = models.PositiveSmallIntegerField(default=18)
    no_show_fee = models.DecimalField(max_digits=8, decimal_places=2, default=75)
    late_cancel_fee = models.DecimalField(max_digits=8, decimal_places=2, default=75)
    late_cancel_window_hours = models.PositiveSmallIntegerField(
        default=24, help_text="Cancellations with less notice than this are late."
    )
    export_expiry_days = models.PositiveSmallIntegerField(
        default=7, help_text="Generated documents are deleted after this many days."
    )
    mrn_prefix = models.CharField(max_length=8, default="RB")
    plan_review_days = models.PositiveSmallIntegerField(
        "treatment-plan review (days)",
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(730)],
        help_text="A new or revised treatment plan is due for review this many days "
        "after it is started.",
    )
    require_mfa = models.BooleanField(
        "Require two-factor sign-in for everyone",
        default=True,
        help_text="Every user must enrol an authenticator app. Users who have enrolled "
        "are always asked for a code, whatever this says.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "practice settings"
        verbose_name_plural = "practice settings"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        scope = request_scope.get()
        if scope is not None:
            scope.pop("practice_settings", None)

    @classmethod
    def load(cls) -> PracticeSettings:
        """The practice's settings, read once per request (see ``request_scope``).

        Outside a request (tasks, commands) every call reads the row. The object
        is shared within one request: a view that edits the settings takes its
        own with ``load_fresh()``.
        """
        scope = request_scope.get()
        if scope is not None and "practice_settings" in scope:
            return scope["practice_settings"]
        obj = cls.load_fresh()
        if scope is not None:
            scope["practice_settings"] = obj
        return obj

    @classmethod
    def load_fresh(cls) -> PracticeSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class SignInResetKind(models.TextChoices):
    PASSWORD = "password", "Password and two-factor sign-in"
    MFA = "mfa", "Two-factor sign-in"
    EMAIL = "email", "Password (e-mail link)"


class SignInReset(models.Model):
    """Someone other than the user reset their sign-in (practice/credentials.py).

    A ``password`` reset is a one-time code an admin issues (only its SHA-256 is
    kept); the user redeems it to set a password of their own and enrol a new
    authenticator. An ``mfa`` reset removed their authenticator. Either way the
    user is told at sign-in who did it and when; nobody but the user ever
    chooses their password.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="sign_in_resets")
    issued_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=SignInResetKind.choices)
    code_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    # The user later proved a secret older than the reset (unsealed with the
    # previous password, or a recovery code): the reset is settled.
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reset {self.uuid}"


class AuditAction(models.TextChoices):
    VIEW = "view", "View"
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DELETE_ATTEMPT = "delete_attempt", "Delete attempt"
    SIGN = "sign", "Sign"
    COSIGN = "cosign", "Co-sign"
    EXPORT = "export", "Export"
    PRINT = "print", "Print"
    DOWNLOAD = "download", "Download"
    LOGIN = "login", "Login"
    LOGIN_FAILED = "login_failed", "Failed login"
    LOGOUT = "logout", "Logout"
    ACCESS_DENIED = "access_denied", "Access denied"
    PERMISSION_CHANGE = "permission_change", "Permission change"
    KEY_ROTATION = "key_rotation", "Key rotation"
    EMERGENCY_ACCESS = "emergency_access", "Emergency access"
    SEARCH = "search", "Search"
    INTEGRITY_FAILURE = "integrity_failure", "Integrity check failed"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise RuntimeError("Audit events are append-only.")

    def delete(self):
        raise RuntimeError("Audit events are append-only.")

    _raw_delete = delete


class AuditEvent(models.Model):
    """One append-only row of the audit trail.

    A row is complete when it is inserted (``practice.audit.record``, no lock,
    no read of other rows). The sealer (``practice.audit.seal``) later gives
    each committed row its place in the chain, ``seq`` (1, 2, 3... in the order
    it seals them), and ``hash = HMAC-SHA256(AUDIT_HMAC_KEY, seq, id,
    prev_hash, canonical row)``: that one write, from unsealed to sealed, is the
    only change a row ever gets, and on PostgreSQL a trigger rejects any other
    UPDATE and every DELETE. ``manage.py verify_audit_chain`` checks every link
    and the signed checkpoints kept outside the database (docs/audit-trail.md).
    ``detail`` holds ids and reasons, never clinical content.
    """

    created_at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=30, blank=True)
    action = models.CharField(max_length=30, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    client_uuid = models.UUIDField(null=True, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    # Set once, by the sealer. Not unique in the schema (a partitioned table
    # cannot have a unique index without the partition key); the verifier
    # checks that seq runs 1, 2, 3... without gap or repeat.
    seq = models.BigIntegerField(null=True, blank=True, db_index=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["client_uuid", "created_at"]),
            # The sealer's work list: small, because rows leave it within seconds.
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True), name="practice_audit_unsealed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit events are append-only.")

    @property
    def role_label(self) -> str:
        """The role as people read it ("Front desk"), for the audit trail page."""
        return dict(Role.choices).get(self.role, self.role)

    @property
    def object_label(self) -> str:
        """The kind of record ("Contact note") for ``object_type`` ("contacts.contactnote")."""
        try:
            model = apps.get_model(self.object_type)
        except (LookupError, ValueError):
            return self.object_type
        return str(model._meta.verbose_name).capitalize()

    @property
    def is_sealed(self) -> bool:
        return self.seq is not None

    def chain_values(self) -> tuple:
        """The row as the chain covers it, in ``CHAIN_FIELDS`` order."""
        return tuple(getattr(self, name) for name in CHAIN_FIELDS)

    def compute_hash(self, key: bytes | None = None) -> str:
        """The keyed link for this row at its ``seq`` after ``prev_hash``."""
        return chain_hmac(key or settings.AUDIT_HMAC_KEY, self.chain_values())


# What the chain's HMAC covers, in this order: every column but ``hash``.
CHAIN_FIELDS = (
    "seq",
    "id",
    "prev_hash",
    "created_at",
    "user_id",
    "username",
    "role",
    "action",
    "object_type",
    "object_id",
    "client_uuid",
    "ip_address",
    "user_agent",
    "detail",
)


def chain_hmac(key: bytes, values: tuple) -> str:
    """HMAC-SHA256 (hex) of one row's ``CHAIN_FIELDS`` values as canonical JSON.

    Position (``seq``, ``id``) and the previous link are inside the MAC, so a
    row cannot be moved, relabelled or re-linked without the key.
    """
    (seq, pk, prev_hash, created_at, user_id, username, role, action, object_type,
     object_id, client_uuid, ip_address, user_agent, detail) = values  # fmt: skip
    data = {
        "seq": seq,
        "id": pk,
        "prev_hash": prev_hash,
        "created_at": created_at.astimezone(UTC).isoformat(),
        "user_id": user_id,
        "username": username,
        "role": role,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "client_uuid": str(client_uuid) if client_uuid else None,
        "ip_address": ip_address,
        "user_agent": user_agent,
        "detail": detail,
    }
    message = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
