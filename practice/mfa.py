"""Multi-factor authentication: TOTP (an authenticator app) plus one-time backup codes.

Built on django-otp. A session is "verified" once django-otp's ``login`` has
stored the device that accepted a code (``request.user.is_verified()``);
``practice.middleware.MfaRequiredMiddleware`` keeps an unverified session away
from every page except the ones listed in ``OPEN_URL_NAMES``.

Who must use it (``mfa_required_for``):
- anyone who has enrolled a device is always asked for a code;
- everyone else must enrol while ``PracticeSettings.require_mfa`` is on (the
  default), unless their username is in ``settings.MFA_EXEMPT_USERNAMES``
  (the demo try-out only).
"""

from __future__ import annotations

import io
import re

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from practice import audit
from practice.models import AuditAction, PracticeSettings, SignInReset, SignInResetKind
from practice.refusals import Refused

TOTP_NAME = "Authenticator app"
BACKUP_NAME = "Backup codes"
OBJECT_TYPE = "practice.mfa"
_TOTP_SHAPE = re.compile(r"^\d{6}$")


class MfaError(Refused):
    """A refused MFA step; the message is safe to show the user."""


def is_exempt(user) -> bool:
    return user.get_username() in set(settings.MFA_EXEMPT_USERNAMES)


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def mfa_required_for(user) -> bool:
    """Whether this signed-in user must pass the second factor before any page."""
    if not user.is_authenticated:
        return False
    if has_confirmed_device(user):
        return True
    if is_exempt(user):
        return False
    return PracticeSettings.load().require_mfa


def pending_totp_device(user) -> TOTPDevice:
    """The unconfirmed device being enrolled (created once, reused on reload)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as inline SVG markup, generated here: the secret never
    goes to a third-party QR service."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2
    )
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    # Drop the XML declaration: the markup is embedded in the page.
    return svg[svg.index("<svg") :]


def secret_for_manual_entry(device: TOTPDevice) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def mfa_enrol_confirm(*, request, device: TOTPDevice, token: str) -> list[str]:
    """Confirm an authenticator app with its first code; returns the new backup codes.

    The backup codes exist in plain form only in this return value: the page
    shows them once. The session becomes verified.
    """
    user = request.user
    if device.user_id != user.pk or device.confirmed:
        raise MfaError("This enrolment is no longer open. Start again.")
    if not device.verify_is_allowed()[0]:
        raise MfaError("Too many wrong codes. Wait a minute, then try again.")
    if not device.verify_token(re.sub(r"\s+", "", token or "")):
        audit.record(
            AuditAction.LOGIN_FAILED,
            request=request,
            object_type=OBJECT_TYPE,
            detail={"step": "mfa_enrol"},
        )
        raise MfaError("That code did not match. Check the time on your phone and try again.")
    with transaction.atomic():
        # Conditional update: two submissions confirm once.
        if TOTPDevice.objects.filter(pk=device.pk, confirmed=False).update(confirmed=True) != 1:
            raise MfaError("This enrolment is no longer open. Start again.")
        # One authenticator per user: any other (pending or old) is removed.
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.refresh_from_db()
        codes = _new_backup_codes(user)
    request.session.cycle_key()
    otp_login(request, device)
    audit.record(
        AuditAction.CREATE,
        request=request,
        object_type=OBJECT_TYPE,
        object_id=str(user.uuid),
        detail={"mfa": "enrolled", "backup_codes": len(codes)},
    )
    return codes


def _new_backup_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=BACKUP_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.MFA_BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


@transaction.atomic
def mfa_backup_codes_regenerate(*, request) -> list[str]:
    """New backup codes for a verified user; the old ones stop working."""
    codes = _new_backup_codes(request.user)
    audit.record(
        AuditAction.UPDATE,
        request=request,
        object_type=OBJECT_TYPE,
        object_id=str(request.user.uuid),
        detail={"mfa": "backup_codes_regenerated", "backup_codes": len(codes)},
    )
    return codes


def mfa_verify(*, request, token: str) -> bool:
    """Check a code from the authenticator (6 digits) or a backup code.

    Each kind goes to its own device, so a backup code does not count as a
    wrong authenticator code (django-otp throttles each device separately).
    Success marks the session verified; failure is audited as a failed login.
    """
    user = request.user
    token = re.sub(r"\s+", "", token or "").lower()
    if _TOTP_SHAPE.match(token):
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
        kind = "totp"
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
        kind = "backup_code"
    outcome, used = "wrong", None
    with transaction.atomic():
        for device in devices.select_for_update():
            if not device.verify_is_allowed()[0]:
                outcome = "throttled"
                break
            if device.verify_token(token):
                outcome, used = "ok", device
                break
    # Audited after the transaction, so a refusal is kept along with the
    # throttle counter that django-otp has just raised.
    if outcome == "ok":
        # A new session id once the second factor is passed (no fixation).
        request.session.cycle_key()
        otp_login(request, used)
        audit.record(
            AuditAction.LOGIN,
            request=request,
            object_type=OBJECT_TYPE,
            detail={"step": "mfa", "kind": kind},
        )
        return True
    audit.record(
        AuditAction.LOGIN_FAILED,
        request=request,
        object_type=OBJECT_TYPE,
        detail={"step": "mfa", "kind": kind, "throttled": outcome == "throttled"},
    )
    if outcome == "throttled":
        raise MfaError("Too many wrong codes. Wait a minute, then try again.")
    return False


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def mfa_reset(*, user, actor, request=None) -> int:
    """A practice admin removes a user's authenticator and backup codes (lost
    phone). The user enrols again at the next sign-in, and is told there who
    reset it and when. Returns devices removed."""
    removed = 0
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
        removed += 1
    if removed:
        SignInReset.objects.create(
            user=user, issued_by=actor, kind=SignInResetKind.MFA, used_at=timezone.now()
        )
    audit.record(
        AuditAction.PERMISSION_CHANGE,
        request=request,
        user=actor,
        obj=user,
        detail={"change": "mfa_reset", "devices_removed": removed},
    )
    return removed
