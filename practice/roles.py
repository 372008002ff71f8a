"""Roles are Django groups. This module is the one place that says what each
role may do practice-wide (model permissions) and what a care-team membership
grants on one client (guardian object permissions).

Practice-wide permissions come from the groups only: a superuser is an
operator account and gets no clinical access from ``is_superuser``
(see ``practice.permissions``).
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    SUPERVISOR = "supervisor", "Supervisor"
    FRONT_DESK = "front_desk", "Front desk"
    BILLER = "biller", "Biller"
    AUDITOR = "auditor", "Auditor"
    PRACTICE_ADMIN = "practice_admin", "Practice admin"


CLINICAL_ROLES = (Role.CLINICIAN, Role.SUPERVISOR)

# What one care-team membership grants on that client (object permissions).
CARE_TEAM_PERMISSIONS = (
    "clients.view_client",
    "clients.view_clinical",
    "clients.document_care",
)

# Practice-wide (model) permissions per role. Clinicians get nothing
# practice-wide on clients: their access is their caseload, object by object.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.CLINICIAN: (),
    Role.SUPERVISOR: (),
    Role.FRONT_DESK: (
        "clients.view_client",
        "clients.add_client",
        "clients.change_client",
        "clients.manage_care_team",
        "clients.view_collateralcontact",
        "clients.add_collateralcontact",
        "clients.change_collateralcontact",
        "clients.add_releaseofinformation",
        "clients.change_releaseofinformation",
        "clients.view_releaseofinformation",
        "clients.manage_schedule",
        "contacts.add_administrative_contactnote",
        "contacts.view_administrative_contactnote",
    ),
    Role.BILLER: (
        "clients.view_client",
        "clients.view_billing",
        "billing.view_billingexport",
        "billing.add_billingexport",
        "billing.change_billingexport",
    ),
    Role.AUDITOR: (
        "clients.view_client",
        "clients.view_clinical",
        "clients.view_collateralcontact",
        "clients.view_releaseofinformation",
        "practice.view_auditevent",
        "documents.export_chart",
    ),
    Role.PRACTICE_ADMIN: (
        "clients.view_client",
        "clients.add_client",
        "clients.change_client",
        "clients.manage_care_team",
        "clients.view_collateralcontact",
        "clients.add_collateralcontact",
        "clients.change_collateralcontact",
        "clients.add_releaseofinformation",
        "clients.change_releaseofinformation",
        "clients.view_releaseofinformation",
        "practice.view_auditevent",
        "practice.manage_users",
        "practice.change_practicesettings",
        "billing.void_any_billingexport",
        "clients.manage_schedule",
        "contacts.add_administrative_contactnote",
        "contacts.view_administrative_contactnote",
    ),
}


def sync_role_groups(apps=None, **_kwargs) -> None:
    """Create the role groups and give each exactly its listed permissions.

    Runs from the data migration and again after every ``migrate`` (permissions
    of apps added later only exist once their post_migrate has run). Listed
    permissions that do not exist yet are skipped here; a test asserts that all
    of them exist once every app is migrated.
    """
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=str(role))
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
