"""The store listens to the foundation's credential signals
(practice.credentials): it unseals the author's key at sign-in and re-wraps
it when they change their own password. The foundation never names this app."""

from __future__ import annotations

from django.contrib import messages
from django.dispatch import receiver
from django.views.decorators.debug import sensitive_variables

from notes.psychotherapy import sealing
from practice import credentials
from practice.roles import CLINICAL_ROLES

SEALED_NOTICE = (
    "Your private process notes are sealed: they are locked under your previous password, "
    "which was reset. Unseal them under Process notes → Unseal, with your previous password "
    "or a recovery code."
)


@receiver(credentials.password_verified, dispatch_uid="psychotherapy.unseal_at_sign_in")
@sensitive_variables("password", "dek")
def unseal_at_sign_in(sender, request, user, password, **kwargs):
    key = sealing.author_key(user)
    if key is None:
        if user.role not in CLINICAL_ROLES:
            return
        dek = sealing.author_key_create(author=user, password=password, request=request)
    else:
        dek = sealing.unlock_with_password(user, password)
        if dek is None:
            if request is not None:
                messages.warning(request, SEALED_NOTICE)
            return
    sealing.ensure_recovery_wrap(author=user, dek=dek)
    # Legacy notes are sealed under a password the author chose, never under one
    # that came from a reset (whoever redeemed it may not be the author).
    if not credentials.password_from_reset(user):
        sealing.seal_legacy_notes(author=user, dek=dek, request=request, via="sign_in")
    if request is not None:
        sealing.keep_in_session(request, dek, fresh=True)


@receiver(credentials.password_changed, dispatch_uid="psychotherapy.rewrap_on_password_change")
@sensitive_variables("old_password", "new_password", "dek")
def rewrap_on_password_change(
    sender, request, user, old_password, new_password, by_reset, **kwargs
):
    if sealing.author_key(user) is None or by_reset:
        # After a reset the key stays wrapped under the previous password:
        # sealed until the author proves it (or a recovery run).
        return
    dek = sealing.session_key(request) if request is not None else None
    if dek is None and old_password:
        dek = sealing.unlock_with_password(user, old_password)
    if dek is not None:
        sealing.rewrap_password(
            author=user, dek=dek, password=new_password, request=request, reason="password_change"
        )
