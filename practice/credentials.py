"""Credential changes are the user's own.

Nobody sets another person's password: not a practice admin, not an operator.
A practice admin may issue a one-time, short-lived **reset code** (shown once,
only its SHA-256 kept, audited); the user redeems it on the sign-in page's
"Use a reset code" form, chooses a password and enrols a new authenticator.
The user then sees at every sign-in for ``SIGN_IN_RESET_NOTICE_DAYS`` who reset
their sign-in and when.

Who may manage whom (``may_manage``): a practice admin manages staff, but not
a superuser and not another practice admin; those are the operator's, in
``/operator/``, where every change is audited (practice/admin.py).

Features that keep secrets under the user's password (the sealed process
notes) listen to two signals sent from here and from the sign-in views:

- ``password_verified(request, user, password)``: a sign-in just checked the
  password (before the second factor);
- ``password_changed(request, user, old_password, new_password, by_reset)``:
  the password changed; ``by_reset`` when the old one was not proved (a reset
  code or an e-mail link), so nothing wrapped under it can be carried over.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from django_otp import devices_for_user

from practice import audit
from practice.models import AuditAction, SignInReset, SignInResetKind, User
from practice.refusals import Refused
from practice.roles import Role

password_verified = Signal()
password_changed = Signal()

OBJECT_TYPE = "practice.signinreset"
# No 0/O/1/I/L: the code is read out or copied by hand.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_GROUPS, _CODE_GROUP_LEN = 5, 5


class CredentialError(Refused):
    """A refused credential change; the message is safe to show."""


def may_manage(actor, target: User | None) -> bool:
    """Whether ``actor`` may edit, reset or unlock ``target`` on the staff pages.

    Practice admins manage everyone below them: never a superuser (an operator
    account) and never another practice admin, so no admin can take over a
    peer or the operator. ``target=None`` asks about creating a new user.
    """
    if not (actor.is_authenticated and actor.is_active and actor.role == Role.PRACTICE_ADMIN):
        return False
    if target is None or target.pk == actor.pk:
        return True
    return not target.is_superuser and target.role != Role.PRACTICE_ADMIN


def _hash_code(code: str) -> str:
    normal = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()


def _new_code() -> str:
    groups = (
        "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_GROUP_LEN))
        for _ in range(_CODE_GROUPS)
    )
    return "-".join(groups)


@sensitive_variables("code")
@transaction.atomic
def sign_in_reset_issue(*, user: User, actor, request=None) -> tuple[str, SignInReset]:
    """A new one-time reset code for ``user``; returns (code, record).

    The code exists in plain form only in this return value (the page shows
    it once). Any earlier unused code of the user stops working. The current
    password and authenticator keep working until the code is redeemed.
    """
    # Practice admins for the staff below them; the operator (a superuser, in
    # /operator/) for anyone. Never for oneself: use "Change your password".
    allowed = actor.is_superuser or may_manage(actor, user)
    if not allowed or user.pk == actor.pk:
        raise CredentialError("You cannot reset this account's sign-in.")
    now = timezone.now()
    SignInReset.objects.filter(
        user=user, kind=SignInResetKind.PASSWORD, used_at__isnull=True, expires_at__gt=now
    ).update(expires_at=now)
    code = _new_code()
    reset = SignInReset.objects.create(
        user=user,
        issued_by=actor,
        kind=SignInResetKind.PASSWORD,
        code_hash=_hash_code(code),
        expires_at=now + timedelta(minutes=settings.SIGN_IN_RESET_MINUTES),
    )
    audit.record(
        AuditAction.PERMISSION_CHANGE,
        request=request,
        user=actor,
        obj=user,
        detail={
            "change": "sign_in_reset_issued",
            "reset": str(reset.uuid),
            "expires_minutes": settings.SIGN_IN_RESET_MINUTES,
        },
    )
    return code, reset


@sensitive_variables("code", "new_password")
def sign_in_reset_redeem(*, username: str, code: str, new_password: str, request=None) -> User:
    """Set the user's own new password with a reset code; removes their
    authenticator so they enrol a new one at sign-in. Refusals are audited and
    say nothing about whether the username exists."""
    refused = CredentialError("That code is not valid (wrong, used or expired). Ask for a new one.")
    user = User.objects.filter(username=username, is_active=True).first()
    now = timezone.now()
    reset = None
    if user is not None:
        wanted = _hash_code(code)
        for candidate in SignInReset.objects.filter(
            user=user, kind=SignInResetKind.PASSWORD, used_at__isnull=True, expires_at__gt=now
        ):
            if hmac.compare_digest(candidate.code_hash, wanted):
                reset = candidate
    if reset is None:
        audit.record(
            AuditAction.LOGIN_FAILED,
            request=request,
            object_type=OBJECT_TYPE,
            detail={"step": "reset_code", "username": str(username)[:150]},
        )
        raise refused
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise CredentialError(" ".join(exc.messages)) from None
    with transaction.atomic():
        # Conditional update: one code sets one password, however many clicks.
        if SignInReset.objects.filter(pk=reset.pk, used_at__isnull=True).update(used_at=now) != 1:
            raise refused
        user.set_password(new_password)
        user.save(update_fields=["password"])
        removed = 0
        for device in list(devices_for_user(user, confirmed=None)):
            device.delete()
            removed += 1
        audit.record(
            AuditAction.PERMISSION_CHANGE,
            request=request,
            user=user,
            obj=user,
            detail={
                "change": "password_set_with_reset_code",
                "reset": str(reset.uuid),
                "mfa_devices_removed": removed,
            },
        )
    password_changed.send(
        sender=User,
        request=request,
        user=user,
        old_password=None,
        new_password=new_password,
        by_reset=True,
    )
    return user


def record_reset(*, user: User, actor, kind: str, used: bool = True) -> SignInReset:
    """Remember a reset made some other way (an MFA reset, an e-mail link) so
    the user is told at sign-in."""
    now = timezone.now()
    return SignInReset.objects.create(
        user=user, issued_by=actor, kind=kind, used_at=now if used else None
    )


def password_from_reset(user: User) -> bool:
    """Whether the user's password was set through a reset (a code or an
    e-mail link) that they have not since settled by proving a secret older
    than the reset (their previous password, or a recovery code)."""
    return SignInReset.objects.filter(
        user=user,
        kind__in=(SignInResetKind.PASSWORD, SignInResetKind.EMAIL),
        used_at__isnull=False,
        settled_at__isnull=True,
    ).exists()


def settle_resets(user: User) -> None:
    SignInReset.objects.filter(user=user, used_at__isnull=False, settled_at__isnull=True).update(
        settled_at=timezone.now()
    )


def recent_resets(user: User) -> list[SignInReset]:
    """Resets of the user's sign-in by someone else in the notice window, newest first."""
    since = timezone.now() - timedelta(days=settings.SIGN_IN_RESET_NOTICE_DAYS)
    return list(
        SignInReset.objects.filter(user=user, created_at__gte=since)
        .exclude(kind=SignInResetKind.PASSWORD, used_at__isnull=True)
        .select_related("issued_by")
    )


def reset_notice(reset: SignInReset) -> str:
    """'Your sign-in (…) was reset by Ada Admin (ada) on 29 Nov 2026 at 22:10.'"""
    who = "an e-mailed reset link"
    if reset.issued_by is not None:
        by = reset.issued_by
        who = f"{by.get_full_name() or by.username} ({by.username})"
    when = timezone.localtime(reset.used_at or reset.created_at)
    return (
        f"Your sign-in ({reset.get_kind_display().lower()}) was reset by {who} on "
        f"{when:%d %b %Y} at {when:%H:%M}. If you did not ask for this, tell your "
        "practice's privacy officer."
    )


@sensitive_variables("password")
def signed_in_with_password(*, request, user: User, password: str) -> list[str]:
    """Called by the sign-in view right after the password step. Lets features
    unlock what is kept under the password; returns the reset notices to show."""
    password_verified.send(sender=User, request=request, user=user, password=password)
    return [reset_notice(reset) for reset in recent_resets(user)]


@sensitive_variables("old_password", "new_password")
def password_changed_by_user(*, request, user: User, old_password: str, new_password: str) -> None:
    """The user changed their own password (proving the old one): audited;
    features re-wrap what they keep under it. Earlier resets stay unsettled: a
    password that came from a reset proves nothing older than the reset."""
    audit.record(
        AuditAction.UPDATE,
        request=request,
        user=user,
        obj=user,
        detail={"change": "password_changed_by_user"},
    )
    password_changed.send(
        sender=User,
        request=request,
        user=user,
        old_password=old_password,
        new_password=new_password,
        by_reset=False,
    )
