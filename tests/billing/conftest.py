from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _documents(documents_settings):
    return documents_settings
