"""One refusal vocabulary for every service and access check.

A service that will not do what was asked raises a subclass of ``Refused``
with ``errors``: form field name (or None for the whole form) -> a message
that is safe to show the user (never clinical text, never PHI). Views catch
``Refused`` itself and put the errors beside their fields.

``deny(...)`` is the one "audit and refuse" helper for access checks: it writes
an ``access_denied`` audit event and raises 404 (the record's existence is not
confirmed) or 403 (with a reason that says why).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from django.core.exceptions import PermissionDenied
from django.http import Http404

from practice import audit
from practice.models import AuditAction

NOT_FOUND_MESSAGE = "No such record, or it is not on your caseload."
DEFAULT_REASON = "You do not have access to this."


class Refused(Exception):
    """A rule refused the request.

    ``Refused("message")`` is about the whole form; ``Refused("message",
    field="start")`` about one field; ``Refused({"start": "...", None: "..."})``
    about several.
    """

    def __init__(self, errors: Mapping[Any, str] | str, field: str | None = None):
        if isinstance(errors, str):
            errors = {field: errors}
        self.errors: dict[str | None, str] = dict(errors)
        super().__init__("; ".join(self.errors.values()))

    @property
    def message(self) -> str:
        return str(self)

    @property
    def field(self) -> str | None:
        """The field of a one-field refusal (None: the whole form)."""
        return next(iter(self.errors), None)

    def add_to_form(self, form) -> None:
        """Show the errors beside their fields (unknown fields on the whole form)."""
        for field, message in self.errors.items():
            form.add_error(field if field in form.fields else None, message)


def deny(
    request,
    *,
    permission: str,
    not_found: bool,
    reason: str = "",
    client=None,
    client_uuid=None,
    object_type: str = "",
    object_id: str = "",
    message: str = "",
) -> NoReturn:
    """Audit a refusal, then raise 404 (``not_found``) or 403 with ``reason``.

    ``object_type``/``object_id`` name what was asked for (ids only);
    ``client`` ties the event to a chart when there is one.
    """
    audit.record(
        AuditAction.ACCESS_DENIED,
        request=request,
        object_type=object_type,
        object_id=object_id,
        client=client,
        client_uuid=client_uuid,
        detail={"permission": permission, "path": request.path[:200]},
    )
    if not_found:
        raise Http404(message or NOT_FOUND_MESSAGE)
    raise PermissionDenied(reason or DEFAULT_REASON)
