# ruff: noqa: E501  (one line per URL keeps the table scannable)
"""The permission matrix: every role against every URL pattern of the project.

tests/test_permission_matrix.py walks it (one test per row, role and method)
and fails when a URL pattern has no row here.

HOW TO ADD A ROW (one line per URL name):

    row("notes:detail", note_uuid="progress_note", get=" 302 200 404 ...", post=None)

- the first argument is the URL name (with its namespace);
- keyword arguments map the URL's kwargs to keys of the ``objects`` fixture
  in tests/test_permission_matrix.py (add the record there if it is new;
  everything belongs to ``client_record`` on Alice's caseload, so Bob, Sue
  and root are outsiders);
- ``get`` / ``post``: the expected status code for each role, in the order of
  ROLES below, separated by spaces. ``post=None`` for pages that only read.
  POSTs send ``data`` (default: nothing), so an allowed write usually answers
  200/400 (form errors) or 302 (done), a refused one 403 (insider without the
  right) or 404 (outsider: no existence leak);
- anonymous visitors always get 302 to the sign-in page on protected pages.

Codes: 200 ok · 302 redirect (sign-in, or done) · 302! (anonymous only) a
redirect that is not to the sign-in page · 400 refused form · 403 forbidden
with a reason · 404 not found / not yours · 405 wrong method.

POSTs send the real form body of BODIES (below the matrix). A refused request
(anonymous, 4xx, or sent to sign in) must change nothing but the audit trail;
a 302 on a row with a body must have written something (see NOT_A_WRITE).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = ("anon", "alice", "cleo", "bob", "sue", "fran", "bill", "bella", "audrey", "ada", "root")
#         anon   alice: clinician with the client on her caseload (primary; author of the notes)
#                cleo: a second clinician on the same care team (member; authored nothing)
#                bob/sue: clinician/supervisor NOT on the care team
#                fran front desk · bill biller (made the billing export) · bella a second
#                biller · audrey auditor (asked for the chart export) · ada practice admin
#                root: superuser without a role (an operator, no clinical access)

# Walked: every URL pattern, the operator console (/operator/, Django admin,
# whose "sign-in" is its own login page) included. Not walked: Django's e-mail
# password reset views, mounted only when PASSWORD_RESET_BY_EMAIL is on.
EXCLUDED = (
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
)


# Answers that refuse: the request must change nothing but the audit trail.
REFUSED = frozenset({"400", "401", "403", "404", "405"})


@dataclass(frozen=True)
class Row:
    name: str
    kwargs: dict = field(default_factory=dict)
    get: str | None = None
    post: str | None = None
    data: dict | Callable[[dict], dict] | None = None
    # A 302 answer to the POST must have changed the database (the write happened).
    writes: bool = False


def row(
    name: str,
    *,
    get: str | None,
    post: str | None = None,
    data=None,
    writes: bool | None = None,
    **kwargs,
) -> Row:
    """``data``: the real form body (a dict, or a function of the ``objects``
    fixture for ids); a row with a body is a write unless ``writes=False``."""
    if writes is None:
        writes = data is not None
    return Row(name=name, kwargs=kwargs, get=get, post=post, data=data, writes=writes)


C = {"client_uuid": "client"}

# fmt: off
MATRIX = [
    #                                                       anon alice cleo bob sue fran bill bella audrey ada root
    row("home", get="302 302 302 302 302 302 302 302 302 302 403"),
    row("login", get="200 200 200 200 200 200 200 200 200 200 200"),
    row("logout", get="405 405 405 405 405 405 405 405 405 405 405", post="302 302 302 302 302 302 302 302 302 302 302"),
    row("mfa_verify", get="302 302 302 302 302 302 302 302 302 302 302"),
    row("mfa_setup", get="302 200 200 200 200 200 200 200 200 200 200"),
    row("mfa_backup_codes", get="302 405 405 405 405 405 405 405 405 405 405", post="302 200 200 200 200 200 200 200 200 200 200"),
    row("session_status", get="401 200 200 200 200 200 200 200 200 200 200"),
    row("session_keepalive", get="405 405 405 405 405 405 405 405 405 405 405", post="401 200 200 200 200 200 200 200 200 200 200"),
    row("password_change", get="302 200 200 200 200 200 200 200 200 200 200", post="302 302 302 302 302 302 302 302 302 302 302"),
    row("password_change_done", get="302 200 200 200 200 200 200 200 200 200 200"),
    row("reset_with_code", get="200 302 302 302 302 302 302 302 302 302 302", post="200 302 302 302 302 302 302 302 302 302 302"),
    row("session_timeout", get="405 405 405 405 405 405 405 405 405 405 405", post="302 302 302 302 302 302 302 302 302 302 302"),
    # staff and settings
    row("staff_list", get="302 403 403 403 403 403 403 403 403 200 403"),
    row("staff_create", get="302 403 403 403 403 403 403 403 403 200 403", post="302 403 403 403 403 403 403 403 403 200 403"),  # ada: the new account's one-time reset code
    row("staff_edit", user_uuid="staff", get="302 403 403 403 403 403 403 403 403 200 403", post="302 403 403 403 403 403 403 403 403 302 403"),
    row("staff_sign_in_reset", user_uuid="other_staff", get="302 405 405 405 405 405 405 405 405 405 405", post="302 403 403 403 403 403 403 403 403 200 403"),
    row("staff_mfa_reset", user_uuid="other_staff", get="302 405 405 405 405 405 405 405 405 405 405", post="302 403 403 403 403 403 403 403 403 302 403"),
    row("staff_unlock", user_uuid="other_staff", get="302 405 405 405 405 405 405 405 405 405 405", post="302 403 403 403 403 403 403 403 403 302 403"),
    row("practice_settings", get="302 403 403 403 403 403 403 403 403 200 403", post="302 403 403 403 403 403 403 403 403 302 403"),
    # clients
    row("clients:list", get="302 200 200 200 200 200 200 200 200 200 200"),
    row("clients:caseload", get="302 200 200 200 200 200 200 200 200 200 200"),
    row("clients:create", get="302 403 403 403 403 200 403 403 403 200 403", post="302 403 403 403 403 302 403 403 403 302 403"),
    row("clients:retention_report", get="302 403 403 403 403 403 403 403 403 200 403"),
    row("clients:emergency_start", get="302 200 200 200 200 403 403 403 403 403 403", post="302 302 302 302 302 403 403 403 403 403 403"),
    row("clients:emergency_review", get="302 403 403 403 403 403 403 403 200 200 403"),
    row("clients:emergency_review_mark", grant_uuid="grant", get="302 405 405 405 405 405 405 405 405 405 405", post="302 403 403 403 403 403 403 403 403 302 403"),
    row("records:chart", **C, get="302 200 200 404 404 200 200 200 200 200 404"),
    row("clients:edit", **C, get="302 403 403 404 404 200 403 403 403 200 404", post="302 403 403 404 404 302 403 403 403 302 404"),
    row("clients:discharge", **C, get="302 403 403 404 404 200 403 403 403 200 404", post="302 403 403 404 404 302 403 403 403 302 404"),
    row("clients:care_team", **C, get="302 403 403 404 404 200 403 403 403 200 404", post="302 403 403 404 404 302 403 403 403 302 404"),
    row("clients:care_team_remove", client_uuid="client", member_id="member", get="302 405 405 405 405 405 405 405 405 405 405", post="302 403 403 404 404 302 403 403 403 302 404"),
    row("clients:diagnosis_add", **C, get="302 200 200 404 404 403 403 403 403 403 404", post="302 302 302 404 404 403 403 403 403 403 404"),
    row("clients:diagnosis_resolve", client_uuid="client", diagnosis_uuid="diagnosis", get="302 200 200 404 404 403 403 403 403 403 404", post="302 302 302 404 404 403 403 403 403 403 404"),
    row("clients:collateral_add", **C, get="302 200 200 404 404 200 403 403 403 200 404", post="302 302 302 404 404 302 403 403 403 302 404"),
    row("clients:roi_add", client_uuid="client", contact_uuid="contact", get="302 200 200 404 404 200 403 403 403 200 404", post="302 302 302 404 404 302 403 403 403 302 404"),
    # suspending a personal representative is a clinical judgement: the care team only
    row("clients:representation_suspend", client_uuid="client", contact_uuid="contact", get="302 200 200 404 404 403 403 403 403 403 404", post="302 200 200 404 404 403 403 403 403 403 404"),
    row("clients:roi_revoke", client_uuid="client", roi_uuid="roi", get="302 200 200 404 404 200 403 403 403 200 404", post="302 302 302 404 404 302 403 403 403 302 404"),
    row("clients:audit", **C, get="302 403 403 404 404 403 403 403 200 200 404"),
    row("clients:amendment_create", **C, get="302 200 200 404 404 200 403 403 403 200 404", post="302 302 302 404 404 302 403 403 403 302 404"),
    row("clients:amendment_detail", client_uuid="client", amendment_uuid="amendment", get="302 200 200 404 404 200 403 403 200 200 404"),
    row("clients:amendment_accept", client_uuid="client", amendment_uuid="amendment", get="302 405 405 405 405 405 405 405 405 405 405", post="302 302 302 404 404 403 403 403 403 403 404"),
    row("clients:amendment_deny", client_uuid="client", amendment_uuid="amendment", get="302 405 405 405 405 405 405 405 405 405 405", post="302 302 302 404 404 403 403 403 403 403 404"),
    row("clients:amendment_disagreement", client_uuid="client", amendment_uuid="amendment", get="302 405 405 405 405 405 405 405 405 405 405", post="302 400 400 404 404 400 403 403 403 400 404"),
    # schedule
    row("schedule:day", get="302 403 403 403 403 200 403 403 403 200 403"),
    row("schedule:clinician_day", get="302 200 200 200 200 302 403 403 403 302 403"),
    row("schedule:book", **C, get="302 200 200 404 404 200 403 403 403 200 404", post="302 302 302 404 404 302 403 403 403 302 404"),
    row("schedule:no_show", appointment_uuid="appointment", get="302 200 200 404 404 200 403 403 403 200 404", post="302 200 200 404 404 200 403 403 403 200 404"),
    row("schedule:cancel", appointment_uuid="appointment", get="302 200 200 404 404 200 403 403 403 200 404", post="302 302 302 404 404 302 403 403 403 302 404"),
    row("schedule:reschedule", appointment_uuid="appointment", get="302 200 200 404 404 200 403 403 403 200 404", post="302 302 302 404 404 302 403 403 403 302 404"),
    row("schedule:complete", appointment_uuid="appointment", get="302 405 405 405 405 405 405 405 405 405 405", post="302 302 302 404 404 302 403 403 403 302 404"),
    # week view, recurring series, calendar feeds (issue 14)
    row("schedule:week", get="302 200 200 200 200 200 403 403 403 200 403"),
    row("schedule:series_book", **C, get="302 200 200 404 404 200 403 403 403 200 404", post="302 200 200 404 404 200 403 403 403 200 404"),
    row("schedule:series_change", appointment_uuid="appointment", get="302 200 200 404 404 200 403 403 403 200 404", post="302 200 200 404 404 200 403 403 403 200 404"),
    row("schedule:feed", get="302 200 200 200 200 403 403 403 403 403 403", post="302 302 302 302 302 403 403 403 403 403 403"),
    # the feed is read by calendar apps without signing in: the secret token is the key
    row("schedule:feed_ics", token="feed_token", get="200 200 200 200 200 200 200 200 200 200 200"),
    # contact notes
    row("contacts:create", **C, get="302 200 200 404 404 200 403 403 403 200 404", post="302 302 302 404 404 302 403 403 403 302 404"),
    row("contacts:detail", note_uuid="contact_note", get="302 200 200 404 404 200 200 200 200 200 404"),
    row("contacts:edit", note_uuid="contact_draft", get="302 200 404 404 404 404 404 404 404 404 404", post="302 302 404 404 404 404 404 404 404 404 404"),
    row("contacts:sign", note_uuid="contact_draft", get="302 405 405 405 405 405 405 405 405 405 405", post="302 302 404 404 404 404 404 404 404 404 404"),
    row("contacts:addendum_add", note_uuid="contact_note", get="302 405 405 405 405 405 405 405 405 405 405", post="302 302 302 404 404 403 403 403 403 403 404"),
    # private process notes: the author only; everyone else 404
    row("psychotherapy:unseal", get="302 302 302 302 302 200 200 200 200 200 200", post="302 302 302 302 302 200 200 200 200 200 200"),  # clinicians: already unsealed
    row("psychotherapy:list", **C, get="302 200 200 404 404 404 404 404 404 404 404"),
    row("psychotherapy:create", **C, get="302 200 200 404 404 404 404 404 404 404 404", post="302 302 302 404 404 404 404 404 404 404 404"),
    row("psychotherapy:detail", note_uuid="process_note", get="302 200 404 404 404 404 404 404 404 404 404"),
    row("psychotherapy:edit", note_uuid="process_note", get="302 200 404 404 404 404 404 404 404 404 404", post="302 302 404 404 404 404 404 404 404 404 404"),
    row("psychotherapy:delete", note_uuid="process_note", get="302 200 404 404 404 404 404 404 404 404 404", post="302 302 404 404 404 404 404 404 404 404 404"),
    # progress notes: the care team writes; a draft is its author's alone
    row("notes:worklist", get="302 200 200 200 200 200 200 200 200 200 200"),  # own drafts only
    row("notes:create", **C, get="302 200 200 404 404 403 403 403 403 403 404", post="302 302 302 404 404 403 403 403 403 403 404"),
    row("notes:detail", note_uuid="progress_note", get="302 200 200 404 404 403 200 200 200 403 404"),
    row("notes:edit", note_uuid="progress_draft", get="302 200 404 404 404 404 404 404 404 404 404", post="302 302 404 404 404 404 404 404 404 404 404"),
    row("notes:autosave", note_uuid="progress_draft", get="405 405 405 405 405 405 405 405 405 405 405", post="401 200 404 404 404 404 404 404 404 404 404"),
    row("notes:sign", note_uuid="progress_draft", get="302 200 404 404 404 404 404 404 404 404 404", post="302 302 404 404 404 404 404 404 404 404 404"),
    row("notes:discard", note_uuid="progress_draft", get="302 405 405 405 405 405 405 405 405 405 405", post="302 302 404 404 404 404 404 404 404 404 404"),
    row("notes:cosign", note_uuid="progress_note", get="302 405 405 405 405 405 405 405 405 405 405", post="302 403 403 404 404 403 403 403 403 403 404"),
    row("notes:addendum_add", note_uuid="progress_note", get="302 405 405 405 405 405 405 405 405 405 405", post="302 302 302 404 404 403 403 403 403 403 404"),
    # treatment plans: the care team writes, auditors read; never the desk, billers or admins;
    # a draft is its author's alone (cleo: 404), only the author's supervisor co-signs
    row("plans:client", **C, get="302 200 200 404 404 403 403 403 200 403 404"),
    row("plans:start", **C, get="302 405 405 405 405 405 405 405 405 405 405", post="302 302 302 404 404 403 403 403 403 403 404"),  # cleo: alice is already revising (message)
    row("plans:detail", plan_uuid="plan", get="302 200 200 404 404 403 403 403 200 403 404"),
    row("plans:edit", plan_uuid="plan_draft", get="302 200 404 404 404 404 404 404 404 404 404", post="302 302 404 404 404 404 404 404 404 404 404"),
    row("plans:sign", plan_uuid="plan_draft", get="302 200 404 404 404 404 404 404 404 404 404", post="302 400 404 404 404 404 404 404 404 404 404"),
    row("plans:discard", plan_uuid="plan_draft", get="302 405 405 405 405 405 405 405 405 405 405", post="302 302 404 404 404 404 404 404 404 404 404"),
    row("plans:cosign", plan_uuid="plan", get="302 405 405 405 405 405 405 405 405 405 405", post="302 403 403 404 404 403 403 403 403 403 404"),
    # standard measures: clinical content (care team reads and gives; auditors read)
    row("measures:give", **C, instrument="phq9", get="302 200 200 404 404 403 403 403 403 403 404", post="302 200 200 404 404 403 403 403 403 403 404"),
    row("measures:client_mode_start", **C, instrument="phq9", get="302 405 405 405 405 405 405 405 405 405 405", post="302 302 302 404 404 403 403 403 403 403 404"),
    row("measures:schedule", **C, get="302 200 200 404 404 403 403 403 403 403 404", post="302 200 200 404 404 403 403 403 403 403 404"),
    row("measures:schedule_stop", schedule_uuid="measure_schedule", get="302 405 405 405 405 405 405 405 405 405 405", post="302 302 302 404 404 403 403 403 403 403 404"),
    row("measures:detail", result_uuid="measure_result", get="302 200 200 404 404 403 403 403 200 403 404"),
    # client mode answers only inside a locked session (tests/measures/test_client_mode.py)
    row("measures:client_mode", get="302 404 404 404 404 404 404 404 404 404 404", post="302 404 404 404 404 404 404 404 404 404 404"),
    row("measures:client_mode_exit", get="302 404 404 404 404 404 404 404 404 404 404", post="302 404 404 404 404 404 404 404 404 404 404"),
    # documents: a job and its files belong to whoever asked (the auditor here)
    row("documents:list", get="302 200 200 200 200 200 200 200 200 200 200"),
    row("records:chart_export", get="302 200 200 403 403 403 403 403 200 403 403", post="302 302 302 403 403 403 403 403 302 403 403"),  # bob/sue: no caseload
    row("contacts:print", note_uuid="contact_note", get="302 405 405 405 405 405 405 405 405 405 405", post="302 302 302 404 404 403 403 403 302 403 404"),
    row("notes:print", note_uuid="progress_note", get="302 405 405 405 405 405 405 405 405 405 405", post="302 302 302 404 404 403 403 403 302 403 404"),
    row("documents:job", job_uuid="job", get="302 404 404 404 404 404 404 404 200 404 404"),
    row("documents:job_status", job_uuid="job", get="302 404 404 404 404 404 404 404 200 404 404"),
    row("documents:download", job_uuid="job", key="job_file", get="302 404 404 404 404 404 404 404 200 404 404"),
    # billing: billers only; the maker or a practice admin voids an export
    row("billing:home", get="302 403 403 403 403 403 200 200 403 403 403"),
    row("billing:export_start", get="302 405 405 405 405 405 405 405 405 405 405", post="302 403 403 403 403 403 302 302 403 403 403"),
    row("billing:export", export_uuid="billing_export", get="302 404 404 404 404 404 200 200 404 200 404"),  # ada: to void it
    row("billing:export_void", export_uuid="billing_export", get="302 405 405 405 405 405 405 405 405 405 405", post="302 404 404 404 404 404 302 403 404 302 404"),
    row("billing:export_redo", export_uuid="billing_export", get="302 405 405 405 405 405 405 405 405 405 405", post="302 404 404 404 404 404 302 302 404 403 404"),
    # operator console (Django admin, /operator/): superusers only; every role is sent to its login
    row("admin:index", get="302 302 302 302 302 302 302 302 302 302 200"),
    row("admin:login", get="200 200 200 200 200 200 200 200 200 200 302"),
    row("admin:logout", get="302! 302 302 302 302 302 302 302 302 302 405", post="302! 302 302 302 302 302 302 302 302 302 302"),
    row("admin:password_change", get="302 302 302 302 302 302 302 302 302 302 200", post="302 302 302 302 302 302 302 302 302 302 302"),
    row("admin:password_change_done", get="302 302 302 302 302 302 302 302 302 302 200"),
    row("admin:autocomplete", get="302 302 302 302 302 302 302 302 302 302 403"),
    row("admin:jsi18n", get="302 302 302 302 302 302 302 302 302 302 200"),
    row("admin:view_on_site", content_type_id="user_ct", object_id="user_id", get="302 302 302 302 302 302 302 302 302 302 404"),
    row("admin:app_list", app_label="app_label", get="302 302 302 302 302 302 302 302 302 302 200"),
    row("admin:axes_accessattempt_changelist", get="302 302 302 302 302 302 302 302 302 302 200"),
    row("admin:axes_accessattempt_add", get="302 302 302 302 302 302 302 302 302 302 403", post="302 302 302 302 302 302 302 302 302 302 403"),
    row("admin:axes_accessattempt_history", object_id="missing_id", get="302 302 302 302 302 302 302 302 302 302 302"),
    row("admin:axes_accessattempt_delete", object_id="missing_id", get="302 302 302 302 302 302 302 302 302 302 302", post="302 302 302 302 302 302 302 302 302 302 302"),
    row("admin:axes_accessattempt_change", object_id="missing_id", get="302 302 302 302 302 302 302 302 302 302 302", post="302 302 302 302 302 302 302 302 302 302 302"),
    row("admin:axes_accesslog_changelist", get="302 302 302 302 302 302 302 302 302 302 200"),
    row("admin:axes_accesslog_add", get="302 302 302 302 302 302 302 302 302 302 403", post="302 302 302 302 302 302 302 302 302 302 403"),
    row("admin:axes_accesslog_history", object_id="missing_id", get="302 302 302 302 302 302 302 302 302 302 302"),
    row("admin:axes_accesslog_delete", object_id="missing_id", get="302 302 302 302 302 302 302 302 302 302 302", post="302 302 302 302 302 302 302 302 302 302 302"),
    row("admin:axes_accesslog_change", object_id="missing_id", get="302 302 302 302 302 302 302 302 302 302 302", post="302 302 302 302 302 302 302 302 302 302 302"),
    row("admin:axes_accessfailurelog_changelist", get="302 302 302 302 302 302 302 302 302 302 200"),
    row("admin:axes_accessfailurelog_add", get="302 302 302 302 302 302 302 302 302 302 403", post="302 302 302 302 302 302 302 302 302 302 403"),
    row("admin:axes_accessfailurelog_history", object_id="missing_id", get="302 302 302 302 302 302 302 302 302 302 302"),
    row("admin:axes_accessfailurelog_delete", object_id="missing_id", get="302 302 302 302 302 302 302 302 302 302 302", post="302 302 302 302 302 302 302 302 302 302 302"),
    row("admin:axes_accessfailurelog_change", object_id="missing_id", get="302 302 302 302 302 302 302 302 302 302 302", post="302 302 302 302 302 302 302 302 302 302 302"),
    row("admin:auth_user_password_change", id="user_id", get="302 302 302 302 302 302 302 302 302 302 403", post="302 302 302 302 302 302 302 302 302 302 403"),  # nobody sets another's password: a reset code
    row("admin:practice_user_changelist", get="302 302 302 302 302 302 302 302 302 302 200"),
    row("admin:practice_user_add", get="302 302 302 302 302 302 302 302 302 302 200", post="302 302 302 302 302 302 302 302 302 302 302"),
    row("admin:practice_user_history", object_id="user_id", get="302 302 302 302 302 302 302 302 302 302 200"),
    row("admin:practice_user_delete", object_id="user_id", get="302 302 302 302 302 302 302 302 302 302 403", post="302 302 302 302 302 302 302 302 302 302 403"),
    row("admin:practice_user_change", object_id="user_id", get="302 302 302 302 302 302 302 302 302 302 200", post="302 302 302 302 302 302 302 302 302 302 302"),
    row("admin:practice_practicesettings_changelist", get="302 302 302 302 302 302 302 302 302 302 200"),
    row("admin:practice_practicesettings_add", get="302 302 302 302 302 302 302 302 302 302 200", post="302 302 302 302 302 302 302 302 302 302 200"),
    row("admin:practice_practicesettings_history", object_id="settings_id", get="302 302 302 302 302 302 302 302 302 302 200"),
    row("admin:practice_practicesettings_delete", object_id="settings_id", get="302 302 302 302 302 302 302 302 302 302 403", post="302 302 302 302 302 302 302 302 302 302 403"),
    row("admin:practice_practicesettings_change", object_id="settings_id", get="302 302 302 302 302 302 302 302 302 302 200", post="302 302 302 302 302 302 302 302 302 302 200"),
    row("admin:practice_auditevent_changelist", get="302 302 302 302 302 302 302 302 302 302 200"),
    row("admin:practice_auditevent_add", get="302 302 302 302 302 302 302 302 302 302 403", post="302 302 302 302 302 302 302 302 302 302 403"),
    row("admin:practice_auditevent_history", object_id="audit_id", get="302 302 302 302 302 302 302 302 302 302 200"),
    row("admin:practice_auditevent_delete", object_id="audit_id", get="302 302 302 302 302 302 302 302 302 302 403", post="302 302 302 302 302 302 302 302 302 302 403"),
    row("admin:practice_auditevent_change", object_id="audit_id", get="302 302 302 302 302 302 302 302 302 302 200", post="302 302 302 302 302 302 302 302 302 302 403"),
]
# fmt: on


# -- the real form bodies the POSTs send --------------------------------------
#
# One entry per URL name that writes: a function of the ``objects`` fixture
# (ids of the records) returning what a browser would post. With a body, an
# allowed POST (302) must change the database and a refused one must change
# nothing; NOT_A_WRITE lists the rows whose 302 may legitimately write nothing.


def _today():
    from django.utils import timezone

    return timezone.localdate()


def _local(days: int = 0, hour: int = 14) -> str:
    from datetime import timedelta

    from django.utils import timezone

    moment = timezone.localtime() + timedelta(days=days)
    return moment.replace(hour=hour, minute=0).strftime("%Y-%m-%dT%H:%M")


def _earlier(hours: int = 1) -> str:
    from datetime import timedelta

    from django.utils import timezone

    return (timezone.localtime() - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def _contact(reason: str = "reschedule") -> dict:
    return {
        "contact_at": _earlier(),
        "person": "client",
        "reason": reason,
        "means": ["phone"],
        "minutes": "5",
        "summary": "Matrix contact summary",
    }


def _schedule_note() -> dict:
    return {"means": ["phone"], "minutes": "5", "summary": "Matrix schedule note"}


def _practice_settings(o) -> dict:
    from django.forms.models import model_to_dict

    from practice.forms import PracticeSettingsForm
    from practice.models import PracticeSettings

    current = model_to_dict(PracticeSettings.load(), fields=PracticeSettingsForm._meta.fields)
    body = {k: v for k, v in current.items() if v is not None and v is not False}
    body["require_mfa"] = "on" if current.get("require_mfa") else ""
    body["phone"] = "555-0199"
    return body


def _client_edit(o) -> dict:
    from clients.models import Client

    c = Client.objects.get(uuid=o["client"])
    return {
        "legal_first_name": c.legal_first_name,
        "legal_last_name": c.legal_last_name,
        "preferred_name": c.preferred_name,
        "pronouns": c.pronouns,
        "date_of_birth": c.date_of_birth.isoformat(),
        "mrn": c.mrn,
        "phone": "555-0100",
        "email": c.email,
        "address": c.address,
    }


def _note_edit(o) -> dict:
    from notes.models import ProgressNote
    from tests.notes.test_editor import form_data

    note = ProgressNote.objects.get(uuid=o["progress_draft"])
    return form_data(note, subjective="Edited through the permission matrix")


PASSWORD = "correct-horse-battery-staple"  # tests.factories.PASSWORD
NEW_PASSWORD = "Matrix-new-passphrase-77"


def _new_password(**extra) -> dict:
    return {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD, **extra}


def _staff(username: str, first: str, role: str, **extra) -> dict:
    return {
        "username": username,
        "first_name": first,
        "last_name": "Matrix",
        "email": f"{username}@example.org",
        "role": role,
        "is_active": "on",
        **extra,
    }


BODIES: dict[str, Callable[[dict], dict]] = {
    "staff_create": lambda o: _staff("newhire", "New", "front_desk"),
    "staff_edit": lambda o: _staff("bob", "Robert", "clinician", credentials="LPC"),
    "staff_mfa_reset": lambda o: {},
    "staff_unlock": lambda o: {},
    "practice_settings": _practice_settings,
    "clients:create": lambda o: {
        "legal_first_name": "Nia",
        "legal_last_name": "Matrix",
        "pronouns": "she/her",
        "date_of_birth": "1991-02-03",
    },
    "clients:edit": _client_edit,
    "clients:discharge": lambda o: {"discharge_date": _today().isoformat()},
    "clients:care_team": lambda o: {"clinician": o["people"]["sue"], "role": "member"},
    "clients:care_team_remove": lambda o: {},
    "clients:diagnosis_add": lambda o: {"code": "F32.1", "onset_date": ""},
    "clients:diagnosis_resolve": lambda o: {"resolved_date": _today().isoformat()},
    "clients:collateral_add": lambda o: {"name": "Jo Matrix", "relationship": "sibling"},
    "clients:roi_add": lambda o: {
        "signed_date": _today().isoformat(),
        "expires_on": _today().replace(year=_today().year + 1).isoformat(),
        "scope": "Attendance only",
    },
    "clients:roi_revoke": lambda o: {"reason": "The client withdrew consent"},
    "clients:amendment_create": lambda o: {
        "received_on": _today().isoformat(),
        "requested_by": "Client",
        "record_reference": "Progress note of last week",
        "requested_change": "The date of the session is wrong.",
    },
    "clients:amendment_accept": lambda o: {"amendment_text": "The session was on Tuesday."},
    "clients:amendment_deny": lambda o: {"denial_reason": "The record is accurate."},
    "clients:amendment_disagreement": lambda o: {
        "received_on": _today().isoformat(),
        "statement": "I disagree with the denial.",
    },
    "clients:emergency_start": lambda o: {
        "mrn": o["other_client_mrn"],
        "reason": "Client in crisis at the front desk",
        "confirm": "on",
    },
    "clients:emergency_review_mark": lambda o: {"note": "Reviewed in the matrix"},
    "schedule:book": lambda o: {
        "clinician": o["people"]["alice"],
        "start": _local(days=2),
        "duration_minutes": "50",
        "service_type": "individual",
    },
    "schedule:no_show": lambda o: _schedule_note(),
    "schedule:cancel": lambda o: {
        "by": "client",
        "notice_at": _earlier(),
        **_schedule_note(),
    },
    "schedule:reschedule": lambda o: {
        "new_start": _local(days=3),
        "notice_at": _earlier(),
        **_schedule_note(),
    },
    "schedule:complete": lambda o: {},
    "contacts:create": lambda o: _contact(),
    "contacts:edit": lambda o: _contact("treatment_update"),
    "contacts:sign": lambda o: {},
    "contacts:addendum_add": lambda o: {"text": "Matrix addendum"},
    "psychotherapy:create": lambda o: {"text": "Matrix private reflection"},
    "psychotherapy:edit": lambda o: {"text": "Matrix private reflection, edited"},
    "psychotherapy:delete": lambda o: {},
    "notes:create": lambda o: {
        "format": "soap",
        "service_type": "individual",
        "service_date": _today().isoformat(),
    },
    "notes:edit": _note_edit,
    "notes:autosave": _note_edit,
    "notes:sign": lambda o: {"override_reason": ""},
    "notes:discard": lambda o: {},
    "notes:cosign": lambda o: {},
    "notes:addendum_add": lambda o: {"text": "Matrix addendum"},
    "records:chart_export": lambda o: {
        "client": str(o["client"]),
        "start": _today().replace(day=1).isoformat(),
        "end": _today().isoformat(),
    },
    "contacts:print": lambda o: {},
    "notes:print": lambda o: {},
    "billing:export_start": lambda o: {
        "start": _today().replace(day=1).isoformat(),
        "end": _today().isoformat(),
    },
    "billing:export_void": lambda o: {"reason": "Matrix: wrong period"},
    "billing:export_redo": lambda o: {},
    # password views and the operator console
    "password_change": lambda o: _new_password(old_password=PASSWORD),
    "admin:logout": lambda o: {},
    "admin:password_change": lambda o: _new_password(old_password=PASSWORD),
    "admin:auth_user_password_change": lambda o: {
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "usable_password": "true",
    },
    "admin:practice_user_add": lambda o: {
        "username": "operator-made",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "usable_password": "true",
    },
    "admin:practice_user_change": lambda o: {"username": "bob", "first_name": "Robert"},
    "admin:practice_user_delete": lambda o: {"post": "yes"},
    "admin:practice_practicesettings_add": lambda o: {"name": "Second practice"},
    "admin:practice_practicesettings_change": lambda o: {"name": "Renamed practice"},
    "admin:practice_practicesettings_delete": lambda o: {"post": "yes"},
    "admin:practice_auditevent_add": lambda o: {"action": "view"},
    "admin:practice_auditevent_change": lambda o: {"action": "view"},
    "admin:practice_auditevent_delete": lambda o: {"post": "yes"},
}
for _model in ("accessattempt", "accesslog", "accessfailurelog"):
    for _view in ("add", "change", "delete"):
        BODIES[f"admin:axes_{_model}_{_view}"] = lambda o: {"post": "yes"}
# A 302 that writes nothing, by design: nothing to reset or unlock for the
# target account; "redo" of a live export only says "void it first"; the
# matrix's appointment is tomorrow, so "completed" is refused with a message.
NOT_A_WRITE = {
    # the operator console sends a missing object back to its index
    *(f"admin:axes_{m}_{v}" for m in ("accessattempt", "accesslog", "accessfailurelog")
      for v in ("change", "delete")),
    "admin:logout",
    "staff_mfa_reset",
    "staff_unlock",
    "billing:export_redo",
    "schedule:complete",
}

MATRIX = [
    Row(
        name=r.name,
        kwargs=r.kwargs,
        get=r.get,
        post=r.post,
        data=r.data if r.data is not None else BODIES.get(r.name),
        writes=r.name in BODIES and r.name not in NOT_A_WRITE,
    )
    if r.post is not None
    else r
    for r in MATRIX
]
