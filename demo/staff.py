"""Demo staff for the try-out. Never run against a production database."""

from __future__ import annotations

from practice.models import User
from practice.roles import Role
from practice.services import user_set_role

DEMO_STAFF = [
    # username, first, last, role, credentials, requires_cosign, supervisor
    ("clinician", "Dana", "Reyes", Role.CLINICIAN, "LCSW", False, None),
    ("clinician2", "Sam", "Okafor", Role.CLINICIAN, "LPC-Associate", True, "supervisor"),
    ("supervisor", "Morgan", "Lee", Role.SUPERVISOR, "PhD, LP", False, None),
    ("frontdesk", "Jamie", "Chen", Role.FRONT_DESK, "", False, None),
    ("biller", "Pat", "Nguyen", Role.BILLER, "CPC", False, None),
    ("auditor", "Robin", "Shah", Role.AUDITOR, "CHC", False, None),
    ("admin", "Alex", "Kim", Role.PRACTICE_ADMIN, "", False, None),
]


def seed_staff(password: str) -> dict[str, User]:
    users: dict[str, User] = {}
    # Supervisors first so supervisees can point at them.
    for username, first, last, role, creds, cosign, sup in sorted(
        DEMO_STAFF, key=lambda row: row[6] is not None
    ):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.invalid",
                "credentials": creds,
                "requires_cosign": cosign,
                "supervisor": users.get(sup) if sup else None,
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        user_set_role(user=user, role=role)
        users[username] = user
    return users
