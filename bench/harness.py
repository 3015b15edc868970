"""Shared pieces of the HTTP benchmarks: a store loaded with every full list, a server on loopback, a client.

The store is prepared once per database (SQLite file under bench/.data, or a PostgreSQL database
`screening_bench` on the local server) and reused while its lists are current.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from service.config import Settings
from service.db import make_engine, upgrade
from service.metrics import get_metrics
from service.sources.catalogue import load_catalogue
from service.sources.ingest import IngestOptions, ingest_files
from service.sources.parsers import SourceFile

REPO = Path(__file__).resolve().parent.parent
LISTS_DATA = Path(os.environ.get("SCREENING_TEST_LISTS_DATA", REPO.parent / "shared" / "lists-data"))
BENCH_DATA = REPO / "bench" / ".data"
POSTGRES_ADMIN_URL = os.environ.get("SCREENING_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

# Every full list in ../shared/lists-data (excerpts and samples left out): source, format, files.
FULL_LISTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "us_ofac_sdn",
        "ofac_csv",
        ("ofac_sdn/sdn.csv", "ofac_sdn/alt.csv", "ofac_sdn/add.csv", "ofac_sdn/sdn_comments.csv"),
    ),
    (
        "us_ofac_cons",
        "ofac_csv",
        tuple(
            f"ofac_consolidated_non_sdn/{name}"
            for name in ("cons_prim.csv", "cons_alt.csv", "cons_add.csv", "cons_comments.csv")
        ),
    ),
    ("us_trade_csl", "us_csl_csv", ("us_csl/consolidated.csv",)),
    ("us_bis_dpl", "bis_dpl_txt", ("bis_dpl/dpl.txt",)),
    ("un_sc_sanctions", "un_xml", ("un_consolidated/consolidated.xml",)),
    ("gb_hmt_sanctions", "uk_conlist", ("uk_ofsi_conlist/ConList_2025-04-10.xlsx",)),
    ("gb_fcdo_sanctions", "uk_sanctions_list", ("uk_sanctions_list_fcdo/FCDO_SL_2025-08-11_summary.ods",)),
    ("ca_dfatd_sema", "ca_sema_xml", ("canada_sema/sema-lmes.xml",)),
    ("au_dfat_sanctions", "au_dfat_xlsx", ("australia_dfat/regulation8_consolidated.xlsx",)),
)


def database_url(kind: str) -> str:
    if kind == "sqlite":
        BENCH_DATA.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{BENCH_DATA / 'bench.db'}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = 'screening_bench'")).first()
        if not exists:
            connection.execute(text("CREATE DATABASE screening_bench"))
    admin.dispose()
    return make_url(POSTGRES_ADMIN_URL).set(database="screening_bench").render_as_string(hide_password=False)


@dataclass(slots=True)
class IngestTiming:
    source: str
    status: str
    records: int
    seconds: float


def ingest_full_lists(
    url: str, *, force: bool = False, lists: tuple[tuple[str, str, tuple[str, ...]], ...] = FULL_LISTS
) -> list[IngestTiming]:
    """Load every full list (or `lists`) into the store at `url` (unchanged lists cost only their hash)."""
    settings = Settings(database_url=url)
    engine = make_engine(url)
    upgrade(engine)
    catalogue = load_catalogue(settings.lists_dir)
    timings = []
    for source_id, format_id, names in lists:
        files = [SourceFile(Path(name).name, (LISTS_DATA / name).read_bytes()) for name in names]
        started = time.perf_counter()
        outcome = ingest_files(
            engine=engine,
            source=catalogue.get(source_id),
            files=files,
            origin="bench",
            options=IngestOptions(format=format_id, force=force, max_shrink_fraction=1.0),
            metrics=get_metrics(),
        )
        timings.append(IngestTiming(source_id, outcome.status, outcome.record_count, time.perf_counter() - started))
    engine.dispose()
    return timings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# The server runs as the Helm chart deploys it: a (static) API key required, one JSON access-log line per request.
BENCH_API_KEY = "bench-" + secrets.token_urlsafe(24)


# The process of each running server, by base URL: what `largest_rss_mib` measures.
_SERVER_PIDS: dict[str, int] = {}


def _server_pids(base: str) -> list[int]:
    """The server process at `base` and the workers it started."""
    parent = _SERVER_PIDS[base]
    pids = [parent]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == parent:  # the parent pid, the 4th field of /proc/PID/stat
                pids.append(int(stat.parent.name))
    return pids


def largest_rss_mib(base: str) -> float:
    """The resident memory of the largest process of the server at `base`: the worker itself with one worker,
    else the largest of the workers uvicorn started (a replica's figure, as the pod's limit sees it per process)."""
    largest = 0
    for pid in _server_pids(base):
        with contextlib.suppress(OSError):
            largest = max(largest, int(Path(f"/proc/{pid}/statm").read_text().split()[1]))
    return largest * os.sysconf("SC_PAGE_SIZE") / 2**20


def server_cpu_seconds(base: str) -> float:
    """The CPU time (user and system) the server at `base` and its workers have used so far.

    Taken before and after a load, it gives the CPU each request costs: unlike requests per second, a
    figure that idle cores, the client's share of them and a noisy virtual machine barely move.
    """
    ticks = 0
    for pid in _server_pids(base):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime and stime, the 14th and 15th fields
    return ticks / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def running_server(url: str, *, workers: int, timeout: float = 180.0) -> Iterator[str]:
    """`screening serve` on loopback against the store at `url`; yields the base URL once ready."""
    port = free_port()
    env = {
        **os.environ,
        "SCREENING_DATABASE_URL": url,
        "SCREENING_DATA_DIR": str(BENCH_DATA),
        "SCREENING_LOG_LEVEL": "INFO",
        "SCREENING_LOG_JSON": "true",
        "SCREENING_API_KEYS": f"bench:screen:{BENCH_API_KEY}",
    }
    BENCH_DATA.mkdir(parents=True, exist_ok=True)
    log_path = BENCH_DATA / "server.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "service.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,  # a file, not a pipe: nobody reads the log while the benchmark runs
    )
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        deadline = started + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {log_path.read_text(errors='replace')[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("server did not become ready in time")
            time.sleep(0.2)
        if workers > 1:
            # /readyz answered from the first worker up; the others build their index at the same pace.
            # Connections opened before they are up would all stay with the first one (keep-alive).
            time.sleep(max(time.monotonic() - started, 1.0))
        _SERVER_PIDS[base] = process.pid
        yield base
    finally:
        _SERVER_PIDS.pop(base, None)
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


async def post_json(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, body: bytes
) -> tuple[int, bytes]:
    """One keep-alive HTTP/1.1 POST on an open connection: a client thin enough not to be the bottleneck."""
    writer.write(
        b"POST " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Authorization: Bearer " + BENCH_API_KEY.encode() + b"\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.split(b"\r\n")
    length = 0
    for line in header_lines:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    payload = await reader.readexactly(length)
    return int(status_line.split()[1]), payload


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
