"""Permission primitives used by every app's access helpers.

Two sources of permission, and only these two:
- the user's role groups (practice-wide model permissions), and
- guardian object permissions granted by care-team membership.

Django's ``is_superuser`` shortcut is deliberately *not* honoured here: a
superuser is an operator account, not a clinical role (DESIGN.md).
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from guardian.shortcuts import get_objects_for_user, get_user_perms


def role_permissions(user) -> frozenset[str]:
    """The ``app_label.codename`` permissions the user's role groups carry."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_role_perm_cache", None)
    if cached is None:
        # One query answers both "which role" and "what may the role do": the
        # user's groups with their permissions (a group without any gives a row
        # of NULLs). ``User.role`` reads the names kept here.
        rows = Group.objects.filter(user=user).values_list(
            "name", "permissions__content_type__app_label", "permissions__codename"
        )
        names, perms = set(), set()
        for name, app, code in rows:
            names.add(name)
            if code:
                perms.add(f"{app}.{code}")
        cached = frozenset(perms)
        user._role_perm_cache = cached
        user._role_names = names
    return cached


def has_role_perm(user, perm: str) -> bool:
    return perm in role_permissions(user)


def has_perm(user, perm: str, obj=None) -> bool:
    """True if the role grants ``perm`` practice-wide or guardian grants it on ``obj``."""
    if not user.is_authenticated or not user.is_active:
        return False
    if has_role_perm(user, perm):
        return True
    if obj is None:
        return False
    codename = perm.split(".", 1)[1]
    cache = user.__dict__.setdefault("_object_perm_cache", {})
    key = (obj._meta.label_lower, obj.pk)
    if key not in cache:
        cache[key] = frozenset(get_user_perms(user, obj))
    return codename in cache[key]


def objects_with_perm(user, perm: str, queryset):
    """All of ``queryset`` if the role grants ``perm``, else the objects guardian grants."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if has_role_perm(user, perm):
        return queryset
    # Guardian gets the model class: given a queryset it matches every grant
    # against all of the table's ids cast to text, ~100 ms on 5,000 clients
    # where the class takes ~4 ms (issue 18).
    granted = get_objects_for_user(
        user, perm, klass=queryset.model, with_superuser=False, accept_global_perms=False
    )
    return (granted & queryset) if queryset.query.has_filters() else granted


def forget_cached_permissions(user) -> None:
    for attr in ("_role_perm_cache", "_object_perm_cache", "_role_names"):
        user.__dict__.pop(attr, None)
