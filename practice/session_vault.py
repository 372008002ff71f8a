"""A per-session vault for secrets that must live only as long as a sign-in.

Some secrets (a clinician's unwrapped process-note key) are needed on every
request of a session but must never sit in the database, the cache or a log in
usable form. The vault keeps them in the session only as AES-GCM ciphertext,
under a random per-session key that lives in nothing but a separate cookie
(HttpOnly, Secure like the session cookie, SameSite=Lax). So:

- the session store (database) holds ciphertext it cannot open;
- the browser holds a key that opens nothing on its own;
- signing out deletes the cookie and flushes the session: both halves go.

The session id may change (sign-in, the MFA step cycle the key) without losing
the vault: its entries are ordinary session data.

Features call ``vault_put``/``vault_get``/``vault_drop``;
``SessionVaultMiddleware`` sets and clears the cookie.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.views.decorators.debug import sensitive_variables

COOKIE_NAME = "ehr_vault"
_SESSION_PREFIX = "ehr_vault:"


def _cookie_key(request) -> bytes | None:
    new = getattr(request, "_vault_new_key", None)
    if new is not None:
        return new
    raw = request.COOKIES.get(COOKIE_NAME, "")
    try:
        key = base64.urlsafe_b64decode(raw.encode("ascii"))
    except (ValueError, UnicodeError):
        return None
    return key if len(key) == 32 else None


def _aad(request, name: str) -> bytes:
    # Binds an entry to its name and to the signed-in user: an entry copied
    # into another user's session does not open.
    user = getattr(request, "user", None)
    user_id = getattr(user, "pk", None) if user is not None else None
    return f"vault:{name}:{user_id}".encode()


@sensitive_variables()
def vault_put(request, name: str, secret: bytes, *, fresh: bool = False) -> None:
    """Keep ``secret`` for the rest of this session (encrypted; key in the cookie).

    ``fresh`` makes a new cookie key (at sign-in: a key left in the browser by
    an earlier session is never reused)."""
    key = None if fresh else _cookie_key(request)
    if key is None:
        key = AESGCM.generate_key(bit_length=256)
        request._vault_new_key = key
    nonce = os.urandom(12)
    token = nonce + AESGCM(key).encrypt(nonce, secret, _aad(request, name))
    request.session[_SESSION_PREFIX + name] = base64.b64encode(token).decode("ascii")


@sensitive_variables()
def vault_get(request, name: str) -> bytes | None:
    """The secret kept under ``name`` in this session, or None."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    stored = session.get(_SESSION_PREFIX + name)
    key = _cookie_key(request)
    if not stored or key is None:
        return None
    try:
        token = base64.b64decode(stored)
        return AESGCM(key).decrypt(token[:12], token[12:], _aad(request, name))
    except (ValueError, InvalidTag):
        return None


def vault_drop(request, name: str) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session.pop(_SESSION_PREFIX + name, None)


class SessionVaultMiddleware:
    """Sets the vault cookie when a vault key was made in this request, and
    removes it when the user is no longer signed in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        new_key = getattr(request, "_vault_new_key", None)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if new_key is not None and signed_in:
            response.set_cookie(
                COOKIE_NAME,
                base64.urlsafe_b64encode(new_key).decode("ascii"),
                max_age=None,  # a browser-session cookie, like the session's
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
                path="/",
            )
        elif COOKIE_NAME in request.COOKIES and not signed_in:
            response.delete_cookie(COOKIE_NAME, path="/", samesite="Lax")
        return response
