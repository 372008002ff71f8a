"""Measure the bench practice (``scripts/bench-data``) against same-run baselines.

Every row is a ratio against a baseline measured in the same run on the same
machine, because the machine is shared and noisy: the pages against a minimal
signed-in page, the billing export against PostgreSQL ``COPY`` of the same
rows, the chart PDF against WeasyPrint alone on the same HTML. A row whose
target is missed makes the command exit 1. Memory-hungry work (exports, PDFs,
chain verification) runs in a child process of its own so its peak RSS is its
own. Run it through ``bench/run``; docs/performance.md explains the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench.audit_write import use_bench_audit_files
from bench.data import BIG_CLIENT_MRN, DEFAULT_DATABASE_URL

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


class Rollback(Exception):
    """Raised to undo a measured export, so the bench data can be measured again."""


@dataclass
class Row:
    what: str
    measured: str
    baseline: str = ""
    ratio: float | None = None
    target: str = ""
    ok: bool | None = None  # None: no target (information) or pending
    notes: list[str] = field(default_factory=list)

    def status(self) -> str:
        if self.ok is None:
            return "info" if self.measured != "pending" else "pending"
        return "OK" if self.ok else "MISS"


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM). Not ``ru_maxrss``: Linux keeps that
    across ``execve``, so a child would report its parent's peak."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django(database_url: str) -> None:
    use_bench_audit_files(database_url)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
    import django

    django.setup()


# -- pages --------------------------------------------------------------------


def signed_in(username: str):
    """A test client signed in as ``username`` with the second factor passed."""
    from django.test import Client as HttpClient
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from practice.models import User

    user = User.objects.get(username=username)
    http = HttpClient(HTTP_HOST=HOST)
    http.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="Bench authenticator", defaults={"confirmed": True}
    )
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return http


def time_page(http, url: str, repeat: int) -> tuple[float, int, int]:
    """(median ms, queries of the last request, status) over ``repeat`` GETs after a warm-up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = http.get(url)
    times = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = http.get(url)
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    return statistics.median(times), queries, response.status_code


def subjects() -> dict:
    """The people and clients the measurements use."""
    from django.db.models import Count

    from clients.models import CareTeamMember, CareTeamRole, Client

    big = Client.objects.get(mrn=BIG_CLIENT_MRN)
    typical = (
        Client.objects.exclude(pk=big.pk)
        .annotate(n=Count("progress_notes"))
        .filter(n__gte=1)
        .order_by("-n", "pk")
        .first()
    )
    heavy = (
        CareTeamMember.objects.values("clinician__username")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )

    def primary(client):
        return (
            CareTeamMember.objects.filter(client=client, role=CareTeamRole.PRIMARY)
            .select_related("clinician")
            .get()
            .clinician
        )

    return {
        "big": big,
        "big_author": primary(big).username,
        "typical": typical,
        "typical_notes": typical.n,
        "typical_author": primary(typical).username,
        "caseload_user": heavy["clinician__username"],
        "caseload_size": heavy["n"],
    }


def page_rows(repeat: int, s: dict) -> tuple[list[Row], float]:
    from billing.selectors import last_month
    from practice.models import User

    rows = []
    minimal_ms, minimal_q, status = time_page(signed_in("bench-idle"), "/clients/caseload/", repeat)
    rows.append(
        Row(
            "minimal signed-in page (empty caseload)",
            f"{minimal_ms:.0f} ms, {minimal_q} queries",
            target="baseline",
        )
    )

    def page(what, user, url, target, limit, queries_note=""):
        ms, q, code = time_page(signed_in(user), url, repeat)
        ratio = ms / minimal_ms
        row = Row(
            what,
            f"{ms:.0f} ms, {q} queries",
            f"{minimal_ms:.0f} ms",
            ratio,
            f"<= {limit}x",
            ratio <= limit and code == 200,
        )
        if code != 200:
            row.notes.append(f"HTTP {code}")
        return row, q

    big_row, big_q = page(
        f"chart, {s['big'].progress_notes.count()}-note client",
        s["big_author"],
        f"/clients/{s['big'].uuid}/",
        "",
        2,
    )
    typical_row, typical_q = page(
        f"chart, typical client ({s['typical_notes']} notes)",
        s["typical_author"],
        f"/clients/{s['typical'].uuid}/",
        "",
        1.5,
    )
    if big_q != typical_q:
        big_row.ok = False
        big_row.notes.append(f"queries not constant: {big_q} vs {typical_q}")
    rows += [big_row, typical_row]
    rows.append(
        page(
            f"caseload, {s['caseload_size']} clients",
            s["caseload_user"],
            "/clients/caseload/",
            "",
            2,
        )[0]
    )
    last = User.objects.get(username=s["big_author"]).last_name
    rows.append(
        page(
            "client search, clinician",
            s["big_author"],
            f"/clients/?q={last[:3].lower()}",
            "",
            2,
        )[0]
    )
    start, end = last_month()
    author = User.objects.get(username=s["big_author"])
    rows.append(
        page(
            "billing landing page, one clinician's month",
            "bench-biller",
            f"/billing/?start={start}&end={end}&clinician={author.uuid}",
            "",
            2,
        )[0]
    )
    whole = page(
        "billing landing page, whole practice's month",
        "bench-biller",
        f"/billing/?start={start}&end={end}",
        "",
        2,
    )[0]
    whole.ok = None  # information: the target is for one clinician
    whole.target = ""
    rows.append(whole)
    return rows, minimal_ms


# -- child processes (own peak memory) ----------------------------------------


def child(name: str, database_url: str, *extra: str, timeout: int = 3600) -> dict:
    cmd = [sys.executable, "-m", "bench.runner", "--database-url", database_url, "--child", name]
    done = subprocess.run(  # noqa: S603 (our own module, fixed arguments)
        cmd + list(extra), cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def child_billing_export() -> dict:
    """The whole practice's last month, made and rolled back; then COPY of the same rows
    (after, so the export's peak memory is measured before anything else ran)."""
    from django.db import connection, transaction

    from billing import selectors, services
    from billing.services import BILLING_EXPORT
    from practice.documents.models import DocumentJob
    from practice.models import User

    start, end = selectors.last_month()
    period = selectors.Period(start=start, end=end)
    sessions = selectors.billable_sessions(period).values_list(
        "bill_minutes",
        "bill_fee",
        "units",
        "cpt_code",
        "diagnoses",
        "place_of_service",
        "service_date",
        "uuid",
        "client__mrn",
        "client__legal_first_name",
        "client__legal_last_name",
        "client__date_of_birth",
        "author__first_name",
        "author__last_name",
        "author__credentials",
        "author__npi",
    )
    contacts = selectors.billable_contacts(period).values_list(
        "contact_at",
        "minutes",
        "reason",
        "means",
        "uuid",
        "client__mrn",
        "client__legal_first_name",
        "client__legal_last_name",
        "author__first_name",
        "author__last_name",
        "author__credentials",
    )
    biller = User.objects.get(username="bench-biller")
    before = rss_mb()
    started = time.perf_counter()
    sizes = {}
    try:
        with transaction.atomic():
            job = DocumentJob.objects.create(
                kind=BILLING_EXPORT,
                requested_by=biller,
                params={"start": start.isoformat(), "end": end.isoformat()},
            )
            outputs = services.build_billing_export_files(job, lambda percent: None)
            sizes = {o.key: len(o.data) for o in outputs}
            raise Rollback
    except Rollback:
        pass
    export_s = time.perf_counter() - started
    growth = peak_rss_mb() - before
    # Baseline: PostgreSQL writing the same rows as CSV, with the same joins.
    copy_started = time.perf_counter()
    copied = 0
    with connection.cursor() as cursor:
        for qs in (sessions, contacts):
            sql, params = qs.query.sql_with_params()
            sql = cursor.mogrify(sql, params)
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH CSV") as copy:
                for chunk in copy:
                    copied += len(chunk)
    copy_s = time.perf_counter() - copy_started
    counts = (sessions.count(), contacts.count())

    return {
        "export_s": export_s,
        "copy_s": copy_s,
        "copy_bytes": copied,
        "sessions": counts[0],
        "contacts": counts[1],
        "rss_growth_mb": growth,
        "sizes": sizes,
    }


def _chart_job(client, username, max_notes: int = 0):
    from clients.records.chart_export import CHART_EXPORT
    from practice.documents.models import DocumentJob
    from practice.models import User

    days = list(
        client.progress_notes.order_by("service_date").values_list("service_date", flat=True)
    )
    if max_notes:
        days = days[:max_notes]
    first, last = days[0], days[-1]
    return DocumentJob(
        kind=CHART_EXPORT,
        requested_by=User.objects.get(username=username),
        client_uuid=client.uuid,
        params={"start": first.isoformat(), "end": last.isoformat()},
    )


def _pages(data: bytes) -> int:
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    return int(PdfFileReader(BytesIO(data)).root["/Pages"]["/Count"])


def child_chart_pdf(mrn: str, with_baseline: str, max_notes: str = "0") -> dict:
    """A signed chart export; optionally WeasyPrint alone on the same HTML."""
    from clients.models import Client

    client = Client.objects.get(mrn=mrn)
    job = _chart_job(client, "bench-auditor", int(max_notes))
    job.save()
    job.refresh_from_db()
    before = rss_mb()
    started = time.perf_counter()
    outputs = _build_chart_export(job)
    total_s = time.perf_counter() - started
    pdf_bytes = outputs[0].data
    result = {
        "notes": client.progress_notes.filter(
            service_date__gte=job.params["start"], service_date__lte=job.params["end"]
        ).count(),
        "total_s": total_s,
        "pages": _pages(pdf_bytes),
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_mb": before,
    }
    job.delete()
    if with_baseline == "yes":
        result["weasyprint_s"] = _weasyprint_alone(client, job)
    return result


def _build_chart_export(job):
    from practice.documents.jobs import _builder

    return _builder(job.kind)(job, lambda percent: None)


def _weasyprint_alone(client, job) -> float:
    """WeasyPrint on the export's own HTML, no queries, no signature (the floor).

    The HTML pieces are rendered first (outside the clock); then only
    WeasyPrint's layout and PDF writing are timed.
    """
    from importlib import import_module

    from weasyprint import CSS, HTML

    from practice.documents import pdf

    pieces = _export_html(client, job)
    extra = getattr(import_module(_builder_module(job)), "COMPACT_CSS", "")
    sheets = [CSS(filename=str(pdf.PDF_CSS))] + ([CSS(string=extra)] if extra else [])
    started = time.perf_counter()
    for html in pieces:
        HTML(string=html, url_fetcher=pdf._refuse_fetch, base_url=None).write_pdf(
            stylesheets=sheets
        )
    return time.perf_counter() - started


def _export_html(client, job) -> list[str]:
    """The HTML the chart export renders, as the documents it is made of."""
    from importlib import import_module


    module = import_module(_builder_module(job))
    return list(module.chart_export_html(job))


def _builder_module(job) -> str:
    from practice.documents import registry

    return registry.get(job.kind).builder.__module__


def child_verify_chain() -> dict:
    from practice.audit import verify_chain

    started = time.perf_counter()
    checked, bad, reason = verify_chain()
    return {
        "events": checked,
        "intact": bad is None,
        "reason": reason,
        "s": time.perf_counter() - started,
        "peak_rss_mb": peak_rss_mb(),
    }


def child_process_notes() -> dict:
    """Decrypting an author's process-note list versus reading plaintext rows of the size."""
    from django.db.models import Count

    from notes.models import ProgressNote
    from notes.psychotherapy import crypto
    from notes.psychotherapy.models import ProcessNote

    author = (
        ProcessNote.objects.values("author")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["author"]
    )
    limit = 50

    def encrypted():
        rows = list(
            ProcessNote.objects.filter(author_id=author)
            .order_by("-created_at")
            .values_list("ciphertext", "key_id")[:limit]
        )
        return [crypto.decrypt(token, key_id) for token, key_id in rows]

    def plain():
        return list(
            ProgressNote.objects.filter(author_id=author)
            .order_by("-service_date")
            .values_list("subjective", flat=True)[:limit]
        )

    def median(fn):
        fn()
        times = []
        for _ in range(15):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000

    return {"rows": limit, "encrypted_ms": median(encrypted), "plain_ms": median(plain)}


CHILDREN = {
    "billing-export": child_billing_export,
    "chart-pdf": child_chart_pdf,
    "verify-chain": child_verify_chain,
    "process-notes": child_process_notes,
}


# -- throughput ---------------------------------------------------------------


def session_cookie(username: str) -> str:
    from django.conf import settings

    http = signed_in(username)
    return f"{settings.SESSION_COOKIE_NAME}={http.cookies[settings.SESSION_COOKIE_NAME].value}"


def throughput(database_url: str, port: int, seconds: float, s: dict) -> Row:
    """Requests per second with 2 gunicorn workers: the heavy chart against the minimal page."""
    env = {**os.environ, "DATABASE_URL": database_url}
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "practice.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            "2",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        base = f"http://{HOST}:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/accounts/login/", timeout=2)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        heavy = _rate(f"{base}/clients/{s['big'].uuid}/", session_cookie(s["big_author"]), seconds)
        minimal = _rate(f"{base}/clients/caseload/", session_cookie("bench-idle"), seconds)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    ratio = heavy / minimal if minimal else 0.0
    return Row(
        "throughput, 2 gunicorn workers (heavy chart)",
        f"{heavy:.1f} req/s",
        f"{minimal:.1f} req/s minimal",
        ratio,
        ">= 0.5x",
        ratio >= 0.5,
    )


def _rate(url: str, cookie: str, seconds: float, clients: int = 4, cap: int = 2000) -> float:
    """Completed 200 responses per second from ``clients`` threads for ``seconds`` (bounded)."""
    done = []
    errors = []
    stop = time.perf_counter() + seconds

    def worker():
        count = 0
        while time.perf_counter() < stop and count < cap:
            request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                    response.read()
                    if response.status == 200 and response.url == url:
                        count += 1
                    else:
                        errors.append(response.status)
                        return
            except OSError as exc:
                errors.append(str(exc))
                return
        done.append(count)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"throughput requests failed: {errors[:3]}")
    return sum(done) / (time.perf_counter() - started)


# -- the run ------------------------------------------------------------------


def ensure_data(args) -> None:
    """(Re)generate the bench database when it was made at another scale (or never)."""
    from urllib.parse import urlparse

    name = urlparse(args.database_url).path.lstrip("/")
    marker = ROOT / "var" / f"{name}.json"
    made = json.loads(marker.read_text()) if marker.exists() else {}
    if args.scale is None:
        if not made:
            raise SystemExit(f"no bench data in {name}: run scripts/bench-data or pass --scale")
        args.scale = made["scale"]
        return
    if made.get("scale") == args.scale and not args.regenerate:
        print(f"reusing {name} (scale {args.scale}, made {made.get('at')})", flush=True)
        return
    done = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "bench.data",
            "--scale",
            str(args.scale),
            "--database-url",
            args.database_url,
        ],
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise SystemExit("bench data generation failed")


def run(args) -> int:
    ensure_data(args)
    setup_django(args.database_url)
    from django.conf import settings
    from django.db import connection

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    from django.core.management import call_command

    # The chart PDF is signed: a bench machine gets a self-signed practice certificate.
    call_command("make_practice_certificate", "--if-missing", verbosity=0)
    started = time.perf_counter()
    s = subjects()
    print(
        f"bench run on {connection.settings_dict['NAME']} (scale {args.scale}), "
        f"{os.cpu_count()} cores",
        flush=True,
    )
    rows, minimal_ms = page_rows(args.repeat, s)
    print("  pages measured", flush=True)

    export = child("billing-export", args.database_url)
    ratio = export["export_s"] / export["copy_s"]
    rows.append(
        Row(
            f"billing export, one month ({export['sessions']} sessions, "
            f"{export['contacts']} contacts)",
            f"{export['export_s']:.2f} s, RSS +{export['rss_growth_mb']:.0f} MB",
            f"COPY {export['copy_s']:.2f} s",
            ratio,
            "<= 3x COPY; RSS +<= 100 MB",
            ratio <= 3 and export["rss_growth_mb"] <= 100,
        )
    )
    print("  billing export measured", flush=True)

    typical = child(
        "chart-pdf", args.database_url, s["typical"].mrn, "yes", str(args.pdf_max_notes)
    )
    ratio = typical["total_s"] / typical["weasyprint_s"]
    rows.append(
        Row(
            f"signed chart PDF, {typical['notes']} notes",
            f"{typical['total_s']:.1f} s, {typical['pages']} pages, "
            f"peak {typical['peak_rss_mb']:.0f} MB",
            f"WeasyPrint {typical['weasyprint_s']:.1f} s",
            ratio,
            "<= 1.2x",
            ratio <= 1.2,
        )
    )
    print("  typical chart PDF measured", flush=True)
    if args.skip_big_pdf:
        rows.append(Row("signed chart PDF, long chart", "skipped (--skip-big-pdf)"))
    else:
        big = child("chart-pdf", args.database_url, s["big"].mrn, "no")
        rows.append(
            Row(
                f"signed chart PDF, {big['notes']}-note client",
                f"{big['total_s']:.1f} s, {big['pages']} pages "
                f"({big['pages'] / big['notes']:.2f}/note)",
                "",
                None,
                "peak RSS <= 300 MB",
                big["peak_rss_mb"] <= 300,
                [f"peak RSS {big['peak_rss_mb']:.0f} MB"],
            )
        )
        print("  long chart PDF measured", flush=True)

    rows.append(throughput(args.database_url, args.port, args.seconds, s))
    print("  throughput measured", flush=True)

    audit_write = ROOT / "bench" / "audit_write.py"
    if audit_write.exists():
        done = subprocess.run(  # noqa: S603
            [
                sys.executable,
                "-m",
                "bench.audit_write",
                "--database-url",
                args.database_url,
                "--events",
                str(2000 if args.scale >= 0.1 else 100),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        last = (done.stdout.strip().splitlines() or ["no output"])[-1]
        rows.append(
            Row(
                "audit write, 4 writers vs 1",
                last,
                target="see bench/audit_write.py",
                ok=done.returncode == 0,
            )
        )
    else:
        rows.append(Row("audit write, 4 writers vs 1", "pending", target=">= 3x one writer"))

    chain = child("verify-chain", args.database_url)
    rows.append(
        Row(
            f"verify_audit_chain, {chain['events']} events",
            f"{chain['s']:.1f} s, peak {chain['peak_rss_mb']:.0f} MB",
            target="intact",
            ok=chain["intact"],
            notes=[chain["reason"]] if chain["reason"] else [],
        )
    )
    notes = child("process-notes", args.database_url)
    rows.append(
        Row(
            f"process-note list, {notes['rows']} rows decrypted",
            f"{notes['encrypted_ms']:.1f} ms",
            f"{notes['plain_ms']:.1f} ms plaintext",
            notes["encrypted_ms"] / notes["plain_ms"],
        )
    )
    rows.append(Row("whole-practice EHI export", "pending", target="(not built yet)"))

    print_table(rows)
    print(f"\nbench run took {time.perf_counter() - started:.0f} s")
    missed = [r for r in rows if r.ok is False]
    return 1 if missed else 0


def print_table(rows: list[Row]) -> None:
    print()
    print("| what | measured | baseline | ratio | target | status |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else ""
        measured = r.measured + (f" ({'; '.join(r.notes)})" if r.notes else "")
        print(f"| {r.what} | {measured} | {r.baseline} | {ratio} | {r.target} | {r.status()} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument(
        "--scale", type=float, help="generate the data at this scale first, unless it is already"
    )
    parser.add_argument("--regenerate", action="store_true", help="generate even if present")
    parser.add_argument("--repeat", type=int, default=15, help="GETs per page (median)")
    parser.add_argument("--seconds", type=float, default=8, help="per throughput loop")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8060")))
    parser.add_argument("--skip-big-pdf", action="store_true")
    parser.add_argument(
        "--pdf-max-notes", type=int, default=0, help="cap the typical chart PDF (smoke runs)"
    )
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("child_args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        setup_django(args.database_url)
        print(json.dumps(CHILDREN[args.child](*args.child_args)))
        return 0
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
