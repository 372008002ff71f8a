from __future__ import annotations

import pytest

from tests.factories import contact_note


@pytest.fixture(autouse=True)
def _documents(documents_settings):
    return documents_settings


@pytest.fixture
def make_contact_note(client_record):
    """make_contact_note(author, sign=True, ...) through the real contacts service."""

    def _make(author, **kw):
        return contact_note(kw.pop("client", client_record), author, **kw)

    return _make
