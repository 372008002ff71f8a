"""The one way to reach a document job: only the user who asked for it.

Anyone else (other staff, superusers) gets the same 404 as for a job that does
not exist, and the refusal is audited. The asker must also still hold the
role the job was made under (issue 13, attack 10). Then the job's kind has its say
(``DocumentKind.may_access``): e.g. for a job about one client, the asker must
still be able to reach that client (a clinician taken off the care team loses
their exports too), and a billing export needs the billing permission still.
"""

from __future__ import annotations

import uuid

from django.http import Http404

from practice.documents import registry
from practice.documents.jobs import MADE_AS
from practice.documents.models import DocumentJob
from practice.refusals import deny

OBJECT_TYPE = "documents.documentjob"


def _refuse(request, job: DocumentJob, permission: str):
    deny(
        request,
        permission=permission,
        not_found=True,
        client_uuid=job.client_uuid,
        object_type=OBJECT_TYPE,
        object_id=str(job.uuid),
    )


def get_job_for_user(request, job_uuid: uuid.UUID | str) -> DocumentJob:
    job = DocumentJob.objects.select_related("requested_by").filter(uuid=job_uuid).first()
    if job is None:
        raise Http404("No such document.")
    user = request.user
    if job.requested_by_id != user.pk or not user.is_active:
        _refuse(request, job, "documents.view_documentjob")
    made_as = job.params.get(MADE_AS, "")
    # The asker must still hold the role the job was made under (an auditor
    # demoted to front desk no longer downloads the chart exports they made as
    # an auditor). Jobs made before the role was recorded carry none: their
    # kind's rule decides.
    if made_as and user.role != made_as:
        _refuse(request, job, f"role:{made_as}")
    rule = registry.get(job.kind).may_access if registry.is_registered(job.kind) else None
    if rule is not None:
        missing = rule(request, job)
        if missing:
            _refuse(request, job, missing)
    return job
