"""System checks for the security settings (run by `manage.py check --deploy`)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def mfa_exemptions(app_configs, **kwargs):
    """MFA_EXEMPT_USERNAMES exists for the demo try-out; never in production."""
    if settings.MFA_EXEMPT_USERNAMES:
        return [
            Warning(
                "MFA_EXEMPT_USERNAMES is set: these users sign in with a password only.",
                hint="Unset MFA_EXEMPT_USERNAMES outside the demo try-out.",
                id="practice.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def session_timeouts(app_configs, **kwargs):
    if settings.SESSION_IDLE_SECONDS > 3600:
        return [
            Warning(
                "SESSION_IDLE_SECONDS is over an hour: idle sessions stay open too long.",
                hint="The default is 900 (15 minutes).",
                id="practice.W002",
            )
        ]
    return []

