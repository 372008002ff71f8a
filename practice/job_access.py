"""The one way to reach a document job: only the user who asked for it.

Anyone else (other staff, superusers) gets the same 404 as for a job that does
not exist, and the refusal is audited. For a job about one client, the asker
must still be able to reach that client (a clinician taken off the care team
loses their exports too). The asker must also still hold the role the job was
made under, and still pass the rule that let them start it: an auditor
demoted to front desk no longer downloads the chart exports they made as an
auditor, which hold full note text (issue 13, attack 10).
"""

from __future__ import annotations

import uuid

from django.http import Http404

from clients import access as client_access
from clients.chart_export import EXPORT_CHART, can_export_chart
from clients.models import Client
from practice.jobs import MADE_AS
from practice.models import DocumentJob, JobKind
from practice.permissions import has_role_perm

# A role-wide permission the asker must still hold, per kind of job.
STILL_REQUIRED = {JobKind.BILLING_EXPORT: "billing.add_billingexport"}


def get_job_for_user(request, job_uuid: uuid.UUID | str) -> DocumentJob:
    job = DocumentJob.objects.select_related("requested_by").filter(uuid=job_uuid).first()
    if job is None:
        raise Http404("No such document.")
    user = request.user
    client = None
    if job.client_uuid:
        client = Client.objects.filter(uuid=job.client_uuid).first()
    if job.requested_by_id != user.pk or not user.is_active:
        client_access.deny(
            request,
            client,
            "practice.view_documentjob",
            not_found=True,
            object_type="practice.documentjob",
            object_id=str(job.uuid),
        )
    if client is not None and not client_access.can(user, client_access.VIEW, client):
        client_access.deny(
            request,
            client,
            client_access.VIEW,
            not_found=True,
            object_type="practice.documentjob",
            object_id=str(job.uuid),
        )
    made_as = job.params.get(MADE_AS, "")
    # Jobs made before the role was recorded carry none: their kind's rule decides.
    if made_as and user.role != made_as:
        client_access.deny(
            request,
            client,
            f"role:{made_as}",
            not_found=True,
            object_type="practice.documentjob",
            object_id=str(job.uuid),
        )
    if job.kind == JobKind.CHART_EXPORT and (client is None or not can_export_chart(user, client)):
        client_access.deny(
            request,
            client,
            EXPORT_CHART,
            not_found=True,
            object_type="practice.documentjob",
            object_id=str(job.uuid),
        )
    needed = STILL_REQUIRED.get(job.kind)
    if needed and not has_role_perm(user, needed):
        client_access.deny(
            request,
            None,
            needed,
            not_found=True,
            object_type="practice.documentjob",
            object_id=str(job.uuid),
        )
    return job
