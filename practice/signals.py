import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from practice import audit
from practice.middleware import SESSION_LAST_SEEN_KEY, SESSION_STARTED_KEY
from practice.models import AuditAction


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        # The absolute session limit counts from here (practice.middleware).
        now = int(time.time())
        request.session[SESSION_STARTED_KEY] = now
        request.session[SESSION_LAST_SEEN_KEY] = now
    audit.record(AuditAction.LOGIN, request=request, user=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        # "timeout" / "absolute_limit" when the time-out middleware ended it.
        reason = getattr(request, "ehr_logout_reason", None) or "user"
        audit.record(AuditAction.LOGOUT, request=request, user=user, detail={"reason": reason})


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # The attempted username is kept (it is not PHI); the password never is.
    username = str(credentials.get("username", ""))[:150]
    audit.record(AuditAction.LOGIN_FAILED, request=request, detail={"username": username})


@receiver(user_locked_out)
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    # django-axes refused the attempt before any password check.
    audit.record(
        AuditAction.LOGIN_FAILED,
        request=request,
        detail={"username": str(username or "")[:150], "locked_out": True},
    )
