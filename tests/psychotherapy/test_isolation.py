"""The store stays out of everything else: the chart's record set, exports,
billing, the admin site, client search, error reports."""

import ast
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.core.signals import got_request_exception
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.views.debug import ExceptionReporter

from notes.psychotherapy.models import ProcessNote
from tests.psychotherapy.conftest import SECRET

pytestmark = pytest.mark.django_db

ROOT = Path(django_settings.BASE_DIR)
STORE_TABLES = ("psychotherapy_processnote",)


# --- Static: no code path outside the store imports it -----------------------


def _python_files(*top_dirs):
    for top in top_dirs:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith("notes/psychotherapy/"):
                continue
            yield rel, path


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_billing_notes_and_other_apps_never_import_the_store():
    offenders = []
    checked = 0
    for rel, path in _python_files("billing", "notes", "contacts", "clients", "practice"):
        checked += 1
        imports = _imported_modules(path)
        if any(m == "notes.psychotherapy" or m.startswith("notes.psychotherapy.") for m in imports):
            offenders.append(rel)
        if "psychotherapy" in imports or any(
            m.startswith("notes.") and m.endswith("psychotherapy") for m in imports
        ):
            offenders.append(rel)
    assert checked > 20
    assert offenders == []


# Where the store's dotted name may appear as text outside its own package.
ALLOWED_MENTIONS = {
    "practice/settings.py": {'"notes.psychotherapy"'},
    "practice/urls.py": {'include("notes.psychotherapy.urls")'},
}


def test_only_the_chart_provider_list_and_project_wiring_name_the_store():
    unexpected = []
    for rel, path in _python_files("billing", "notes", "contacts", "clients", "practice"):
        source = path.read_text()
        for needle in ("notes.psychotherapy", "ProcessNote", "processnote", "PROCESS_NOTES"):
            if needle not in source:
                continue
            allowed = ALLOWED_MENTIONS.get(rel, set())
            lines = [line.strip() for line in source.splitlines() if needle in line]
            for line in lines:
                if rel == "practice/settings.py" and needle == "PROCESS_NOTES":
                    continue  # the key setting itself
                if not any(fragment in line for fragment in allowed):
                    unexpected.append((rel, line))
    assert unexpected == []
    # The chart page's section list does not name the store either: the store
    # registers its section with notes (notes.chart.register_section).
    chart_source = (ROOT / "clients/records/chart.py").read_text()
    assert "psychotherapy" not in chart_source


# --- Runtime: pages of other people never query the store -------------------


def _queried_tables(http, url):
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(url)
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    return response, sql


@pytest.mark.parametrize("who", ["fran", "bill", "audrey", "ada"])
def test_the_chart_for_other_roles_never_touches_the_store(people, note, login, who):
    response, sql = _queried_tables(
        login(people[who]), reverse("records:chart", args=[note.client.uuid])
    )
    assert response.status_code == 200
    for table in STORE_TABLES:
        assert table not in sql
    assert b"process note" not in response.content.lower()
    assert b"Lorenzo" not in response.content


def test_the_authors_chart_shows_count_and_links_but_never_text(alice, note, login):
    response = login(alice).get(reverse("records:chart", args=[note.client.uuid]))
    body = response.content.decode()
    assert "Private process notes" in body
    assert "private-zone" in body
    assert "Private — only you can see this" in body
    assert "You have 1 process note about this client." in body
    assert reverse("psychotherapy:detail", args=[note.uuid]) in body
    assert "Lorenzo" not in body


def test_client_search_never_touches_the_store(alice, note, login):
    response, sql = _queried_tables(login(alice), reverse("clients:list") + "?q=Lorenzo")
    assert response.status_code == 200
    assert "psychotherapy" not in sql
    assert str(note.client.uuid) not in response.content.decode()


def test_the_clients_audit_trail_shows_that_reads_happened_not_what_was_read(
    alice, audrey, note, login
):
    login(alice).get(reverse("psychotherapy:detail", args=[note.uuid]))
    response = login(audrey).get(reverse("clients:audit", args=[note.client.uuid]))
    assert response.status_code == 200
    assert b"Lorenzo" not in response.content


# --- The admin site -----------------------------------------------------------


def test_no_store_model_is_registered_in_the_admin():
    labels = {model._meta.app_label for model in admin.site._registry}
    assert "psychotherapy" not in labels
    assert ProcessNote not in admin.site._registry


def test_a_superuser_cannot_reach_process_notes_through_the_admin(root, note, login):
    http = login(root)
    index = http.get("/operator/")
    assert index.status_code == 200
    assert b"psychotherapy" not in index.content.lower()
    assert b"process" not in index.content.lower()
    for url in (
        "/operator/psychotherapy/",
        "/operator/psychotherapy/processnote/",
        f"/operator/psychotherapy/processnote/{note.pk}/change/",
        "/operator/psychotherapy/processnoteuserobjectpermission/",
    ):
        assert http.get(url).status_code == 404, url
    # The audit trail the operator can browse holds ids, never the text.
    audit_list = http.get("/operator/practice/auditevent/")
    assert audit_list.status_code == 200
    assert str(note.uuid).encode() in audit_list.content
    assert b"Lorenzo" not in audit_list.content
    assert b"0 results" in http.get("/operator/practice/auditevent/?q=Lorenzo").content
    # The generic object-lookup shortcut cannot open it either.
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(ProcessNote)
    shortcut = http.get(f"/operator/r/{ct.pk}/{note.pk}/")
    assert shortcut.status_code in (302, 404)
    if shortcut.status_code == 302:
        assert "/operator/" not in shortcut.url and "psychotherapy" not in shortcut.url


# --- Error reports (DEBUG off) -----------------------------------------------


def test_an_error_while_saving_leaves_the_text_out_of_the_error_report(
    alice, client_record, login, settings, monkeypatch
):
    settings.DEBUG = False
    caught = []

    def keep(sender, request, **kwargs):
        caught.append((request, sys.exc_info()))

    def explode(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("notes.psychotherapy.services.assign_perm", explode)
    got_request_exception.connect(keep)
    try:
        http = login(alice)
        http.raise_request_exception = False
        response = http.post(
            reverse("psychotherapy:create", args=[client_record.uuid]), {"text": SECRET}
        )
    finally:
        got_request_exception.disconnect(keep)
    assert response.status_code == 500
    assert b"Lorenzo" not in response.content
    assert not ProcessNote.objects.exists()
    request, exc_info = caught[0]
    reporter = ExceptionReporter(request, *exc_info)
    assert "Lorenzo" not in reporter.get_traceback_text()
    assert "Lorenzo" not in reporter.get_traceback_html()
    assert "database went away" in reporter.get_traceback_text()  # the report itself works
