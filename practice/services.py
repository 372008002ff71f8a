from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from practice import audit, credentials
from practice.models import AuditAction, User
from practice.permissions import forget_cached_permissions
from practice.roles import Role


@transaction.atomic
def user_save(*, form, actor, request=None) -> User:
    """Create or update a staff user from a validated StaffForm, set the role."""
    creating = form.instance.pk is None
    existing = None if creating else User.objects.get(pk=form.instance.pk)
    # The view checks this too; the service refuses on its own (role hierarchy).
    if not credentials.may_manage(actor, existing):
        raise credentials.CredentialError("You cannot change this account.")
    old_role = existing.role if existing else None
    if form.cleaned_data["role"] == Role.PRACTICE_ADMIN and old_role != Role.PRACTICE_ADMIN:
        raise credentials.CredentialError("Only the operator makes someone a practice admin.")
    user = form.save(commit=False)
    if creating:
        # Nobody but the user chooses a password: a new account has none until
        # its owner redeems the reset code the admin is shown next.
        user.set_unusable_password()
    user.save()
    role = form.cleaned_data["role"]
    user_set_role(user=user, role=role)
    audit.record(
        AuditAction.CREATE if creating else AuditAction.UPDATE,
        request=request,
        user=actor,
        obj=user,
        detail={"fields": sorted(form.changed_data) if not creating else ["new user"]},
    )
    if old_role != role:
        audit.record(
            AuditAction.PERMISSION_CHANGE,
            request=request,
            user=actor,
            obj=user,
            detail={"change": "role", "from": old_role, "to": role},
        )
    return user


def user_set_role(*, user: User, role: str) -> None:
    role_groups = Group.objects.filter(name__in=Role.values)
    user.groups.remove(*role_groups)
    user.groups.add(Group.objects.get(name=role))
    user.__dict__.pop("_role_names", None)
    forget_cached_permissions(user)


def is_locked_out(user: User) -> bool:
    """Whether django-axes currently refuses this username (failures within the cool-off)."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.utils import timezone

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        username=user.get_username(),
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=since,
    ).exists()


def user_unlock(*, user: User, actor, request=None) -> int:
    """Clear the failed-sign-in records of a username (django-axes); audited."""
    from axes.utils import reset

    cleared = reset(username=user.get_username())
    audit.record(
        AuditAction.PERMISSION_CHANGE,
        request=request,
        user=actor,
        obj=user,
        detail={"change": "unlock_sign_in", "attempts_cleared": cleared},
    )
    return cleared
