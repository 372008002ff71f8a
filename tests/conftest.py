"""The people every test can use, after healthchecks' Alice, Bob and Charlie.

- ``alice``: clinician; ``client`` is on her caseload (primary).
- ``bob``: clinician who is NOT on ``client``'s care team.
- ``sam``: pre-licensed clinician supervised by ``sue``.
- ``sue``: supervisor.
- ``fran``: front desk; ``bill``: biller; ``audrey``: auditor; ``ada``: practice admin.
- ``root``: a Django superuser with no role (an operator account).
"""

from __future__ import annotations

import base64
from datetime import datetime

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from clients import services as client_services
from clients.models import CareTeamRole
from practice.roles import Role
from tests.factories import (
    PASSWORD,
    ClientFactory,
    DiagnosisFactory,
    UserFactory,
    plan_in_effect,
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is the production hasher; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The same for the argon2id that wraps process-note keys (the costs are
    # stored with each wrap, so this changes nothing but speed).
    settings.PROCESS_NOTES_KDF_TIME_COST = 1
    settings.PROCESS_NOTES_KDF_MEMORY_KIB = 1024


@pytest.fixture(autouse=True)
def _audit_checkpoints(settings, tmp_path):
    # Each test keeps its audit checkpoints to itself, never under var/.
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "audit-checkpoints"


@pytest.fixture
def audit_certificate(settings, practice_certificate):
    """The tests' practice certificate signs (and verifies) audit checkpoints."""
    settings.PRACTICE_CERT_FILE = practice_certificate / "cert.pem"
    settings.PRACTICE_KEY_FILE = practice_certificate / "key.pem"
    settings.PRACTICE_KEY_PASSPHRASE = "test-pass"
    return settings


# A Wednesday in the middle of a month: far from midnight, the 1st, and DST changes.
MIDDAY = datetime(2026, 11, 18, 14, 0)


@pytest.fixture
def frozen_midday():
    """The clock at 14:00 on a mid-month Wednesday in the practice's time zone
    (it keeps ticking), for tests about "today", "this month" or "same day"."""
    with time_machine.travel(timezone.make_aware(MIDDAY), tick=True) as traveller:
        yield traveller


@pytest.fixture
def alice(db):
    return UserFactory(
        username="alice",
        first_name="Alice",
        last_name="Adams",
        credentials="LCSW",
        role=Role.CLINICIAN,
    )


@pytest.fixture
def bob(db):
    return UserFactory(
        username="bob", first_name="Bob", last_name="Brown", credentials="LPC", role=Role.CLINICIAN
    )


@pytest.fixture
def sue(db):
    return UserFactory(
        username="sue", first_name="Sue", last_name="Stone", credentials="PhD", role=Role.SUPERVISOR
    )


@pytest.fixture
def sam(db, sue):
    return UserFactory(
        username="sam",
        first_name="Sam",
        last_name="Street",
        credentials="LPC-A",
        requires_cosign=True,
        supervisor=sue,
        role=Role.CLINICIAN,
    )


@pytest.fixture
def fran(db):
    return UserFactory(username="fran", role=Role.FRONT_DESK)


@pytest.fixture
def bill(db):
    return UserFactory(username="bill", role=Role.BILLER)


@pytest.fixture
def audrey(db):
    return UserFactory(username="audrey", role=Role.AUDITOR)


@pytest.fixture
def ada(db):
    return UserFactory(username="ada", role=Role.PRACTICE_ADMIN)


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def client_record(db, alice, ada):
    """A client on Alice's caseload with a covered diagnosis and a signed
    treatment plan in effect (tests/plans overrides this with a client without one)."""
    record = ClientFactory(legal_first_name="Casey", legal_last_name="Zebulon")
    client_services.care_team_add(
        client=record, clinician=alice, actor=ada, role=CareTeamRole.PRIMARY
    )
    DiagnosisFactory(client=record)
    plan_in_effect(record, alice)
    return record


@pytest.fixture
def people(alice, bob, sue, sam, fran, bill, audrey, ada, root):
    return {
        "alice": alice,
        "bob": bob,
        "sue": sue,
        "sam": sam,
        "fran": fran,
        "bill": bill,
        "audrey": audrey,
        "ada": ada,
        "root": root,
    }


def mark_mfa_verified(http: HttpClient, user):
    """Give the user an authenticator and mark the session as having passed the
    second factor, the way django-otp's ``login`` does after a good code."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def open_process_note_key(http: HttpClient, user, password: str = PASSWORD) -> bool:
    """What a real sign-in with the password does for the sealed process notes:
    open the user's key and keep it in this client's session vault (the vault
    key goes into the client's cookie). False when nothing opened."""
    from types import SimpleNamespace

    from notes.psychotherapy import sealing
    from practice import session_vault
    from practice.roles import CLINICAL_ROLES

    if sealing.author_key(user) is None:
        if user.role not in CLINICAL_ROLES:
            return False
        # A clinician's key is made at their first sign-in.
        sealing.author_key_create(author=user, password=password)
    dek = sealing.unlock_with_password(user, password)
    if dek is None:
        return False
    session = http.session
    request = SimpleNamespace(COOKIES={}, session=session, user=user)
    session_vault.vault_put(request, sealing.VAULT_NAME, dek)
    session.save()
    http.cookies[session_vault.COOKIE_NAME] = base64.urlsafe_b64encode(
        request._vault_new_key
    ).decode()
    return True


@pytest.fixture
def login():
    """login(user) -> a test client signed in as that user, MFA passed, with
    their process-note key open as after a sign-in with their password.

    ``login(user, mfa=False)`` stops after the password step (what a stolen
    password alone would give): see tests/practice/test_mfa.py.
    ``login(user, unseal=False)``: signed in without the password (sealed).
    """

    def _login(user, mfa: bool = True, unseal: bool = True):
        http = HttpClient()
        http.force_login(user)
        if mfa:
            mark_mfa_verified(http, user)
        if unseal:
            open_process_note_key(http, user)
        return http

    return _login


@pytest.fixture(scope="session")
def practice_certificate(tmp_path_factory):
    """A self-signed practice certificate (made once per run) with an encrypted key."""
    from practice.documents.pdf import make_self_signed_certificate

    folder = tmp_path_factory.mktemp("practice-cert")
    cert, key = make_self_signed_certificate(
        common_name="Test Practice", organization="Test Practice", passphrase=b"test-pass"
    )
    (folder / "cert.pem").write_bytes(cert)
    (folder / "key.pem").write_bytes(key)
    return folder


@pytest.fixture
def documents_settings(settings, practice_certificate, tmp_path):
    """Signed documents with the tests' certificate, files under a fresh directory,
    Celery eager (whatever REDIS_URL the environment has)."""
    settings.PRACTICE_CERT_FILE = practice_certificate / "cert.pem"
    settings.PRACTICE_KEY_FILE = practice_certificate / "key.pem"
    settings.PRACTICE_KEY_PASSPHRASE = "test-pass"
    settings.PRIVATE_FILES_DIR = tmp_path / "private"
    from practice.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield settings
    app.conf.task_always_eager = eager
