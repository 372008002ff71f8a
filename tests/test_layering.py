"""The house's layering (docs/architecture.md), checked by walking the imports.

import-linter builds the import graph of every project package (function-level
imports included, so a local import that dodges a cycle is caught too) and
checks the contracts in ``.importlinter``: the foundation imports no feature,
and each app is imported only by the apps above it.
"""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings
from importlinter.api import read_configuration
from importlinter.cli import lint_imports

ROOT = Path(settings.BASE_DIR)
CONFIG = str(ROOT / ".importlinter")
TOP_LEVEL = ("practice", "clients", "notes", "contacts", "billing", "demo")


def _contracts() -> list[dict]:
    return read_configuration(CONFIG)["contracts_options"]


def test_the_import_contracts_hold(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=CONFIG, no_cache=True, no_logo=True) == 0


def test_every_project_app_is_placed_in_the_house():
    """A new app must say where it sits: it is protected by a contract of its
    own (only the apps above it may import it), or it is the foundation."""
    protected = set()
    for contract in _contracts():
        if contract["type"] == "protected":
            protected.update(contract["protected_modules"])
    project_apps = {
        config.name
        for config in apps.get_app_configs()
        if config.name.split(".")[0] in TOP_LEVEL and not config.name.startswith("practice")
    }
    assert project_apps, "no project apps found"
    assert project_apps - protected == set()


def test_the_foundation_may_import_no_feature():
    foundation = [c for c in _contracts() if c["type"] == "forbidden"]
    assert len(foundation) == 1
    assert foundation[0]["source_modules"] == ["practice"]
    assert set(foundation[0]["forbidden_modules"]) == set(TOP_LEVEL) - {"practice"}
