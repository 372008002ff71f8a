"""Helpers for document tests: run jobs, read PDFs."""

from __future__ import annotations

import subprocess
from pathlib import Path

from django.conf import settings

from practice.documents.models import DocumentJob


def job_bytes(job: DocumentJob, key: str = "pdf") -> bytes:
    job.refresh_from_db()
    return (Path(settings.PRIVATE_FILES_DIR) / job.files[key]["path"]).read_bytes()


def pdf_pages(data: bytes, tmp_path: Path) -> list[str]:
    """The text of each page (pdftotext from poppler-utils)."""
    source = tmp_path / "doc.pdf"
    source.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(source), "-"], check=True, capture_output=True
    ).stdout.decode("utf-8")
    return [page for page in text.split("\f") if page.strip()]


def tamper(data: bytes) -> bytes:
    """Change one byte inside the signed content (not in the signature itself)."""
    changed = bytearray(data)
    # A byte inside the first content stream: the file still parses, but the
    # signed byte range no longer hashes to the signed digest.
    index = data.index(b"stream", data.index(b"/Length")) + 20
    changed[index] = (changed[index] + 1) % 256
    return bytes(changed)
