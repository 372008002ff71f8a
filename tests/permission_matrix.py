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

Codes: 200 ok · 302 redirect (sign-in, or done) · 400 refused form ·
403 forbidden with a reason · 404 not found / not yours · 405 wrong method.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("anon", "alice", "bob", "sue", "fran", "bill", "audrey", "ada", "root")
#         anon   alice: clinician with the client on her caseload
#                bob/sue: clinician/supervisor NOT on the care team
#                fran front desk · bill biller · audrey auditor · ada practice admin
#                root: superuser without a role (an operator, no clinical access)

# Not walked: Django admin (operator site, own permission system) and Django's
# e-mail password reset views (mounted only when PASSWORD_RESET_BY_EMAIL is on).
EXCLUDED = (
    "admin:*",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
)


@dataclass(frozen=True)
class Row:
    name: str
    kwargs: dict = field(default_factory=dict)
    get: str | None = None
    post: str | None = None
    data: dict | None = None


def row(name: str, *, get: str | None, post: str | None = None, data=None, **kwargs) -> Row:
    return Row(name=name, kwargs=kwargs, get=get, post=post, data=data)


C = {"client_uuid": "client"}

# fmt: off
MATRIX = [
    #                                                       anon alice bob sue fran bill audrey ada root
    row("home", get="302 302 302 302 302 302 302 302 403"),
    row("login", get="200 200 200 200 200 200 200 200 200"),
    row("logout", get="405 405 405 405 405 405 405 405 405", post="302 302 302 302 302 302 302 302 302"),
    row("mfa_verify", get="302 302 302 302 302 302 302 302 302"),
    row("mfa_setup", get="302 200 200 200 200 200 200 200 200"),
    row("mfa_backup_codes", get="302 405 405 405 405 405 405 405 405", post="302 200 200 200 200 200 200 200 200"),
    row("session_status", get="401 200 200 200 200 200 200 200 200"),
    row("session_keepalive", get="405 405 405 405 405 405 405 405 405", post="401 200 200 200 200 200 200 200 200"),
    row("password_change", get="302 200 200 200 200 200 200 200 200", post="302 200 200 200 200 200 200 200 200"),
    row("password_change_done", get="302 200 200 200 200 200 200 200 200"),
    row("reset_with_code", get="200 302 302 302 302 302 302 302 302", post="200 302 302 302 302 302 302 302 302"),
    row("session_timeout", get="405 405 405 405 405 405 405 405 405", post="302 302 302 302 302 302 302 302 302"),
    # staff and settings
    row("staff_list", get="302 403 403 403 403 403 403 200 403"),
    row("staff_create", get="302 403 403 403 403 403 403 200 403", post="302 403 403 403 403 403 403 200 403"),
    row("staff_edit", user_uuid="staff", get="302 403 403 403 403 403 403 200 403", post="302 403 403 403 403 403 403 200 403"),
    row("staff_sign_in_reset", user_uuid="other_staff", get="302 405 405 405 405 405 405 405 405", post="302 403 403 403 403 403 403 200 403"),
    row("staff_mfa_reset", user_uuid="other_staff", get="302 405 405 405 405 405 405 405 405", post="302 403 403 403 403 403 403 302 403"),
    row("staff_unlock", user_uuid="other_staff", get="302 405 405 405 405 405 405 405 405", post="302 403 403 403 403 403 403 302 403"),
    row("practice_settings", get="302 403 403 403 403 403 403 200 403", post="302 403 403 403 403 403 403 200 403"),
    # clients
    row("clients:list", get="302 200 200 200 200 200 200 200 200"),
    row("clients:caseload", get="302 200 200 200 200 200 200 200 200"),
    row("clients:create", get="302 403 403 403 200 403 403 200 403", post="302 403 403 403 200 403 403 200 403"),
    row("clients:retention_report", get="302 403 403 403 403 403 403 200 403"),
    row("clients:emergency_start", get="302 200 200 200 403 403 403 403 403", post="302 200 200 200 403 403 403 403 403"),
    row("clients:emergency_review", get="302 403 403 403 403 403 200 200 403"),
    row("clients:emergency_review_mark", grant_uuid="grant", get="302 405 405 405 405 405 405 405 405", post="302 403 403 403 403 403 403 302 403"),
    row("records:chart", **C, get="302 200 404 404 200 200 200 200 404"),
    row("clients:edit", **C, get="302 403 404 404 200 403 403 200 404", post="302 403 404 404 200 403 403 200 404"),
    row("clients:discharge", **C, get="302 403 404 404 200 403 403 200 404", post="302 403 404 404 200 403 403 200 404"),
    row("clients:care_team", **C, get="302 403 404 404 200 403 403 200 404", post="302 403 404 404 200 403 403 200 404"),
    row("clients:care_team_remove", client_uuid="client", member_id="member", get="302 405 405 405 405 405 405 405 405", post="302 403 404 404 302 403 403 302 404"),
    row("clients:diagnosis_add", **C, get="302 200 404 404 403 403 403 403 404", post="302 200 404 404 403 403 403 403 404"),
    row("clients:diagnosis_resolve", client_uuid="client", diagnosis_uuid="diagnosis", get="302 200 404 404 403 403 403 403 404", post="302 200 404 404 403 403 403 403 404"),
    row("clients:collateral_add", **C, get="302 200 404 404 200 403 403 200 404", post="302 200 404 404 200 403 403 200 404"),
    row("clients:roi_add", client_uuid="client", contact_uuid="contact", get="302 200 404 404 200 403 403 200 404", post="302 200 404 404 200 403 403 200 404"),
    # suspending a personal representative is a clinical judgement: the care team only
    row("clients:representation_suspend", client_uuid="client", contact_uuid="contact", get="302 200 404 404 403 403 403 403 404", post="302 200 404 404 403 403 403 403 404"),
    row("clients:roi_revoke", client_uuid="client", roi_uuid="roi", get="302 200 404 404 200 403 403 200 404", post="302 200 404 404 200 403 403 200 404"),
    row("clients:audit", **C, get="302 403 404 404 403 403 200 200 404"),
    row("clients:amendment_create", **C, get="302 200 404 404 200 403 403 200 404", post="302 200 404 404 200 403 403 200 404"),
    row("clients:amendment_detail", client_uuid="client", amendment_uuid="amendment", get="302 200 404 404 200 403 200 200 404"),
    row("clients:amendment_accept", client_uuid="client", amendment_uuid="amendment", get="302 405 405 405 405 405 405 405 405", post="302 400 404 404 403 403 403 403 404"),
    row("clients:amendment_deny", client_uuid="client", amendment_uuid="amendment", get="302 405 405 405 405 405 405 405 405", post="302 400 404 404 403 403 403 403 404"),
    row("clients:amendment_disagreement", client_uuid="client", amendment_uuid="amendment", get="302 405 405 405 405 405 405 405 405", post="302 400 404 404 400 403 403 400 404"),
    # schedule
    row("schedule:day", get="302 403 403 403 200 403 403 200 403"),
    row("schedule:clinician_day", get="302 200 200 200 302 403 403 302 403"),
    row("schedule:book", **C, get="302 200 404 404 200 403 403 200 404", post="302 200 404 404 200 403 403 200 404"),
    row("schedule:no_show", appointment_uuid="appointment", get="302 200 404 404 200 403 403 200 404", post="302 200 404 404 200 403 403 200 404"),
    row("schedule:cancel", appointment_uuid="appointment", get="302 200 404 404 200 403 403 200 404", post="302 200 404 404 200 403 403 200 404"),
    row("schedule:reschedule", appointment_uuid="appointment", get="302 200 404 404 200 403 403 200 404", post="302 200 404 404 200 403 403 200 404"),
    row("schedule:complete", appointment_uuid="appointment", get="302 405 405 405 405 405 405 405 405", post="302 302 404 404 302 403 403 302 404"),
    # week view, recurring series, calendar feeds (issue 14)
    row("schedule:week", get="302 200 200 200 200 403 403 200 403"),
    row("schedule:series_book", **C, get="302 200 404 404 200 403 403 200 404", post="302 200 404 404 200 403 403 200 404"),
    row("schedule:series_change", appointment_uuid="appointment", get="302 200 404 404 200 403 403 200 404", post="302 200 404 404 200 403 403 200 404"),
    row("schedule:feed", get="302 200 200 200 403 403 403 403 403", post="302 302 302 302 403 403 403 403 403"),
    # the feed is read by calendar apps without signing in: the secret token is the key
    row("schedule:feed_ics", token="feed_token", get="200 200 200 200 200 200 200 200 200"),
    # contact notes
    row("contacts:create", **C, get="302 200 404 404 200 403 403 200 404", post="302 200 404 404 200 403 403 200 404"),
    row("contacts:detail", note_uuid="contact_note", get="302 200 404 404 200 200 200 200 404"),
    row("contacts:edit", note_uuid="contact_draft", get="302 200 404 404 404 404 404 404 404", post="302 200 404 404 404 404 404 404 404"),
    row("contacts:sign", note_uuid="contact_draft", get="302 405 405 405 405 405 405 405 405", post="302 302 404 404 404 404 404 404 404"),
    row("contacts:addendum_add", note_uuid="contact_note", get="302 405 405 405 405 405 405 405 405", post="302 400 404 404 403 403 403 403 404"),
    # private process notes: the author only; everyone else 404
    row("psychotherapy:unseal", get="302 302 302 302 200 200 200 200 200", post="302 302 302 302 200 200 200 200 200"),  # clinicians: already unsealed
    row("psychotherapy:list", **C, get="302 200 404 404 404 404 404 404 404"),
    row("psychotherapy:create", **C, get="302 200 404 404 404 404 404 404 404", post="302 200 404 404 404 404 404 404 404"),
    row("psychotherapy:detail", note_uuid="process_note", get="302 200 404 404 404 404 404 404 404"),
    row("psychotherapy:edit", note_uuid="process_note", get="302 200 404 404 404 404 404 404 404", post="302 200 404 404 404 404 404 404 404"),
    row("psychotherapy:delete", note_uuid="process_note", get="302 200 404 404 404 404 404 404 404", post="302 302 404 404 404 404 404 404 404"),
    # progress notes: the care team writes; a draft is its author's alone
    row("notes:worklist", get="302 200 200 200 200 200 200 200 200"),  # own drafts only
    row("notes:create", **C, get="302 200 404 404 403 403 403 403 404", post="302 200 404 404 403 403 403 403 404"),
    row("notes:detail", note_uuid="progress_note", get="302 200 404 404 403 200 200 403 404"),
    row("notes:edit", note_uuid="progress_draft", get="302 200 404 404 404 404 404 404 404", post="302 400 404 404 404 404 404 404 404"),
    row("notes:autosave", note_uuid="progress_draft", get="405 405 405 405 405 405 405 405 405", post="401 400 404 404 404 404 404 404 404"),
    row("notes:sign", note_uuid="progress_draft", get="302 200 404 404 404 404 404 404 404", post="302 302 404 404 404 404 404 404 404"),
    row("notes:discard", note_uuid="progress_draft", get="302 405 405 405 405 405 405 405 405", post="302 302 404 404 404 404 404 404 404"),
    row("notes:cosign", note_uuid="progress_note", get="302 405 405 405 405 405 405 405 405", post="302 403 404 404 403 403 403 403 404"),
    row("notes:addendum_add", note_uuid="progress_note", get="302 405 405 405 405 405 405 405 405", post="302 400 404 404 403 403 403 403 404"),
    # treatment plans: the care team writes, auditors read; never the desk, billers or admins
    row("plans:client", **C, get="302 200 404 404 403 403 200 403 404"),
    row("plans:start", **C, get="302 405 405 405 405 405 405 405 405", post="302 302 404 404 403 403 403 403 404"),
    row("plans:detail", plan_uuid="plan", get="302 200 404 404 403 403 200 403 404"),
    row("plans:edit", plan_uuid="plan_draft", get="302 200 404 404 404 404 404 404 404", post="302 302 404 404 404 404 404 404 404"),
    row("plans:sign", plan_uuid="plan_draft", get="302 200 404 404 404 404 404 404 404", post="302 400 404 404 404 404 404 404 404"),
    row("plans:discard", plan_uuid="plan_draft", get="302 405 405 405 405 405 405 405 405", post="302 302 404 404 404 404 404 404 404"),
    row("plans:cosign", plan_uuid="plan", get="302 405 405 405 405 405 405 405 405", post="302 403 404 404 403 403 403 403 404"),
    # standard measures: clinical content (care team reads and gives; auditors read)
    row("measures:give", **C, instrument="phq9", get="302 200 404 404 403 403 403 403 404", post="302 200 404 404 403 403 403 403 404"),
    row("measures:client_mode_start", **C, instrument="phq9", get="302 405 405 405 405 405 405 405 405", post="302 302 404 404 403 403 403 403 404"),
    row("measures:schedule", **C, get="302 200 404 404 403 403 403 403 404", post="302 200 404 404 403 403 403 403 404"),
    row("measures:schedule_stop", schedule_uuid="measure_schedule", get="302 405 405 405 405 405 405 405 405", post="302 302 404 404 403 403 403 403 404"),
    row("measures:detail", result_uuid="measure_result", get="302 200 404 404 403 403 200 403 404"),
    # client mode answers only inside a locked session (tests/measures/test_client_mode.py)
    row("measures:client_mode", get="302 404 404 404 404 404 404 404 404", post="302 404 404 404 404 404 404 404 404"),
    row("measures:client_mode_exit", get="302 404 404 404 404 404 404 404 404", post="302 404 404 404 404 404 404 404 404"),
    # documents: a job and its files belong to whoever asked (the auditor here)
    row("documents:list", get="302 200 200 200 200 200 200 200 200"),
    row("records:chart_export", get="302 200 403 403 403 403 200 403 403", post="302 200 403 403 403 403 200 403 403"),  # bob/sue: no caseload
    row("contacts:print", note_uuid="contact_note", get="302 405 405 405 405 405 405 405 405", post="302 302 404 404 403 403 302 403 404"),
    row("notes:print", note_uuid="progress_note", get="302 405 405 405 405 405 405 405 405", post="302 302 404 404 403 403 302 403 404"),
    row("documents:job", job_uuid="job", get="302 404 404 404 404 404 200 404 404"),
    row("documents:job_status", job_uuid="job", get="302 404 404 404 404 404 200 404 404"),
    row("documents:download", job_uuid="job", key="job_file", get="302 404 404 404 404 404 200 404 404"),
    # billing: billers only; the maker or a practice admin voids an export
    row("billing:home", get="302 403 403 403 403 200 403 403 403"),
    row("billing:export_start", get="302 405 405 405 405 405 405 405 405", post="302 403 403 403 403 400 403 403 403"),
    row("billing:export", export_uuid="billing_export", get="302 404 404 404 404 200 404 200 404"),  # ada: to void it
    row("billing:export_void", export_uuid="billing_export", get="302 405 405 405 405 405 405 405 405", post="302 404 404 404 404 400 404 400 404"),
    row("billing:export_redo", export_uuid="billing_export", get="302 405 405 405 405 405 405 405 405", post="302 404 404 404 404 302 404 403 404"),
]
# fmt: on
