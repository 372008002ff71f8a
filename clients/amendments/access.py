"""Who may log, decide and read amendment requests, and the one way views load one."""

from __future__ import annotations

from django.http import Http404

from clients import access
from clients.models import AmendmentRequest, Client

LOG = "clients.log_amendment"  # a pseudo-permission name for refusals and audits
DECIDE = access.DOCUMENT


def can_log(user, client: Client) -> bool:
    return access.can(user, access.EDIT, client) or access.can(user, access.DOCUMENT, client)


def can_decide(user, client: Client) -> bool:
    return access.can(user, DECIDE, client)


def can_read(user, client: Client) -> bool:
    return access.can(user, access.CLINICAL, client) or can_log(user, client)


def shows_amendment_text(user, client: Client) -> bool:
    """The accepted amendment changes the clinical record: only roles that read
    clinical content see its text. The front desk (who logs requests and mails
    the decision) sees the status, who decided and when, and a denial's reason,
    which the client must receive in writing."""
    return access.can(user, access.CLINICAL, client)


def get_amendment_for_user(request, client_uuid, amendment_uuid) -> tuple[Client, AmendmentRequest]:
    """The client (through clients.access: outsiders 404) and its request, if the
    user may read amendment requests (else 403), audited as a view."""
    client = access.get_client_for_user(request, client_uuid)
    req = client.amendments.filter(uuid=amendment_uuid).select_related("logged_by").first()
    if req is None:
        raise Http404("No such record.")
    if not can_read(request.user, client):
        access.deny(
            request,
            client,
            LOG,
            not_found=False,
            object_type="clients.amendmentrequest",
            object_id=str(req.uuid),
        )
    return client, req
