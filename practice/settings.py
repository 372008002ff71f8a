"""Settings for the practice EHR.

Every value comes from the environment (django-environ). Secrets may also be
given as ``NAME_FILE`` pointing at a file (container secrets). ``var/local.env``
is read when present: ``scripts/bootstrap`` writes it with freshly generated
keys for the demo and the test suite, and it is never committed.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("EHR_VAR_DIR", BASE_DIR / "var"))

env = environ.Env()
_env_file = Path(os.environ.get("EHR_ENV_FILE", VAR_DIR / "local.env"))
if _env_file.exists():
    env.read_env(str(_env_file), overwrite=False)


def env_bool(name: str, default: bool) -> bool:
    """Strict boolean: only true/false/1/0 (any case); anything else is an error.

    A typo such as DEBUG=flase must not silently turn debugging on or off.
    """
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_secret(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the contents of the file named by NAME_FILE."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set it in the environment, or run scripts/bootstrap "
        "to generate var/local.env for a local try-out."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "practice",
    "practice.documents",
    "clients",
    "notes",
    "notes.psychotherapy",
    "notes.plans",
    "notes.measures",
    "contacts",
    "clients.schedule",
    "billing",
    "clients.records",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "practice.middleware.RequestScopeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Per-session secrets (a clinician's process-note key) under a cookie key.
    "practice.session_vault.SessionVaultMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle/absolute time-out first: an expired session never reaches the MFA step.
    "practice.middleware.SessionTimeoutMiddleware",
    "practice.middleware.MfaRequiredMiddleware",
    # A session handed to a client (measures' client mode) reaches only its locked pages.
    "practice.kiosk.KioskMiddleware",
    # A query string a page cannot use is a 400 with a message, never a 500.
    "practice.querystrings.BadQueryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "practice.middleware.NoStoreMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "practice.urls"
WSGI_APPLICATION = "practice.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "practice.context_processors.practice",
            ],
        },
    },
]

# PostgreSQL is the database of record. SQLite under var/ is only the embedded
# default for the one-command try-out.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The try-out's web server and worker write to one SQLite file: WAL lets
    # the job page read while the worker writes progress, and writers wait.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "practice.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No anonymous user object: nothing is ever granted to someone not signed in.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after SESSION_IDLE_SECONDS without a request (HIPAA automatic
# log-off) and SESSION_ABSOLUTE_SECONDS after sign-in, whatever the activity;
# practice.middleware.SessionTimeoutMiddleware enforces both on the server.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=15 * 60)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 3600)
# The browser shows a warning this many seconds before the idle time-out.
SESSION_WARNING_SECONDS = env.int("SESSION_WARNING_SECONDS", default=120)

# Break-the-glass: how long an emergency grant opens a chart (read only).
EMERGENCY_ACCESS_MINUTES = env.int("EMERGENCY_ACCESS_MINUTES", default=60)

# Multi-factor authentication (django-otp, TOTP + one-time backup codes). Every
# user must enrol unless the practice setting turns the requirement off; a user
# who has enrolled is always asked. MFA_EXEMPT_USERNAMES is for the demo
# try-out only (scripts/demo sets it to the demo accounts); `check --deploy`
# warns when it is set.
MFA_EXEMPT_USERNAMES = env.list("MFA_EXEMPT_USERNAMES", default=[])
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Practice EHR")
MFA_BACKUP_CODES = 10

# Failed-login lockout (django-axes): AXES_FAILURE_LIMIT wrong passwords for one
# username from one IP address lock that combination for AXES_COOLOFF_MINUTES
# (a practice admin can lift it on the staff page); a successful sign-in resets
# the count. Never a bare IP: behind the reverse proxy every user shares one
# address, so five typos by anyone would lock the whole practice out (issue 13,
# attack 6). Failures and lockouts are audited as login_failed.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
# Closing the browser ends the session on a shared workstation.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS: HSTS is sent (on HTTPS responses) unless DEBUG. TLS ends at the proxy
# in front of gunicorn; SECURE_PROXY_SSL_HEADER=true trusts its
# X-Forwarded-Proto, and SECURE_SSL_REDIRECT sends plain HTTP to HTTPS.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Behind a reverse proxy that sets X-Forwarded-For, audit events record the
# client address it reports (first hop only). Off by default: without a proxy
# that overwrites the header, anyone could write any address into the audit trail.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy (django-csp 4): scripts and styles only from our own
# static files, never inline; nothing from third-party hosts. Inline SVG (the
# MFA QR code, icons) is markup, not script, so it needs no exception.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Generated documents (PDFs, exports) live outside STATIC/MEDIA URLs: they are
# only ever served through a permission-checked view.
PRIVATE_FILES_DIR = Path(env.str("PRIVATE_FILES_DIR", default=str(VAR_DIR / "private")))

# E-mail (appointment reminders). SMTP in production; scripts/demo writes the
# messages to files under var/mail (EMAIL_BACKEND=...filebased.EmailBackend).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="reminders@practice.invalid")

# Celery: Redis broker when REDIS_URL is set. Without it (the embedded try-out)
# kombu's filesystem transport under BROKER_DIR: messages are files, so a real
# worker and beat (started by scripts/demo) need no broker server. Tasks never
# run inside the web request unless CELERY_TASK_ALWAYS_EAGER=True (tests that
# ask for it set it themselves).
REDIS_URL = env.str("REDIS_URL", default="")
BROKER_DIR = Path(env.str("BROKER_DIR", default=str(VAR_DIR / "broker")))
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
    if REDIS_URL
    else {
        # One folder both ways: the web process writes, the worker reads.
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
)
CELERY_TIMEZONE = TIME_ZONE
# Periodic work (celery beat): delete expired documents, re-send jobs that were
# queued while the broker was down.
CELERY_BEAT_SCHEDULE = {
    "purge-expired-documents": {
        "task": "practice.documents.tasks.purge_expired_documents",
        "schedule": 3600.0,
    },
    "redispatch-queued-jobs": {
        "task": "practice.documents.tasks.redispatch_queued_jobs",
        "schedule": 60.0,
    },
    # Chain new audit events and checkpoint the head (docs/audit-trail.md).
    "seal-audit-trail": {
        "task": "practice.audit.seal_task",
        "schedule": float(env.int("AUDIT_SEAL_SECONDS", default=5)),
    },
    # Reminders for tomorrow's appointments: tried every hour of the working
    # day, each appointment reminded once (a worker down at 9:00 still sends).
    "appointment-reminders": {
        "task": "clients.schedule.tasks.send_appointment_reminders",
        "schedule": crontab(minute=5, hour="9-18"),
    },
}
# A queued job not picked up by a worker after this many seconds is sent again.
DOCUMENT_JOB_REDISPATCH_SECONDS = env.int("DOCUMENT_JOB_REDISPATCH_SECONDS", default=300)
# A running job whose heartbeat is older than this lost its worker (killed,
# out of memory): past the hard time limit no live worker can still hold it,
# so the beat runs it again, at most DOCUMENT_JOB_MAX_ATTEMPTS times in all.
DOCUMENT_JOB_STALE_SECONDS = env.int(
    "DOCUMENT_JOB_STALE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 120
)
DOCUMENT_JOB_MAX_ATTEMPTS = env.int("DOCUMENT_JOB_MAX_ATTEMPTS", default=3)

# The practice certificate that signs every generated PDF (PAdES). Created by
# `python manage.py make_practice_certificate`, or a CA-issued one (PEM files).
PRACTICE_CERT_FILE = Path(env.str("PRACTICE_CERT_FILE", default=str(VAR_DIR / "practice-cert.pem")))
PRACTICE_KEY_FILE = Path(env.str("PRACTICE_KEY_FILE", default=str(VAR_DIR / "practice-key.pem")))
PRACTICE_KEY_PASSPHRASE = env_secret("PRACTICE_KEY_PASSPHRASE", "") or ""

# Psychotherapy (process) notes have their own key set, never SECRET_KEY and
# never the database: comma-separated Fernet keys, newest first.
PROCESS_NOTES_KEYS = env_secret("PROCESS_NOTES_KEYS", "") or ""

# The audit trail and signed records are keyed (HMAC-SHA256) with secrets held
# outside the database, so someone who can write the database cannot recompute
# a valid chain or a valid note hash (docs/audit-trail.md). Required, like
# SECRET_KEY: scripts/bootstrap generates them for local use.
def _hmac_key(name: str) -> bytes:
    value = env_secret(name)
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. Set it (or {name}_FILE) in the environment, or run "
            "scripts/bootstrap to add it to var/local.env for a local try-out."
        )
    if len(value) < 32:
        raise ImproperlyConfigured(f"{name} must be at least 32 characters of random data.")
    return value.encode()


AUDIT_HMAC_KEY = _hmac_key("AUDIT_HMAC_KEY")
SIGNED_RECORD_HMAC_KEY = _hmac_key("SIGNED_RECORD_HMAC_KEY")
# The sealer chains new audit events every AUDIT_SEAL_SECONDS (celery beat) and
# appends a checkpoint of the chain head, signed with the practice certificate's
# key, to a file in AUDIT_CHECKPOINT_DIR at most every AUDIT_CHECKPOINT_SECONDS.
# Keep that directory off the database host, append-only (chattr +a), backed up.
AUDIT_SEAL_SECONDS = env.int("AUDIT_SEAL_SECONDS", default=5)
AUDIT_CHECKPOINT_SECONDS = env.int("AUDIT_CHECKPOINT_SECONDS", default=60)
AUDIT_CHECKPOINT_DIR = Path(
    env.str("AUDIT_CHECKPOINT_DIR", default=str(VAR_DIR / "audit-checkpoints"))
)

# Sealed process notes (docs/threat-model.md, docs/recovery.md): each author's
# notes are also encrypted under a data key of their own, wrapped under a key
# derived from their password (argon2id, these costs) and under the practice
# RECOVERY PUBLIC KEY (X25519, base64 of 32 bytes). Its private half is kept
# offline and never configured here; without a public key `check --deploy`
# warns, and a lost password then means lost notes.
PROCESS_NOTES_KDF_TIME_COST = env.int("PROCESS_NOTES_KDF_TIME_COST", default=3)
PROCESS_NOTES_KDF_MEMORY_KIB = env.int("PROCESS_NOTES_KDF_MEMORY_KIB", default=64 * 1024)


def _recovery_public_key(raw: str) -> str:
    """Strict: empty, or the base64 of exactly 32 bytes (an X25519 public key)."""
    import base64
    import binascii

    raw = raw.strip()
    if not raw:
        return ""
    try:
        decoded = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        decoded = b""
    if len(decoded) != 32:
        raise ImproperlyConfigured(
            "PROCESS_NOTES_RECOVERY_PUBLIC_KEY must be the base64 of a 32-byte X25519 public "
            "key (see docs/recovery.md). Never put the private half here."
        )
    return raw


PROCESS_NOTES_RECOVERY_PUBLIC_KEY = _recovery_public_key(
    env_secret("PROCESS_NOTES_RECOVERY_PUBLIC_KEY", "") or ""
)

# Credentials are the user's own (practice/credentials.py): an admin issues a
# one-time reset code valid this long; the user is told of resets at sign-in
# for this many days. The e-mail password reset is mounted only when
# PASSWORD_RESET_BY_EMAIL is on, which needs EMAIL_HOST.
SIGN_IN_RESET_MINUTES = env.int("SIGN_IN_RESET_MINUTES", default=60)
SIGN_IN_RESET_NOTICE_DAYS = env.int("SIGN_IN_RESET_NOTICE_DAYS", default=30)
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="webmaster@localhost")
PASSWORD_RESET_BY_EMAIL = env_bool("PASSWORD_RESET_BY_EMAIL", False)
if PASSWORD_RESET_BY_EMAIL and not EMAIL_HOST:
    raise ImproperlyConfigured("PASSWORD_RESET_BY_EMAIL needs EMAIL_HOST (and its credentials).")

# Logs carry ids only, never PHI.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # PDF rendering logs every step and font; keep its warnings only.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Static files are also found in place (no collectstatic needed for the try-out
# or the tests); production images run collectstatic for compressed copies.
WHITENOISE_USE_FINDERS = True
