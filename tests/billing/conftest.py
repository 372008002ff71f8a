from __future__ import annotations

import pytest

from tests.documents.conftest import make_contact_note  # noqa: F401 (a shared fixture)


@pytest.fixture(autouse=True)
def _documents(documents_settings):
    return documents_settings
