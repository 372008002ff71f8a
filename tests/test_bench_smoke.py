"""The benchmark scripts of issue 18 run end to end at a tiny scale.

No time is asserted (CI machines are shared and noisy): this proves that
``scripts/bench-data`` generates a consistent practice (the audit chain of the
generated events verifies) and that ``bench/run`` measures every row and
prints its table. It uses a database of its own next to the test database.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.bench, pytest.mark.postgres]


def test_bench_data_and_run_at_a_tiny_scale():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("the bench needs PostgreSQL")
    parsed = urlparse(url)
    bench_url = parsed._replace(path=f"/ehr_bench_smoke_{parsed.path.lstrip('/')}").geturl()
    port = str(18000 + os.getpid() % 1000)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.runner",
            "--database-url",
            bench_url,
            "--scale",
            "0.005",
            "--regenerate",
            "--repeat",
            "1",
            "--seconds",
            "1",
            "--skip-big-pdf",
            "--pdf-max-notes",
            "3",
            "--port",
            port,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = done.stdout
    # 0: every target held; 1: some missed. Anything else is a crash.
    assert done.returncode in (0, 1), done.stderr[-3000:]
    assert "| what | measured | baseline | ratio | target | status |" in out
    for row in (
        "minimal signed-in page",
        "chart, typical client",
        "caseload",
        "client search",
        "billing landing page",
        "billing export, one month",
        "signed chart PDF, 3 notes",
        "throughput, 2 gunicorn workers",
        "audit write",
        "process-note list",
    ):
        assert row in out, out
    assert "events | " in out and "| intact | OK |" in out, out
